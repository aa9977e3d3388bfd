import { Migration } from '@mikro-orm/migrations';

/**
 * The durable record of every notification job, written before the job is queued: a job lost with
 * Redis (restored from an old snapshot, failed over without persistence) is found here and queued
 * again under the same id, and a row already `sent` is never sent twice. `subject` is the application
 * the message is about, so erasing a candidate deletes the copies of their data; a sent row keeps none.
 */
export class Migration20261130220000_notification_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table notification_outbox (
      id text not null primary key,
      subject text not null,
      data text not null,
      status text not null,
      created_at text not null,
      sent_at text)`);
    this.addSql('create index notification_outbox_status_index on notification_outbox (status, created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists notification_outbox');
  }
}
