import { Migration } from '@mikro-orm/migrations';

/** Which workflow id this database gave each (job, candidate) pair: the same table as the SQLite line's migration of the same name. */
export class Migration20261202000000_application_claims extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table application_claims (
      job_id bigint not null references jobs (id) on delete cascade,
      candidate_id bigint not null references users (id),
      workflow_id text collate "C" not null unique,
      created_at varchar(40) not null,
      primary key (job_id, candidate_id))`);
    this.addSql(`insert into application_claims (job_id, candidate_id, workflow_id, created_at)
      select job_id, candidate_id, id, created_at from applications
      on conflict do nothing`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists application_claims');
  }
}
