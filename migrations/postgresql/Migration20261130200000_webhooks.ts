import { Migration } from '@mikro-orm/migrations';

/** Webhook subscriptions and their delivery log: the same tables as the SQLite line's migration of the same name. */
export class Migration20261130200000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table webhook_subscriptions (
      id varchar(64) not null primary key,
      url text not null,
      events text not null,
      active integer not null,
      secret text not null,
      created_by bigint not null references users (id),
      created_at varchar(40) not null,
      updated_at varchar(40) not null)`);
    this.addSql(`create table webhook_deliveries (
      id varchar(64) not null primary key,
      subscription_id varchar(64) not null references webhook_subscriptions (id) on delete cascade,
      subject varchar(255),
      event varchar(64) not null,
      payload text not null,
      status varchar(16) not null,
      attempts integer not null,
      last_status_code integer,
      last_attempt_at varchar(40),
      created_at varchar(40) not null)`);
    this.addSql('create index webhook_deliveries_subscription_index on webhook_deliveries (subscription_id, created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists webhook_deliveries');
    this.addSql('drop table if exists webhook_subscriptions');
  }
}
