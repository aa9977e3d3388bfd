import { Migration } from '@mikro-orm/migrations';

/** The notification outbox: the same table as the SQLite line's migration of the same name. */
export class Migration20261130220000_notification_outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table notification_outbox (
      id varchar(255) not null primary key,
      subject varchar(255) not null,
      data text not null,
      status varchar(16) not null,
      created_at varchar(40) not null,
      sent_at varchar(40))`);
    this.addSql('create index notification_outbox_status_index on notification_outbox (status, created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists notification_outbox');
  }
}
