import { Migration } from '@mikro-orm/migrations';

/**
 * The API's journal of stage changes in flight: a row is written before a change is sent to its
 * workflow and deleted once SQL and the notification outbox hold the answer. A row left behind (the
 * API died, SQL refused) is finished by the API's sweep from the workflow's state. `after_seq` is
 * the transition SQL held when the change was sent: the sweep queues notifications after it.
 */
export class Migration20261201000000_transition_intents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table transition_intents (
      id text not null primary key,
      application_id text not null,
      after_seq integer not null,
      created_at text not null)`);
    this.addSql('create index transition_intents_created_at_index on transition_intents (created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists transition_intents');
  }
}
