import { Migration } from '@mikro-orm/migrations';

/**
 * A lease on each notification outbox row: a notifier takes a row from `pending` (or from a lease
 * that ran out) to `sending` with one conditional update before it talks to SMTP, and only the
 * holder marks it `sent`. Two notifiers can then never both send a row while its lease is live,
 * even when Redis has lost the job and its delivery ledger. Times are ISO strings, as `created_at`.
 */
export class Migration20261201120000_notification_leases extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table notification_outbox add column lease_until text');
    this.addSql('alter table notification_outbox add column lease_holder text');
  }

  override async down(): Promise<void> {
    // The code before leases knows only `pending` and `sent`: a send in flight is pending to it.
    this.addSql("update notification_outbox set status = 'pending' where status = 'sending'");
    this.addSql('alter table notification_outbox drop column lease_holder');
    this.addSql('alter table notification_outbox drop column lease_until');
  }
}
