import { Migration } from '@mikro-orm/migrations';

/**
 * The global role `hiring_manager`: staff who are not recruiters. The role column's check lists the
 * roles; SQLite cannot change a check in place, and rebuilding `users` would need foreign keys off
 * outside any transaction, so a new column with the new check takes the old one's place (a column's
 * own check goes with it when it is dropped). `down` makes hiring managers inactive recruiters, so a
 * downgrade gives nobody rights they did not have.
 */
export class Migration20261207130000_hiring_manager_role extends Migration {
  override async up(): Promise<void> {
    this.swapRoleColumn(['candidate', 'recruiter', 'hiring_manager', 'admin']);
  }

  override async down(): Promise<void> {
    this.addSql("update users set role = 'recruiter', active = 0 where role = 'hiring_manager'");
    this.swapRoleColumn(['candidate', 'recruiter', 'admin']);
  }

  private swapRoleColumn(roles: string[]): void {
    const allowed = roles.map((r) => `'${r}'`).join(', ');
    this.addSql(`alter table users add column role_next text not null default 'candidate' check (role_next in (${allowed}))`);
    this.addSql('update users set role_next = role');
    this.addSql('alter table users drop column role');
    this.addSql('alter table users rename column role_next to role');
  }
}
