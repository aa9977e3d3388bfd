import fs from 'node:fs';
import path from 'node:path';
import { MikroORM, defineConfig } from '@mikro-orm/sqlite';
import { Migrator } from '@mikro-orm/migrations';
import { migrationsList } from '../../migrations';
import { UserSchema } from './entities/user.entity';
import { JobSchema } from './entities/job.entity';
import { CompanySchema } from './entities/company.entity';
import { ApplicationSchema, StageEventSchema } from './entities/application.entity';

export const ENTITIES = [UserSchema, CompanySchema, JobSchema, ApplicationSchema, StageEventSchema];

export function ormConfig(file: string) {
  return defineConfig({
    dbName: file,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList, snapshot: false, snapshotOnMigrate: false, silent: true, transactional: true },
    debug: false,
    allowGlobalContext: false,
  });
}

export async function openOrm(file: string): Promise<MikroORM> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const orm = await MikroORM.init(ormConfig(file));
  const connection = orm.em.getConnection();
  await connection.execute('pragma journal_mode = wal');
  await connection.execute('pragma synchronous = normal');
  await connection.execute('pragma busy_timeout = 5000');
  await connection.execute('pragma foreign_keys = on');
  return orm;
}

export async function migrateUp(orm: MikroORM): Promise<string[]> {
  const done = await orm.migrator.up();
  return done.map((m) => m.name);
}

export async function migrateDown(orm: MikroORM, to: string | 0 = 0): Promise<string[]> {
  const done = await orm.migrator.down({ to });
  return done.map((m) => m.name);
}
