import { Migration } from '@mikro-orm/migrations';

/** The API's journal of stage changes in flight: the same table as the SQLite line's migration of the same name. */
export class Migration20261201000000_transition_intents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table transition_intents (
      id varchar(255) not null primary key,
      application_id varchar(255) not null,
      after_seq integer not null,
      created_at varchar(40) not null)`);
    this.addSql('create index transition_intents_created_at_index on transition_intents (created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists transition_intents');
  }
}
