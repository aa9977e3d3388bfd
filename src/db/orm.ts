import fs from 'node:fs';
import path from 'node:path';
import { MikroORM, defineConfig, type AbstractSqlDriver, type Options } from '@mikro-orm/sql';
import { Migrator } from '@mikro-orm/migrations';
import { sqliteFileFromUrl, type Config } from '../config';
import { migrationsList } from '../../migrations';
import { postgresqlMigrationsList } from '../../migrations/postgresql';
import { BoundSqliteDriver } from './sqlite-driver';
import { UserSchema } from './entities/user.entity';
import { JobSchema } from './entities/job.entity';
import { CompanySchema } from './entities/company.entity';
import { ApplicationSchema, StageEventSchema } from './entities/application.entity';
import { JobTeamMemberSchema } from './entities/job-team-member.entity';

export const ENTITIES = [UserSchema, CompanySchema, JobSchema, ApplicationSchema, StageEventSchema, JobTeamMemberSchema];

/** The ORM of either database: code that runs on both types against this. */
export type Orm = MikroORM<AbstractSqlDriver>;

/** Where the projection lives (`config.database`): a SQLite file, or a PostgreSQL database by URL; a bare string is a SQLite file. */
export type DatabaseTarget = Config['database'] | string;
type Target = { dialect: 'sqlite'; file: string } | { dialect: 'postgresql'; url: string };

function targetOf(target: DatabaseTarget): Target {
  if (typeof target === 'string') return { dialect: 'sqlite', file: target };
  return target.dialect === 'postgresql'
    ? { dialect: 'postgresql', url: target.url }
    : { dialect: 'sqlite', file: target.file ?? sqliteFileFromUrl(target.url) };
}

const common = { entities: ENTITIES, extensions: [Migrator], debug: false, allowGlobalContext: false };
const migrations = { snapshot: false, snapshotOnMigrate: false, silent: true, transactional: true } as const;

/**
 * Values are bound as statement parameters, never formatted into SQL text (see bound-parameters.ts).
 * The PostgreSQL driver is loaded only for a PostgreSQL target (about 4 MB a SQLite process never holds).
 */
export function ormConfig(target: DatabaseTarget): Options {
  const db = targetOf(target);
  if (db.dialect === 'postgresql') {
    const { BoundPostgreSqlDriver } = require('./postgresql-driver') as typeof import('./postgresql-driver');
    return defineConfig<AbstractSqlDriver>({
      ...common,
      driver: BoundPostgreSqlDriver,
      clientUrl: db.url,
      migrations: { ...migrations, migrationsList: postgresqlMigrationsList },
    });
  }
  return defineConfig<AbstractSqlDriver>({
    ...common,
    driver: BoundSqliteDriver,
    dbName: db.file,
    migrations: { ...migrations, migrationsList },
  });
}

export async function openOrm(target: DatabaseTarget | string): Promise<Orm> {
  const db = targetOf(target);
  if (db.dialect === 'sqlite' && db.file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(db.file)), { recursive: true });
  const orm = (await MikroORM.init(ormConfig(target))) as Orm;
  if (db.dialect === 'sqlite') {
    const connection = orm.em.getConnection();
    await connection.execute('pragma journal_mode = wal');
    await connection.execute('pragma synchronous = normal');
    await connection.execute('pragma busy_timeout = 5000');
    await connection.execute('pragma foreign_keys = on');
  }
  return orm;
}

export async function migrateUp(orm: Orm): Promise<string[]> {
  const done = await orm.migrator.up();
  return done.map((m) => m.name);
}

export async function migrateDown(orm: Orm, to: string | 0 = 0): Promise<string[]> {
  const done = await orm.migrator.down({ to });
  return done.map((m) => m.name);
}
