import { Migration } from '@mikro-orm/migrations';

/**
 * Which workflow id this database gave each (job, candidate) pair. A new application's id carries a
 * random part drawn when its pair is first claimed, so a restored or replaced database, which hands
 * the same SQL ids out again, draws other ids and never reaches a workflow of the earlier one.
 * Concurrent applies read the one claim and so send the same id, which Temporal refuses twice.
 * Existing applications keep their ids: each is claimed as it is.
 */
export class Migration20261202000000_application_claims extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table application_claims (
      job_id integer not null references jobs (id) on delete cascade,
      candidate_id integer not null references users (id),
      workflow_id text not null unique,
      created_at text not null,
      primary key (job_id, candidate_id))`);
    // `where true`: SQLite reads `on conflict` after a bare select as part of a join.
    this.addSql(`insert into application_claims (job_id, candidate_id, workflow_id, created_at)
      select job_id, candidate_id, id, created_at from applications where true
      on conflict do nothing`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists application_claims');
  }
}
