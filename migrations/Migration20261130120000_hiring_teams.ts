import { Migration } from '@mikro-orm/migrations';

/**
 * Hiring teams: the recruiters who see and move a job's applications. Every existing job's creator
 * joins its team, so no recruiter loses sight of the applications they had.
 */
export class Migration20261130120000_hiring_teams extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table job_team_members (
      job_id integer not null references jobs (id) on delete cascade,
      user_id integer not null references users (id),
      added_by integer not null references users (id),
      created_at text not null,
      primary key (job_id, user_id)) without rowid`);
    // Recruiters' application lists read "the jobs on my teams" by user: (user_id, job_id) covers it.
    this.addSql('create index job_team_members_user_index on job_team_members (user_id, job_id)');
    this.addSql(`insert into job_team_members (job_id, user_id, added_by, created_at)
      select id, created_by, created_by, created_at from jobs`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists job_team_members');
  }
}
