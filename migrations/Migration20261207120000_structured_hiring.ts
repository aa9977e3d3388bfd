import { Migration } from '@mikro-orm/migrations';

/**
 * Structured hiring: a role per hiring-team member, interviews with their interviewers, and
 * scorecards. Every member added before team roles existed becomes a `recruiter`, so nothing that
 * works today changes. Interviews and scorecards are projections of the application's workflow,
 * written as the API answers (and by the interview's own workflow, should the API die first).
 */
export class Migration20261207120000_structured_hiring extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table job_team_members add column team_role text not null default 'recruiter'`);
    this.addSql(`create table interviews (
      id text primary key,
      application_id text not null references applications (id),
      title text not null,
      starts_at text not null,
      ends_at text not null,
      location text,
      status text not null default 'scheduled',
      revision integer not null default 0,
      created_by integer,
      created_at text not null,
      updated_at text not null,
      completed_at text)`);
    this.addSql('create index interviews_application_index on interviews (application_id, starts_at, id)');
    this.addSql(`create table interview_interviewers (
      interview_id text not null references interviews (id) on delete cascade,
      user_id integer not null references users (id),
      primary key (interview_id, user_id)) without rowid`);
    // "My interviews" and an interviewer's sight of an application read by user.
    this.addSql('create index interview_interviewers_user_index on interview_interviewers (user_id, interview_id)');
    this.addSql(`create table scorecards (
      id integer primary key autoincrement,
      interview_id text not null references interviews (id) on delete cascade,
      application_id text not null references applications (id),
      author_id integer not null references users (id),
      recommendation text not null,
      attributes text not null,
      notes text,
      submitted_at text not null,
      unique (interview_id, author_id))`);
    this.addSql('create index scorecards_application_index on scorecards (application_id, author_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists scorecards');
    this.addSql('drop table if exists interview_interviewers');
    this.addSql('drop table if exists interviews');
    this.addSql('alter table job_team_members drop column team_role');
  }
}
