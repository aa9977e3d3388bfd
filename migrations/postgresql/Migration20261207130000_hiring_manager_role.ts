import { Migration } from '@mikro-orm/migrations';

/** The global role `hiring_manager`: staff who are not recruiters. `down` makes hiring managers inactive recruiters. */
export class Migration20261207130000_hiring_manager_role extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table users drop constraint users_role_check');
    this.addSql("alter table users add constraint users_role_check check (role in ('candidate', 'recruiter', 'hiring_manager', 'admin'))");
  }

  override async down(): Promise<void> {
    this.addSql("update users set role = 'recruiter', active = false where role = 'hiring_manager'");
    this.addSql('alter table users drop constraint users_role_check');
    this.addSql("alter table users add constraint users_role_check check (role in ('candidate', 'recruiter', 'admin'))");
  }
}
