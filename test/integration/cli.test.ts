import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/src/main/cli.js');

/** The operator commands, as built by `npm test`, against a real SQLite file. */
describe('cli', () => {
  let dir: string;
  let db: string;
  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `sqlite:///${db}`, LOG_LEVEL: 'silent' } });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };
  const query = <T>(sql: string) => {
    const conn = new Database(db, { readonly: true });
    try { return conn.prepare(sql).all() as T[]; } finally { conn.close(); }
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-cli-'));
    db = path.join(dir, 'ats.db');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an unknown command prints the usage, exits 2 and touches no database', async () => {
    const res = await cli('frobnicate');
    expect(res.code).toBe(2);
    expect(res.out).toContain('usage: cli <command>');
    expect(fs.existsSync(db)).toBe(false);
  });

  test('migrate applies the migrations once', async () => {
    expect((await cli('migrate')).out).toContain('migrated up: Migration20261124000000_initial');
    expect((await cli('migrate')).out).toContain('database is up to date');
  });

  test('create-admin creates the first admin once, with a hashed password', async () => {
    expect((await cli('create-admin', 'Root@Example.com', 'admin-password-1')).out).toContain('created');
    expect((await cli('create-admin', 'root@example.com', 'admin-password-1')).out).toContain('unchanged');
    const rows = query<{ email: string; role: string; password_hash: string }>('select email, role, password_hash from users');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: 'root@example.com', role: 'admin' });
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
    const refused = await cli('create-admin', 'x@example.com', 'short');
    expect(refused.code).toBe(1);
  });

  test('seed creates the three sample jobs and the demo accounts, idempotently', async () => {
    expect((await cli('seed')).out).toContain('sample jobs: 3 created');
    expect((await cli('seed')).out).toContain('sample jobs: 0 created');
    const jobs = query<{ title: string; company: string; status: string }>('select j.title, c.name as company, j.status from jobs j join companies c on c.id = j.company_id order by j.id');
    expect(jobs).toEqual([
      { title: 'Backend Developer', company: 'TechCorp', status: 'open' },
      { title: 'Frontend Engineer', company: 'WebWorks', status: 'open' },
      { title: 'Data Analyst', company: 'DataPlus', status: 'open' },
    ]);
  });

  test('migrate down rolls the schema back', async () => {
    expect((await cli('migrate', 'down')).out).toContain('migrated down');
    expect(query<{ name: string }>("select name from sqlite_master where type = 'table' and name = 'jobs'")).toEqual([]);
  });
});
