import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import argon2 from 'argon2';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/src/main/cli.js');

/** The operator commands, as built by `npm test`, against a real SQLite file. */
describe('cli', () => {
  let dir: string;
  let db: string;
  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [CLI, ...args], {
        cwd: dir,
        env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `sqlite:///${db}`, LOG_LEVEL: 'silent' },
      });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };
  const query = <T>(sql: string) => {
    const conn = new Database(db, { readonly: true });
    try {
      return conn.prepare(sql).all() as T[];
    } finally {
      conn.close();
    }
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
    const otherPassword = await cli('create-admin', 'root@example.com', 'not-the-admin-password');
    expect(otherPassword.code).toBe(1);
    expect(otherPassword.out).toContain('--reset-password');
  });

  test('create-admin on an e-mail someone pre-registered refuses; --reset-password takes it over', async () => {
    const victim = 'ops@example.com';
    const conn = new Database(db);
    const now = new Date().toISOString();
    conn
      .prepare(
        "insert into users (email, password_hash, role, full_name, active, created_at, updated_at) values (?, ?, 'candidate', 'Attacker', 1, ?, ?)",
      )
      .run(victim, await argon2.hash('attacker-password'), now, now);
    conn.close();
    const account = () =>
      query<{ role: string; password_hash: string }>(`select role, password_hash from users where email = '${victim}'`)[0];

    const refused = await cli('create-admin', victim, 'operator-password');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('refused');
    expect(refused.out).toContain('--reset-password');
    expect(account().role).toBe('candidate');
    expect(await argon2.verify(account().password_hash, 'attacker-password')).toBe(true);

    const taken = await cli('create-admin', '--reset-password', victim, 'operator-password');
    expect(taken.code).toBe(0);
    expect(taken.out).toContain(`admin ${victim}: reset`);
    expect(account().role).toBe('admin');
    expect(await argon2.verify(account().password_hash, 'operator-password')).toBe(true);
    expect(await argon2.verify(account().password_hash, 'attacker-password')).toBe(false);
    expect((await cli('create-admin', victim, 'operator-password')).out).toContain('unchanged');
  });

  test.each(['api', 'worker', 'notifier', 'cli'])('the %s process without SECRET_KEY exits at once, naming it', async (name) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `sqlite:///${db}`, LOG_LEVEL: 'silent' };
    delete env.NODE_ENV;
    delete env.SECRET_KEY;
    const started = Date.now();
    const entry = path.resolve(__dirname, `../../dist/src/main/${name}.js`);
    const result = await run(process.execPath, [entry, ...(name === 'cli' ? ['migrate'] : [])], { cwd: dir, env, timeout: 20_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SECRET_KEY: required');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('seed creates the three sample jobs and the demo accounts, idempotently', async () => {
    expect((await cli('seed')).out).toContain('sample jobs: 3 created');
    expect((await cli('seed')).out).toContain('sample jobs: 0 created');
    const jobs = query<{ title: string; company: string; status: string }>(
      'select j.title, c.name as company, j.status from jobs j join companies c on c.id = j.company_id order by j.id',
    );
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
