import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { Worker, bundleWorkflowCode, NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKER_TUNING } from '../../src/temporal/worker';
import { dataConverterFor } from '../../src/temporal/data-converter';
import { startStack, testEnv, type TestStack } from '../support/stack';
import { freePort } from '../../src/dev/engines';
import { bareWorkflow, pingUpdate } from '../support/bare-workflows';

/**
 * Measures the targets beside raw baselines on the same machine and prints a table. Run with
 * `npm run bench`; never part of `npm test` (timings are not assertions).
 */
const N = Number(process.env.BENCH_N ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LIST_ROWS = Number(process.env.BENCH_LIST_ROWS ?? 100_000);
const results: Record<string, string> = {};

async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
  return count / ((performance.now() - started) / 1000);
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

const percentile = (samples: number[], p: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];

describe('performance against raw baselines', () => {
  let stack: TestStack;
  let bare: Worker;
  let bareRun: Promise<void>;
  let bareQueue: string;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never });
    stack = await startStack({}, { worker: { workflowBundle: bundle } });
    bareQueue = `bare-${randomUUID().slice(0, 8)}`;
    bare = await Worker.create({
      connection: await NativeConnection.connect({ address: stack.config.temporal.address }),
      taskQueue: bareQueue,
      // Polled like the application worker and signing like it, so only the workflows differ.
      ...WORKER_TUNING,
      dataConverter: dataConverterFor(stack.config.auth),
      workflowsPath: require.resolve('../support/bare-workflows'),
    });
    bareRun = bare.run();
  }, 120_000);

  afterAll(async () => {
    bare.shutdown();
    await bareRun;
    await bare.connection?.close();
    await stack.close();
    console.log(['', 'benchmark results', ...Object.entries(results).map(([k, v]) => `  ${k.padEnd(48)} ${v}`), ''].join('\n'));
  });

  test('apply throughput vs bare update-with-start', async () => {
    const client = stack.services.temporal;
    const bareRate = await pool(N, CONCURRENCY, async (i) => {
      const op = new WithStartWorkflowOperation(bareWorkflow, { workflowId: `bare-${randomUUID()}-${i}`, taskQueue: bareQueue, workflowIdConflictPolicy: 'FAIL' });
      await client.workflow.executeUpdateWithStart(pingUpdate, { startWorkflowOperation: op });
    });
    const recruiter = await stack.user('recruiter');
    const job = (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Bench', company: 'Bench' } })).body;
    const candidates = await Promise.all(Array.from({ length: N }, () => stack.user('candidate')));
    const applyRate = await pool(N, CONCURRENCY, async (i) => {
      const res = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidates[i].token, body: {} });
      if (res.status !== 201) throw new Error(`apply answered ${res.status}`);
    });
    results['bare update-with-start (ops/s)'] = bareRate.toFixed(1);
    results['POST apply (ops/s)'] = `${applyRate.toFixed(1)} (${((applyRate / bareRate) * 100).toFixed(0)}% of bare; target >= 70%)`;
    expect(applyRate).toBeGreaterThan(0);
  }, 600_000);

  test('stage change p50 vs bare update', async () => {
    const client = stack.services.temporal;
    const handle = await client.workflow.start(bareWorkflow, { workflowId: `bare-latency-${randomUUID()}`, taskQueue: bareQueue });
    const bareSamples: number[] = [];
    for (let i = 0; i < 200; i++) bareSamples.push(await timed(() => handle.executeUpdate(pingUpdate)));
    await handle.terminate('benchmark done');

    const recruiter = await stack.user('recruiter');
    const job = (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Latency', company: 'Bench' } })).body;
    const samples: number[] = [];
    // Stage changes go round the applications, as a recruiter's do: each application's previous
    // transition has been recorded before its next one arrives. Back-to-back changes of one
    // application are measured too, since they queue behind that recording.
    const apps: string[] = [];
    for (let a = 0; a < 50; a++) {
      const candidate = await stack.user('candidate');
      apps.push((await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} })).body.id);
    }
    const patch = (id: string, stage: string) => timed(async () => {
      const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
      if (res.status !== 200) throw new Error(`stage change answered ${res.status}`);
    });
    for (const stage of ['screening', 'interview', 'offer', 'hired']) {
      for (const id of apps) samples.push(await patch(id, stage));
    }
    const backToBack: number[] = [];
    for (let a = 0; a < 10; a++) {
      const candidate = await stack.user('candidate');
      const id = (await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} })).body.id;
      for (const stage of ['screening', 'interview', 'offer', 'hired']) backToBack.push(await patch(id, stage));
    }
    results['PATCH stage back to back, one application, p50 (ms)'] = percentile(backToBack, 50).toFixed(2);
    const [bareP50, p50] = [percentile(bareSamples, 50), percentile(samples, 50)];
    results['bare update p50 (ms)'] = bareP50.toFixed(2);
    results['PATCH stage p50 (ms)'] = `${p50.toFixed(2)} (${(p50 / bareP50).toFixed(2)}x bare; target <= 1.3x)`;
    results['PATCH stage p99 (ms)'] = percentile(samples, 99).toFixed(2);
    expect(samples.length).toBe(200);
  }, 600_000);

  test(`list p99 at ${LIST_ROWS} applications vs the same SQL, and API RSS`, async () => {
    const em = stack.services.orm.em.fork();
    const conn = em.getConnection();
    const recruiter = await stack.user('recruiter');
    const jobs = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: `List ${i}`, company: 'Bench' } })).body.id as string));
    const candidate = await stack.user('candidate');
    const stages = ['applied', 'screening', 'interview', 'offer', 'hired', 'rejected'];
    await conn.execute('begin');
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < LIST_ROWS; i++) {
      const jobId = jobs[i % jobs.length];
      const id = `application-job${jobId}-candidate${Number(candidate.user.id) + 1 + i}`;
      const at = new Date(base + i * 1000).toISOString();
      await conn.execute('insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values (?, ?, ?, ?, 2, ?, ?)', [id, jobId, candidate.user.id, stages[i % stages.length], at, at]);
      await conn.execute('insert into stage_events (application_id, seq, from_stage, to_stage, at, actor) values (?, 1, null, ?, ?, ?), (?, 2, ?, ?, ?, ?)', [id, 'applied', at, String(candidate.user.id), id, 'applied', stages[i % stages.length], at, String(recruiter.user.id)]);
    }
    await conn.execute('commit');
    await conn.execute('analyze');

    // The API as ops run it: its own process, against the same database file.
    const port = await freePort();
    const env = { ...process.env, ...testEnv(stack.dir), DATABASE_URL: stack.config.database.url, PORT: String(port), NODE_OPTIONS: '' };
    const raw = new Database(stack.config.database.file, { readonly: true });
    const api = spawn(process.execPath, [...(process.env.BENCH_API_FLAGS ?? '--max-semi-space-size=4').split(' ').filter(Boolean), path.resolve(__dirname, '../../dist/src/main/api.js')], { env, stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const variants = [['all', ''], ['by stage', '&stage=interview'], ['by job', `&jobId=${jobs[7]}`]] as const;
      for (const [label, query] of variants) {
        const http: number[] = [];
        for (let i = 0; i < 300; i++) {
          http.push(await timed(async () => {
            const res = await fetch(`${url}/api/applications?limit=20${query}`, { headers: { Authorization: `Bearer ${recruiter.token}` } });
            if (res.status !== 200) throw new Error(`list answered ${res.status}`);
            await res.json();
          }));
        }
        const where = label === 'by stage' ? "where stage = 'interview'" : label === 'by job' ? `where job_id = ${jobs[7]}` : '';
        // The raw baseline: the same two statements through better-sqlite3, no ORM, no HTTP.
        const sql: number[] = [];
        const page = raw.prepare(`select * from applications ${where} order by created_at desc, id desc limit 21`);
        for (let i = 0; i < 300; i++) {
          sql.push(await timed(async () => {
            const rows = page.all() as { id: string }[];
            raw.prepare(`select * from stage_events where application_id in (${rows.map(() => '?').join(',')}) order by application_id, seq`).all(...rows.map((r) => r.id));
          }));
        }
        results[`GET list ${label} p99 (ms)`] = `${percentile(http, 99).toFixed(2)} (direct SQL p99 ${percentile(sql, 99).toFixed(2)}; ${(percentile(http, 99) / percentile(sql, 99)).toFixed(2)}x; target <= 2x, < 20 ms)`;
      }
      const rss = Number((await import('node:fs')).readFileSync(`/proc/${api.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)![1]) / 1024;
      results['API process RSS after the list load (MB)'] = `${rss.toFixed(0)} (target < 200)`;
      expect(rss).toBeGreaterThan(0);
    } finally {
      api.kill('SIGTERM');
      raw.close();
    }
  }, 900_000);
});
