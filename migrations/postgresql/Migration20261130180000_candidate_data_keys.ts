import { Migration } from '@mikro-orm/migrations';

/**
 * Each candidate's data key, wrapped (AES-256-GCM) by the payload key named in `master_key_id`.
 * The personal fields a workflow carries are encrypted under it; deleting the row erases them from
 * every Temporal history at once (crypto-shredding). The same table as the SQLite line's migration
 * of the same name.
 */
export class Migration20261130180000_candidate_data_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table candidate_data_keys (
      user_id bigint not null primary key references users (id),
      master_key_id varchar(64) not null,
      wrapped_key varchar(255) not null,
      created_at varchar(40) not null)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists candidate_data_keys');
  }
}
