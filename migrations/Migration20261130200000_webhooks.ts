import { Migration } from '@mikro-orm/migrations';

/**
 * Webhook subscriptions and their delivery log. The signing secret is stored encrypted under a key
 * derived from SECRET_KEY (see src/webhooks/webhook-secrets.ts). A delivery's id is the Standard
 * Webhooks `webhook-id`, derived from the event and the subscription, so emitting again is a no-op.
 * `subject` is the application a delivery shows, so erasing a candidate deletes its payloads too.
 */
export class Migration20261130200000_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table webhook_subscriptions (
      id text not null primary key,
      url text not null,
      events text not null,
      active integer not null,
      secret text not null,
      created_by integer not null references users (id),
      created_at text not null,
      updated_at text not null)`);
    this.addSql(`create table webhook_deliveries (
      id text not null primary key,
      subscription_id text not null references webhook_subscriptions (id) on delete cascade,
      subject text,
      event text not null,
      payload text not null,
      status text not null,
      attempts integer not null,
      last_status_code integer,
      last_attempt_at text,
      created_at text not null)`);
    this.addSql('create index webhook_deliveries_subscription_index on webhook_deliveries (subscription_id, created_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists webhook_deliveries');
    this.addSql('drop table if exists webhook_subscriptions');
  }
}
