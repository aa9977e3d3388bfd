import { Migration } from '@mikro-orm/migrations';

/** Leases on notification outbox rows: the same columns as the SQLite line's migration of the same name. */
export class Migration20261201120000_notification_leases extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table notification_outbox add column lease_until varchar(40), add column lease_holder varchar(255)');
  }

  override async down(): Promise<void> {
    this.addSql("update notification_outbox set status = 'pending' where status = 'sending'");
    this.addSql('alter table notification_outbox drop column lease_holder, drop column lease_until');
  }
}
