import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, portAnswers } from '../../src/dev/engines';

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm run dev` end to end: the runner (as built by `npm test`) starts its own Temporal dev server
 * with the Web UI and its own Redis on free ports, migrates, seeds, runs api + worker + notifier,
 * answers /readyz with all three checks, and stops everything on SIGINT.
 */
describe('npm run dev', () => {
  let child: ChildProcess;
  let output = '';
  let dir: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-dev-'));
    for (const name of ['api', 'temporal', 'ui', 'redis']) ports[name] = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'dist/src/dev/run-dev.js')], {
      cwd: dir,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        NODE_ENV: 'development',
        ATS_DEV_VAR_DIR: path.join(dir, 'var'),
        PORT: String(ports.api),
        DATABASE_URL: `sqlite:///${path.join(dir, 'dev.db')}`,
        TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
        TEMPORAL_UI_URL: `http://127.0.0.1:${ports.ui}`,
        REDIS_URL: `redis://127.0.0.1:${ports.redis}/0`,
        TEMPORAL_TASK_QUEUE: 'applications-dev-e2e',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'admin-password-1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => { output += d; });
    child.stderr!.on('data', (d) => { output += d; });
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('brings the system up: readyz 200 with SQLite, Redis and Temporal; the Web UI answers', async () => {
    const deadline = Date.now() + 120_000;
    let ready: { status: number; body: any } | undefined;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const res = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
        ready = { status: res.status, body: await res.json() };
        if (res.status === 200) break;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (ready?.status !== 200) throw new Error(`not ready: ${JSON.stringify(ready)}\n${output}`);
    expect(ready.body.checks).toEqual({ sqlite: 'ok', redis: 'ok', temporal: 'ok' });
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    expect(ui.status).toBe(200);
    expect(output).toContain(`http://localhost:${ports.api}/docs`);
    expect(output).toContain(`http://127.0.0.1:${ports.ui}`);
    // No SECRET_KEY was given: the runner generated one for this machine, readable by its owner only.
    expect(fs.statSync(path.join(dir, 'var', 'secret-key')).mode & 0o777).toBe(0o600);
    // And a payload encryption key, the same way.
    expect(fs.statSync(path.join(dir, 'var', 'payload-keys')).mode & 0o777).toBe(0o600);
    // The Web UI decodes through the API's codec endpoint.
    const settings = await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).text();
    expect(settings).toContain(`http://127.0.0.1:${ports.api}/codec`);
  }, 150_000);

  test('seeds the sample jobs and the admin from ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
    const login = await fetch(`http://127.0.0.1:${ports.api}/api/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password-1' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const jobs = (await (await fetch(`http://127.0.0.1:${ports.api}/api/jobs`, { headers: { Authorization: `Bearer ${accessToken}` } })).json()) as { items: { title: string }[] };
    expect(jobs.items.map((j: { title: string }) => j.title).sort()).toEqual(['Backend Developer', 'Data Analyst', 'Frontend Engineer']);
  });

  test('with Redis gone, SIGINT still stops every process and engine within 10 s', async () => {
    // The notifier's queue and the worker's enqueueing wait on Redis; Ctrl-C must not.
    const redis = new Redis(ports.redis, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    redis.disconnect();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await portAnswers(ports.redis)).toBe(false);
    const began = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(Date.now() - began).toBeLessThan(10_000);
    for (const port of [ports.api, ports.temporal, ports.redis]) expect(await portAnswers(port)).toBe(false);
  }, 60_000);
});
