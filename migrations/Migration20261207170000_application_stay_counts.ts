import { Migration } from '@mikro-orm/migrations';

/**
 * The funnel's counts per job, stage kind and stage ids (src/applications/application-stays.ts), so
 * a funnel over whole jobs reads a few rows per job instead of every application's summary; the
 * projection adds what it writes to `application_stays` and takes away what it deletes. Filled here
 * from the summary; exported for the bench's seeder and the reports' tests.
 */
export const FILL_APPLICATION_STAY_COUNTS = `insert into application_stay_counts (job_id, kind, stage_ids, entered, advanced, rejected_here, open_now)
  select job_id, kind, stage_ids, count(*), sum(advanced), sum(rejected_here), sum(case when order_ms < 0 then 1 else 0 end)
  from application_stays group by job_id, kind, stage_ids`;

export class Migration20261207170000_application_stay_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table application_stay_counts (
      job_id integer not null,
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
