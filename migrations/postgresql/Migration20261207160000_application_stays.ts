import { Migration } from '@mikro-orm/migrations';

const KINDS = ['applied', 'screening', 'interview', 'offer', 'hired'];
const RANK = (kind: string) => `case ${kind} ${KINDS.map((k, i) => `when '${k}' then ${i + 1}`).join(' ')} else 0 end`;
const MS = (instant: string) => `cast(round(extract(epoch from cast(${instant} as timestamptz)) * 1000) as bigint)`;

/** The SQLite line's fill, in PostgreSQL's words; exported for the reports' tests on PostgreSQL. */
export const FILL_APPLICATION_STAYS = `insert into application_stays (application_id, kind, job_id, created_at, stage_ids, first_at,
    closed_ms, open_since, advanced, rejected_here, order_ms)
  with ev as (
    select application_id as app, seq, to_stage, coalesce(to_kind, to_stage) as kind, at, ${MS('at')} as ms,
      ${RANK('coalesce(to_kind, to_stage)')} as rank
    from stage_events),
  w as (
    select app, seq, to_stage, kind, at, ms, rank, lead(ms) over p as next_ms, lead(to_stage) over p as next_stage,
      max(rank) over (p rows between 1 following and unbounded following) as later_rank
    from ev window p as (partition by app order by seq)),
  s as (
    select app, kind, string_agg(distinct to_stage, ',' order by to_stage) as stage_ids, min(at) as first_at, min(ms) as first_ms,
      sum(case when next_ms is null or kind = 'hired' then 0 else next_ms - ms end) as closed_ms,
      max(case when next_ms is null and kind <> 'hired' then at end) as open_since,
      max(case when next_ms is null and kind <> 'hired' then ms end) as open_ms,
      max(case when later_rank > rank then 1 else 0 end) as advanced,
      max(case when next_stage = 'rejected' then 1 else 0 end) as rejected_here
    from w where rank > 0 group by app, kind)
  select s.app, s.kind, a.job_id, a.created_at, s.stage_ids, s.first_at, s.closed_ms, s.open_since, s.advanced, s.rejected_here,
    case when s.kind = 'hired' then s.first_ms - ${MS('a.created_at')} when s.open_ms is null then s.closed_ms else s.closed_ms - s.open_ms end
  from s join applications a on a.id = s.app`;

/** The reports' per-application summary and indexes: the same as the SQLite line's migration of the same name. */
export class Migration20261207160000_application_stays extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table application_stays (
      application_id text collate "C" not null references applications (id),
      kind text not null,
      job_id bigint not null,
      created_at text collate "C" not null,
      stage_ids text not null,
      first_at text not null,
      closed_ms bigint not null,
      open_since text null,
      advanced smallint not null,
      rejected_here smallint not null,
      order_ms bigint not null,
      primary key (application_id, kind))`);
    this.addSql(FILL_APPLICATION_STAYS);
    this.addSql(
      'create index application_stays_kind_index on application_stays (kind, order_ms, created_at, advanced, rejected_here, stage_ids)',
    );
    this.addSql(
      'create index application_stays_job_index on application_stays (job_id, kind, order_ms, created_at, advanced, rejected_here, stage_ids)',
    );
    const running = "where stage <> 'rejected' and coalesce(stage_kind, stage) <> 'hired'";
    this.addSql(`create index applications_waiting_index on applications (updated_at, id) ${running}`);
    this.addSql(`create index applications_job_waiting_index on applications (job_id, updated_at, id) ${running}`);
    this.addSql('drop index if exists applications_job_updated_index');
    this.addSql('drop index if exists stage_events_report_index');
  }

  override async down(): Promise<void> {
    this.addSql('create index stage_events_report_index on stage_events (application_id, seq, to_kind, to_stage, at)');
    this.addSql('create index applications_job_updated_index on applications (job_id, updated_at, id)');
    this.addSql('drop index if exists applications_job_waiting_index');
    this.addSql('drop index if exists applications_waiting_index');
    this.addSql('drop table if exists application_stays');
  }
}
