import { Migration } from '@mikro-orm/migrations';

/** Pipelines per job, pinned per application: the same schema as the SQLite line's migration of the same name. */
export class Migration20261207140000_pipelines extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table job_pipelines (
      job_id bigint not null references jobs (id) on delete cascade,
      version integer not null,
      stages text not null,
      created_by bigint,
      created_at text collate "C" not null,
      primary key (job_id, version))`);
    this.addSql('alter table applications add column pipeline_version integer not null default 1');
    this.addSql('alter table applications add column stage_kind text');
    this.addSql('update applications set stage_kind = stage');
    this.addSql('alter table stage_events add column to_kind text');
    this.addSql('alter table stage_events add column migration_id text');
    this.addSql('alter table stage_events add column from_version integer');
    this.addSql('alter table stage_events add column to_version integer');
    this.addSql('update stage_events set to_kind = to_stage');
    this.addSql(`create table pipeline_migrations (
      id text collate "C" primary key,
      job_id bigint not null references jobs (id) on delete cascade,
      from_version integer not null,
      to_version integer not null,
      stage_map text not null,
      status text not null,
      total integer not null default 0,
      migrated integer not null default 0,
      failed integer not null default 0,
      created_by bigint,
      created_at text collate "C" not null,
      updated_at text collate "C" not null)`);
    this.addSql('create index pipeline_migrations_job_index on pipeline_migrations (job_id, created_at)');
    this.addSql('create index applications_job_version_index on applications (job_id, pipeline_version, stage)');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists applications_job_version_index');
    this.addSql('drop table if exists pipeline_migrations');
    this.addSql('alter table stage_events drop column to_version');
    this.addSql('alter table stage_events drop column from_version');
    this.addSql('alter table stage_events drop column migration_id');
    this.addSql('alter table stage_events drop column to_kind');
    this.addSql('alter table applications drop column stage_kind');
    this.addSql('alter table applications drop column pipeline_version');
    this.addSql('drop table if exists job_pipelines');
  }
}
