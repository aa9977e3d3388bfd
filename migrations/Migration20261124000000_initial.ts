import { Migration } from '@mikro-orm/migrations';

/** Users, jobs, and the application projection with its stage events and list indexes. */
export class Migration20261124000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table users (
      id integer primary key autoincrement,
      email text not null unique,
      password_hash text not null,
      role text not null check (role in ('candidate', 'recruiter', 'admin')),
      full_name text null,
      active integer not null default 1,
      created_at text not null,
      updated_at text not null)`);
    this.addSql(`create table jobs (
      id integer primary key autoincrement,
      title text not null,
      company text not null,
      description text null,
      location text null,
      status text not null check (status in ('open', 'closed', 'draft')),
      created_by integer not null references users (id),
      created_at text not null,
      updated_at text not null)`);
    this.addSql('create index jobs_status_id_index on jobs (status, id)');
    this.addSql('create index jobs_created_by_index on jobs (created_by)');
    this.addSql(`create table applications (
      id text primary key,
      job_id integer not null references jobs (id),
      candidate_id integer not null references users (id),
      stage text not null,
      seq integer not null,
      cover_letter text null,
      resume_url text null,
      created_at text not null,
      updated_at text not null)`);
    // Lists read newest first, optionally filtered by job, stage or candidate: one index per filter,
    // each ending in the sort key, so every page is an index range scan.
    this.addSql('create index applications_created_index on applications (created_at, id)');
    this.addSql('create index applications_job_created_index on applications (job_id, created_at, id)');
    this.addSql('create index applications_stage_created_index on applications (stage, created_at, id)');
    this.addSql('create index applications_candidate_created_index on applications (candidate_id, created_at, id)');
    this.addSql(`create table stage_events (
      id integer primary key autoincrement,
      application_id text not null references applications (id),
      seq integer not null,
      from_stage text null,
      to_stage text not null,
      at text not null,
      actor text null,
      reason text null,
      unique (application_id, seq))`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists stage_events');
    this.addSql('drop table if exists applications');
    this.addSql('drop table if exists jobs');
    this.addSql('drop table if exists users');
  }
}
