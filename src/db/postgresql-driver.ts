import { AbstractSqlDriver, type Configuration } from '@mikro-orm/sql';
import { MikroORM as PostgreSqlMikroORM, PostgreSqlConnection, PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { POSTGRESQL_PARAMETERS, withBoundParameters } from './bound-parameters';

type PoolConfig = ReturnType<PostgreSqlConnection['mapOptions']>;

/** PostgreSQL's `int8` (bigint ids, `count(*)`) and `numeric` arrive as strings from `pg`. */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * MikroORM's `pg` connection with every value bound as a `$n` parameter (see bound-parameters.ts).
 * Ids are `bigint` columns, as SQLite's integers are 64-bit: they are read back as numbers, which
 * holds them exactly up to 2^53, so rows read the same on both databases.
 */
export class BoundPostgreSqlConnection extends withBoundParameters(PostgreSqlConnection, POSTGRESQL_PARAMETERS) {
  override mapOptions(overrides: Parameters<PostgreSqlConnection['mapOptions']>[0]): PoolConfig {
    const options = super.mapOptions(overrides);
    const types = options.types as { setTypeParser(oid: number, parse: (text: string) => unknown): void } | undefined;
    types?.setTypeParser(INT8, Number);
    types?.setTypeParser(NUMERIC, Number);
    return options;
  }
}

/** MikroORM's PostgreSQL driver on `BoundPostgreSqlConnection`: the same platform and Kysely dialect. */
export class BoundPostgreSqlDriver extends AbstractSqlDriver<BoundPostgreSqlConnection, PostgreSqlPlatform> {
  constructor(config: Configuration) {
    super(config, new PostgreSqlPlatform(), BoundPostgreSqlConnection, ['kysely', 'pg']);
  }

  override getORMClass() {
    return PostgreSqlMikroORM;
  }
}
