import { AbstractSqlDriver, MikroORM, SqliteConnection, SqlitePlatform, type Configuration } from '@mikro-orm/sqlite';
import { SQLITE_PARAMETERS, withBoundParameters } from './bound-parameters';

/** MikroORM's better-sqlite3 connection, with every value bound as a statement parameter. */
export class BoundSqliteConnection extends withBoundParameters(SqliteConnection, SQLITE_PARAMETERS) {}

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
