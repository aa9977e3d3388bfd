import { Migration } from '@mikro-orm/migrations';

/**
 * Notes the hiring team writes about an application: immutable, deleted outright by their author or
 * an admin, and with the application's candidate on erasure. The body is kept as the cover letter is
 * (plaintext in SQL, which erasure deletes). Lists read one application's notes oldest first.
 */
export class Migration20261207000000_notes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table notes (
      id integer primary key autoincrement,
      application_id text not null references applications (id),
      author_id integer not null references users (id),
      body text not null,
      created_at text not null)`);
    this.addSql('create index notes_application_created_index on notes (application_id, created_at, id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists notes');
  }
}
