import { AbstractSqlDriver, MikroORM, SqliteConnection, SqlitePlatform, type Configuration, type Dictionary } from '@mikro-orm/sqlite';
import { SqliteDialect, type Dialect } from 'kysely';
import type Database from 'better-sqlite3';
import { SQLITE_PARAMETERS, withBoundParameters } from './bound-parameters';
import { cachingStatements } from './statement-cache';

/** MikroORM's better-sqlite3 connection, with every value bound as a statement parameter and each statement prepared once. */
export class BoundSqliteConnection extends withBoundParameters(SqliteConnection, SQLITE_PARAMETERS) {
  override createKyselyDialect(options: Dictionary): Dialect {
    // MikroORM opens the database, synchronously for SQLite, and keeps it for dumps and its native
    // client; its dialect is set aside for one that prepares through the cache.
    void super.createKyselyDialect(options);
    const database = (this as unknown as { database: Database.Database }).database;
    return new SqliteDialect({
      database: cachingStatements(database),
      onCreateConnection: this.options.onCreateConnection ?? this.config.get('onCreateConnection'),
    });
  }
}

/**
 * MikroORM's SQLite driver on `BoundSqliteConnection`: the same platform, dialect and native client,
 * only no value is ever formatted into SQL text. PostgreSQL's twin is in postgresql-driver.ts.
 */
export class BoundSqliteDriver extends AbstractSqlDriver<BoundSqliteConnection, SqlitePlatform> {
  constructor(config: Configuration) {
    super(config, new SqlitePlatform(), BoundSqliteConnection, ['kysely', 'better-sqlite3']);
  }

  override getORMClass() {
    return MikroORM;
  }
}
