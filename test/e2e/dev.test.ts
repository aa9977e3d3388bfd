import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { DEMO_CANDIDATE, DEMO_RECRUITER } from '../../src/accounts/seed';
import { openOrm } from '../../src/db/orm';
import { portAnswers } from '../../src/dev/engines';
import { runSchemathesis } from '../support/contract';
import { sendOriginalDesignRequests, type OriginalDesignRun } from '../support/original-design';
import { testDatabase } from '../support/stack';
import { launchChromium, signIn } from '../support/chromium';
import { devEnv, freeDevPorts, type DevPorts } from '../support/dev-run';

const ROOT = path.resolve(__dirname, '../..');

/** SQLite by default; in the PostgreSQL pass (`ATS_TEST_DATABASE=postgresql`) a database on the run's server. */
const DIALECT = process.env.ATS_TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';

/**
 * `npm run dev` end to end: the runner (as built by `npm test`) starts its own Temporal dev server
 * with the Web UI and its own Redis on free ports, migrates, seeds, runs api + worker + notifier,
 * answers /readyz with all three checks, holds the contract (the original design's requests, an
 * application's whole lifecycle, schemathesis) and stops everything on SIGINT. The same file runs on
 * SQLite and, given `DATABASE_URL=postgresql://…`, on PostgreSQL.
 */
describe(`npm run dev on ${DIALECT}`, () => {
  let child: ChildProcess;
  let output = '';
  let dir: string;
  let database: ReturnType<typeof testDatabase>;
  let originalDesign: OriginalDesignRun;
  let ports: DevPorts;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-dev-'));
    database = testDatabase(dir);
    ports = await freeDevPorts();
    // Exactly as the README says: `npm run dev` in the checkout. Its state goes to this test's folder.
    child = spawn('npm', ['run', '--silent', 'dev'], {
      cwd: ROOT,
      env: devEnv(dir, ports, {
        DATABASE_URL: database.url,
        TEMPORAL_TASK_QUEUE: 'applications-dev-e2e',
        ADMIN_EMAIL: 'admin@example.com',
        ADMIN_PASSWORD: 'admin-password-1',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own, as a terminal gives it: Ctrl-C (SIGINT) goes to npm and the runner alike.
      detached: true,
    });
    child.stdout!.on('data', (d) => {
      output += d;
    });
    child.stderr!.on('data', (d) => {
      output += d;
    });
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('brings the system up: readyz 200 with the database, Redis and Temporal; the Web UI answers', async () => {
    const deadline = Date.now() + 120_000;
    let ready: { status: number; body: any } | undefined;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const res = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
        ready = { status: res.status, body: await res.json() };
        if (res.status === 200) break;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (ready?.status !== 200) throw new Error(`not ready: ${JSON.stringify(ready)}\n${output}`);
    // The database check keeps its original name, `sqlite`, whichever database answers it.
    expect(ready.body.checks).toEqual({ sqlite: 'ok', redis: 'ok', temporal: 'ok' });
    if (DIALECT === 'postgresql') expect(output).toContain(`using PostgreSQL at ${database.url}`);
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
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password-1' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const jobs = (await (
      await fetch(`http://127.0.0.1:${ports.api}/api/jobs`, { headers: { Authorization: `Bearer ${accessToken}` } })
    ).json()) as { items: { title: string }[] };
    expect(jobs.items.map((j: { title: string }) => j.title).sort()).toEqual(['Backend Developer', 'Data Analyst', 'Frontend Engineer']);
  });

  test('the web app at /app in Chromium: the job board lists the sample jobs, the demo candidate signs in and applies', async () => {
    const api = `http://localhost:${ports.api}`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(err.message));
      await page.goto(`${api}/app`);
      await page.getByRole('heading', { name: 'Open jobs' }).waitFor();
      for (const title of ['Backend Developer', 'Data Analyst', 'Frontend Engineer'])
        await page.getByRole('link', { name: title }).waitFor();

      await signIn(page, api, DEMO_CANDIDATE.email, DEMO_CANDIDATE.password);
      await page.goto(`${api}/app`);
      await page.getByRole('link', { name: 'Data Analyst' }).click();
      await page.getByRole('heading', { name: 'Data Analyst' }).waitFor();
      await page.getByLabel('Cover letter').fill('Numbers tell stories.');
      await page.getByRole('button', { name: 'Send application' }).click();
      await page.getByRole('heading', { name: 'My applications' }).waitFor();
      await expect(page.locator('.card', { hasText: 'Data Analyst' }).getByTestId('stage').innerText()).resolves.toBe('applied');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);

  test("the original design's client requests, verbatim but for the token and ids, all succeed on the fresh database", async () => {
    originalDesign = await sendOriginalDesignRequests(`http://127.0.0.1:${ports.api}`, DEMO_RECRUITER);
  }, 60_000);

  test("an application's lifecycle to hired: the API, the projection in the configured database and the mails agree", async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    const { applicationId, recruiterToken } = originalDesign;
    for (const stage of ['interview', 'offer', 'hired']) {
      const res = await fetch(`${api}/api/applications/${applicationId}/stage`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${recruiterToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ stage }),
      });
      expect([stage, res.status]).toEqual([stage, 200]);
    }
    const read = (await (
      await fetch(`${api}/api/applications/${applicationId}`, { headers: { Authorization: `Bearer ${recruiterToken}` } })
    ).json()) as { stage: string; history: { from: string | null; to: string }[] };
    expect(read.stage).toBe('hired');
    expect(read.history.map((h) => `${h.from}>${h.to}`)).toEqual([
      'null>applied',
      'applied>screening',
      'screening>interview',
      'interview>offer',
      'offer>hired',
    ]);

    // Straight from the database the runner was given: the processes wrote there, not to a file of their own.
    const orm = await openOrm({ dialect: DIALECT, url: database.url });
    try {
      const sql = orm.em.getConnection();
      const [row] = await sql.execute<{ stage: string }[]>('select stage from applications where id = ?', [applicationId], 'all');
      expect(row?.stage).toBe('hired');
      const events = await sql.execute<{ to_stage: string }[]>(
        'select to_stage from stage_events where application_id = ? order by seq',
        [applicationId],
        'all',
      );
      expect(events.map((e) => e.to_stage)).toEqual(['applied', 'screening', 'interview', 'offer', 'hired']);
      // Every notification the lifecycle queued was sent by the notifier and recorded as sent.
      const deadline = Date.now() + 30_000;
      let outbox: { status: string }[] = [];
      while (Date.now() < deadline) {
        outbox = await sql.execute<{ status: string }[]>(
          'select status from notification_outbox where subject = ?',
          [applicationId],
          'all',
        );
        if (outbox.length && outbox.every((r) => r.status === 'sent')) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(outbox.length).toBeGreaterThan(0);
      expect(outbox.filter((r) => r.status !== 'sent')).toEqual([]);
      expect(fs.readdirSync(path.join(dir, 'var', 'outbox')).filter((f) => f.endsWith('.eml')).length).toBeGreaterThanOrEqual(
        outbox.length,
      );
    } finally {
      await orm.close();
    }
  }, 60_000);

  test('schemathesis finds no failure as a signed-up candidate', async () => {
    const result = await runSchemathesis(`http://127.0.0.1:${ports.api}/openapi.json`, [
      '-H',
      `Authorization: Bearer ${originalDesign.candidateToken}`,
    ]);
    if (result.code !== 0) console.log(`schemathesis as a candidate (exit ${result.code}):\n${result.output}`);
    expect(result.code).toBe(0);
  }, 300_000);

  test('schemathesis finds no failure as the sample recruiter', async () => {
    const result = await runSchemathesis(`http://127.0.0.1:${ports.api}/openapi.json`, [
      '-H',
      `Authorization: Bearer ${originalDesign.recruiterToken}`,
    ]);
    if (result.code !== 0) console.log(`schemathesis as a recruiter (exit ${result.code}):\n${result.output}`);
    expect(result.code).toBe(0);
  }, 300_000);

  test('with Redis gone, SIGINT still stops every process and engine within 10 s', async () => {
    // The notifier's queue and the worker's enqueueing wait on Redis; Ctrl-C must not.
    const redis = new Redis(ports.redis, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    redis.disconnect();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await portAnswers(ports.redis)).toBe(false);
    const began = Date.now();
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
    process.kill(-child.pid!, 'SIGINT');
    // npm, Ctrl-C'd with its script, ends by the same signal once the script has exited; an error is a code.
    expect(['code 0', 'SIGINT']).toContain(await exited);
    expect(Date.now() - began).toBeLessThan(10_000);
    for (const port of [ports.api, ports.temporal, ports.redis]) expect(await portAnswers(port)).toBe(false);
  }, 60_000);
});
