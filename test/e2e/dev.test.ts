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
    expect(output).toContain(`http://localhost:${ports.api}/app`);
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

  test('the original design\'s client requests, verbatim but for the token and ids, all succeed on the fresh database', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    const send = async (method: string, url: string, init: { token?: string; json?: unknown; form?: Record<string, string> } = {}) => {
      const headers: Record<string, string> = {};
      if (init.token) headers.Authorization = `Bearer ${init.token}`;
      let body: string | undefined;
      if (init.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(init.json); }
      if (init.form) { headers['Content-Type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(init.form).toString(); }
      const res = await fetch(api + url, { method, headers, body });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    // FastAPI's OAuth2PasswordRequestForm: a form with `username` and `password`; the answer's `access_token`.
    const logIn = async (username: string, password: string) => {
      const res = await send('POST', '/api/auth/login', { form: { username, password } });
      expect([res.status, res.body.token_type]).toEqual([200, 'bearer']);
      return res.body.access_token as string;
    };

    const signup = await send('POST', '/api/auth/signup', { json: { email: 'jane@example.com', password: 'secret123', full_name: 'Jane Doe', role: 'candidate' } });
    expect([signup.status, signup.body.user.fullName, signup.body.user.role]).toEqual([201, 'Jane Doe', 'candidate']);
    const candidate = await logIn('jane@example.com', 'secret123');
    expect((await send('GET', '/api/jobs/', { token: candidate })).status).toBe(200);

    const recruiter = await logIn('recruiter@example.com', 'recruiter-demo-password');
    const job = await send('POST', '/api/jobs/', { token: recruiter, json: { title: 'Backend Developer', description: 'Python/FastAPI', company_id: 1, status: 'open' } });
    expect([job.status, job.body.company]).toEqual([201, 'TechCorp']);

    const applied = await send('POST', `/api/jobs/${job.body.id}/apply`, { token: candidate, json: { resume_url: 'https://example.com/jane.pdf', cover_letter: 'I would love to join.' } });
    expect([applied.status, applied.body.stage, applied.body.resumeUrl]).toEqual([201, 'applied', 'https://example.com/jane.pdf']);
    const read = await send('GET', `/api/applications/${applied.body.id}`, { token: recruiter });
    expect([read.status, read.body.coverLetter]).toEqual([200, 'I would love to join.']);

    const moved = await send('PATCH', `/api/applications/${applied.body.id}/stage`, { token: recruiter, json: { stage: 'screening', notes: 'Strong CV' } });
    expect(moved.status).toBe(200);
    expect(moved.body.history.at(-1)).toMatchObject({ from: 'applied', to: 'screening', reason: 'Strong CV' });

    const index = await send('GET', '/');
    expect([index.status, index.body.docs]).toEqual([200, '/docs']);
  }, 60_000);

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
