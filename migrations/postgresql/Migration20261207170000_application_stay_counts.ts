import { Migration } from '@mikro-orm/migrations';

/** The SQLite line's fill, the same statement here. */
export const FILL_APPLICATION_STAY_COUNTS = `insert into application_stay_counts (job_id, kind, stage_ids, entered, advanced, rejected_here, open_now)
  select job_id, kind, stage_ids, count(*), sum(advanced), sum(rejected_here), sum(case when order_ms < 0 then 1 else 0 end)
  from application_stays group by job_id, kind, stage_ids`;

/** The funnel's counts per job, kind and stage ids: the same as the SQLite line's migration of the same name. */
export class Migration20261207170000_application_stay_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table application_stay_counts (
      job_id bigint not null,
      kind text not null,
      stage_ids text not null,
      entered integer not null,
      advanced integer not null,
      rejected_here integer not null,
      open_now integer not null,
      primary key (job_id, kind, stage_ids))`);
    this.addSql(FILL_APPLICATION_STAY_COUNTS);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists application_stay_counts');
  }
}
