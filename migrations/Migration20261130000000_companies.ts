import { Migration } from '@mikro-orm/migrations';

/**
 * Companies become rows of their own: every distinct company name of the jobs (without regard to
 * case, the first spelling kept) is one company, and each job points at it. `down` restores the
 * name column from the companies.
 */
export class Migration20261130000000_companies extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table companies (
      id integer primary key autoincrement,
      name text not null collate nocase unique,
      website text null,
      created_at text not null)`);
    this.addSql(`insert into companies (name, created_at)
      select (select j2.company from jobs j2 where j2.company = j.company collate nocase order by j2.id limit 1), min(j.created_at)
      from jobs j group by j.company collate nocase order by min(j.id)`);
    this.addSql('alter table jobs add column company_id integer null');
    this.addSql('update jobs set company_id = (select c.id from companies c where c.name = jobs.company collate nocase)');
    this.addSql('alter table jobs drop column company');
    this.addSql('create index jobs_company_id_index on jobs (company_id, id)');
    // SQLite cannot add a NOT NULL foreign key column to a table that has rows, and rebuilding `jobs`
    // would need foreign keys off outside any transaction; these triggers hold the same rule.
    for (const [name, event] of [
      ['jobs_company_insert', 'insert'],
      ['jobs_company_update', 'update of company_id'],
    ]) {
      this.addSql(`create trigger ${name} before ${event} on jobs
        when new.company_id is null or not exists (select 1 from companies where id = new.company_id)
        begin select raise(abort, 'a job must belong to an existing company'); end`);
    }
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists jobs_company_insert');
    this.addSql('drop trigger if exists jobs_company_update');
    this.addSql('drop index if exists jobs_company_id_index');
    this.addSql("alter table jobs add column company text not null default ''");
    this.addSql('update jobs set company = (select c.name from companies c where c.id = jobs.company_id)');
    this.addSql('alter table jobs drop column company_id');
    this.addSql('drop table if exists companies');
  }
}
