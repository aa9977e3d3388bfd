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
      expect(await migrateUp(orm)).toEqual(['Migration20261124000000_initial', 'Migration20261130120000_hiring_teams']);
      expect(await tables(orm)).toEqual(['applications', 'job_team_members', 'jobs', 'stage_events', 'users']);
      expect(await migrateUp(orm)).toEqual([]);
      expect(await migrateDown(orm)).toEqual(['Migration20261130120000_hiring_teams', 'Migration20261124000000_initial']);
      expect(await tables(orm)).toEqual([]);
      expect(await migrateUp(orm)).toHaveLength(2);
      const [{ journal_mode }] = await orm.em.getConnection().execute<{ journal_mode: string }[]>('pragma journal_mode');
      expect(journal_mode).toBe('wal');
    } finally {
      await orm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hiring teams: every job that existed before gets its creator on its team; down drops the teams only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-migrations-'));
    const orm = await openOrm(path.join(dir, 'test.db'));
    const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) => orm.em.getConnection().execute<T>(text, params, 'all');
    try {
      await orm.migrator.up({ to: 'Migration20261124000000_initial' });
      const at = '2026-01-01T00:00:00.000Z';
      await sql(`insert into users (id, email, password_hash, role, created_at, updated_at) values
        (1, 'a@example.com', 'x', 'recruiter', ?, ?), (2, 'b@example.com', 'x', 'recruiter', ?, ?)`, [at, at, at, at]);
      await sql(`insert into jobs (id, title, company, status, created_by, created_at, updated_at) values
        (10, 'A', 'C', 'open', 1, ?, ?), (11, 'B', 'C', 'draft', 2, ?, ?), (12, 'C', 'C', 'closed', 1, ?, ?)`, [at, at, at, at, at, at]);
      expect(await migrateUp(orm)).toEqual(['Migration20261130120000_hiring_teams']);
      expect(await sql('select job_id as jobId, user_id as userId, added_by as addedBy, created_at as createdAt from job_team_members order by job_id')).toEqual([
        { jobId: 10, userId: 1, addedBy: 1, createdAt: at },
        { jobId: 11, userId: 2, addedBy: 2, createdAt: at },
        { jobId: 12, userId: 1, addedBy: 1, createdAt: at },
      ]);
      const plan = await sql<{ detail: string }[]>('explain query plan select job_id from job_team_members where user_id = ?', [1]);
      expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING COVERING INDEX job_team_members_user_index/);
      expect(await migrateDown(orm, 'Migration20261124000000_initial')).toEqual(['Migration20261130120000_hiring_teams']);
      expect(await tables(orm)).toEqual(['applications', 'jobs', 'stage_events', 'users']);
      expect(await sql('select count(*) as n from jobs')).toEqual([{ n: 3 }]);
    } finally {
      await orm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
