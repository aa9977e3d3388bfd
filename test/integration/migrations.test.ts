import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDown, migrateUp, openOrm } from '../../src/db/orm';

const tables = async (orm: Awaited<ReturnType<typeof openOrm>>) =>
  (await orm.em.getConnection().execute<{ name: string }[]>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != 'mikro_orm_migrations' order by name")).map((r) => r.name);

describe('migrations', () => {
  test('run up and down against a real SQLite file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-migrations-'));
    const orm = await openOrm(path.join(dir, 'test.db'));
    try {
      expect(await migrateUp(orm)).toEqual(['Migration20261124000000_initial']);
      expect(await tables(orm)).toEqual(['applications', 'jobs', 'stage_events', 'users']);
      expect(await migrateUp(orm)).toEqual([]);
      expect(await migrateDown(orm)).toEqual(['Migration20261124000000_initial']);
      expect(await tables(orm)).toEqual([]);
      expect(await migrateUp(orm)).toHaveLength(1);
      const [{ journal_mode }] = await orm.em.getConnection().execute<{ journal_mode: string }[]>('pragma journal_mode');
      expect(journal_mode).toBe('wal');
    } finally {
      await orm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
