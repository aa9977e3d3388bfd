import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDown, migrateUp, openOrm } from '../../src/db/orm';

type Orm = Awaited<ReturnType<typeof openOrm>>;

const tables = async (orm: Orm) =>
  (await orm.em.getConnection().execute<{ name: string }[]>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != 'mikro_orm_migrations' order by name")).map((r) => r.name);

const ALL = ['Migration20261124000000_initial', 'Migration20261130000000_companies'];

async function withOrm(run: (orm: Orm) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-migrations-'));
  const orm = await openOrm(path.join(dir, 'test.db'));
  try {
    await run(orm);
  } finally {
    await orm.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('migrations', () => {
  test('run up and down against a real SQLite file', () => withOrm(async (orm) => {
    expect(await migrateUp(orm)).toEqual(ALL);
    expect(await tables(orm)).toEqual(['applications', 'companies', 'jobs', 'stage_events', 'users']);
    expect(await migrateUp(orm)).toEqual([]);
    expect(await migrateDown(orm)).toEqual([...ALL].reverse());
    expect(await tables(orm)).toEqual([]);
    expect(await migrateUp(orm)).toHaveLength(2);
    const [{ journal_mode }] = await orm.em.getConnection().execute<{ journal_mode: string }[]>('pragma journal_mode');
    expect(journal_mode).toBe('wal');
  }));

  test('companies: every distinct name (letter case aside) becomes one company, no job is lost, and down restores the names', () => withOrm(async (orm) => {
    const sql = (q: string, params: unknown[] = []) => orm.em.getConnection().execute(q, params);
    await orm.migrator.up({ to: ALL[0] });
    await sql("insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'r@example.com', 'x', 'recruiter', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
    const jobs: [number, string, string][] = [[1, 'Backend', 'TechCorp'], [2, 'Frontend', 'WebWorks'], [3, 'Ops', 'techcorp'], [4, 'Data', 'DataPlus'], [5, 'QA', 'WebWorks']];
    for (const [id, title, company] of jobs) {
      await sql("insert into jobs (id, title, company, status, created_by, created_at, updated_at) values (?, ?, ?, 'open', 1, ?, ?)", [id, title, company, `2026-01-0${id}T00:00:00.000Z`, `2026-01-0${id}T00:00:00.000Z`]);
    }
    await sql("insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values ('application-job3-candidate1', 3, 1, 'applied', 1, 'x', 'x')");

    await migrateUp(orm);
    expect(await sql('select id, name, created_at from companies order by id')).toEqual([
      { id: 1, name: 'TechCorp', created_at: '2026-01-01T00:00:00.000Z' },
      { id: 2, name: 'WebWorks', created_at: '2026-01-02T00:00:00.000Z' },
      { id: 3, name: 'DataPlus', created_at: '2026-01-04T00:00:00.000Z' },
    ]);
    expect(await sql('select id, title, company_id from jobs order by id')).toEqual([
      { id: 1, title: 'Backend', company_id: 1 }, { id: 2, title: 'Frontend', company_id: 2 }, { id: 3, title: 'Ops', company_id: 1 },
      { id: 4, title: 'Data', company_id: 3 }, { id: 5, title: 'QA', company_id: 2 },
    ]);
    await expect(sql("insert into companies (name, created_at) values ('TECHCORP', 'x')")).rejects.toThrow(/unique/i);
    // Every job belongs to an existing company, as a foreign key would require.
    await expect(sql("insert into jobs (title, status, created_by, created_at, updated_at) values ('No company', 'open', 1, 'x', 'x')")).rejects.toThrow(/existing company/);
    await expect(sql("insert into jobs (title, company_id, status, created_by, created_at, updated_at) values ('Ghost', 99, 'open', 1, 'x', 'x')")).rejects.toThrow(/existing company/);
    await expect(sql('update jobs set company_id = 99 where id = 1')).rejects.toThrow(/existing company/);

    await migrateDown(orm, ALL[0]);
    expect(await tables(orm)).toEqual(['applications', 'jobs', 'stage_events', 'users']);
    expect(await sql('select id, company from jobs order by id')).toEqual([
      { id: 1, company: 'TechCorp' }, { id: 2, company: 'WebWorks' }, { id: 3, company: 'TechCorp' }, { id: 4, company: 'DataPlus' }, { id: 5, company: 'WebWorks' },
    ]);
    expect(await sql('select count(*) as n from applications')).toEqual([{ n: 1 }]);
  }));
});
