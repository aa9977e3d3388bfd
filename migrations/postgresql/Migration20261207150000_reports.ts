import { Migration } from '@mikro-orm/migrations';

/** Indexes for the hiring reports: the same as the SQLite line's migration of the same name. */
export class Migration20261207150000_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index applications_job_updated_index on applications (job_id, updated_at, id)');
    this.addSql('create index stage_events_report_index on stage_events (application_id, seq, to_kind, to_stage, at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists stage_events_report_index');
    this.addSql('drop index if exists applications_job_updated_index');
  }
}
