import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { chromium } from 'playwright-core';
import { startCluster, type Cluster } from './support/cluster';
import { LoadClient } from './support/load';
import { burst, Ledger, type Actor, type PhaseFigures } from './support/ledger';
import { compareProjection, countMails, expectedMailKeys, queryState, sqlApplicationIds } from './support/verify';

/**
 * The production topology under faults: 2 API, 2 worker and 2 notifier processes on a full Temporal
 * server (PostgreSQL), Redis with AOF and one shared projection. Load alternates between the APIs;
 * after each fault, everything accepted is in SQL and in its workflow exactly once, SQL equals each
 * workflow's state query, and every notification is delivered exactly once.
 */
const PER_BURST = Number(process.env.ATS_CLUSTER_BURST ?? 12);

describe('the cluster under faults', () => {
  let cluster: Cluster;
  let http: LoadClient;
  const ledger = new Ledger();
  let recruiter: Actor;
  let jobId: number;
  let startupMs: number;
  let nextCandidate = 0;

  beforeAll(async () => {
    const t0 = Date.now();
    cluster = await startCluster();
    startupMs = Date.now() - t0;
    http = new LoadClient(cluster.apiUrls);
    const admin = await login(cluster.admin.email, cluster.admin.password);
    const email = 'recruiter@cluster.test';
    const created = await http.request('POST', '/api/users', {
      token: admin.token,
      body: { email, password: 'recruiter-password', role: 'recruiter', fullName: 'Cluster Recruiter' },
    });
    expect(created.status).toBe(201);
    recruiter = await login(email, 'recruiter-password');
    const job = await http.request('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Site Reliability Engineer', company: 'ClusterCorp', location: 'Remote' },
    });
    expect(job.status).toBe(201);
    jobId = job.body.id;
  }, 600_000);

  afterAll(async () => {
    if (ledger.figures.length) {
      process.stdout.write(`\ncluster figures (startup ${startupMs} ms):\n${ledger.figures.map((f) => JSON.stringify(f)).join('\n')}\n`);
    }
    await cluster?.close();
  }, 120_000);

  async function login(email: string, password: string): Promise<Actor> {
    const res = await http.request('POST', '/api/auth/login', { body: { email, password } });
    expect(res.status).toBe(200);
    const me = await http.request('GET', '/api/auth/me', { token: res.body.access_token });
    expect(me.status).toBe(200);
    return { id: me.body.user.id, token: res.body.access_token };
  }

  async function candidates(n: number): Promise<Actor[]> {
    return Promise.all(
      Array.from({ length: n }, async () => {
        const email = `candidate-${++nextCandidate}@cluster.test`;
        const signup = await http.request('POST', '/api/auth/signup', {
          body: { email, password: 'candidate-password', fullName: `Candidate ${nextCandidate}` },
        });
        expect(signup.status).toBe(201);
        return login(email, 'candidate-password');
      }),
    );
  }

  function run(
    phase: string,
    actors: Actor[],
    fault?: { after: number; inject(): Promise<Record<string, unknown> | void> },
  ): Promise<PhaseFigures> {
    return burst({
      phase,
      http,
      ledger,
      jobId,
      recruiter,
      candidates: actors,
      fault,
      currentStage: async (id) => (await queryState(cluster, id)).stage,
    });
  }

  /** A queue handle of the test's own, to count what waits in Redis (BullMQ owns and closes its connection). */
  function notificationQueue(): Queue {
    const { hostname, port } = new URL(cluster.redis.url);
    return new Queue(cluster.config.notifier.queueName, { connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null } });
  }

  /** Nothing lost, nothing doubled, SQL equal to every workflow, every mail once. */
  async function expectConsistent(): Promise<void> {
    expect(ledger.unexpected).toEqual([]);
    expect(await compareProjection(cluster, ledger)).toEqual([]);
    expect(await sqlApplicationIds(cluster, jobId)).toEqual([...ledger.applications.keys()].sort());
    const mails = await countMails(cluster.smtp, expectedMailKeys(ledger, recruiter.id));
    expect({ missing: mails.missing, doubled: mails.doubled, unexpected: mails.unexpected }).toEqual({
      missing: [],
      doubled: [],
      unexpected: [],
    });
    expect(mails.received).toBe(mails.expected);
  }

  test('a worker SIGKILLed mid-burst: the other takes over, a replacement joins', async () => {
    const actors = await candidates(PER_BURST);
    const figures = await run('worker-kill', actors, {
      after: PER_BURST,
      async inject() {
        const killed = cluster.workers[0].stop('SIGKILL');
        await killed;
        const t0 = Date.now();
        await cluster.workers[0].start();
        return { replacementStartMs: Date.now() - t0 };
      },
    });
    expect(figures.notes.faultAfterMs).toBeDefined();
    expect(figures.accepted).toBe(PER_BURST * 5);
    await expectConsistent();
  });

  test('the Web UI server, pointed at the full server, serves an application workflow and shows its history', async () => {
    const [id] = [...ledger.applications.keys()];
    const read = await http.request('GET', `/api/applications/${id}`, { token: recruiter.token });
    expect(read.status).toBe(200);
    // The application's link opens the workflow's page in this UI.
    expect(read.body.workflowUrl.startsWith(`${cluster.ui.url}/namespaces/default/workflows/`)).toBe(true);
    const page = await fetch(read.body.workflowUrl);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    // The page's data: the UI server's API reads the history from the frontend over gRPC.
    const res = await fetch(`${cluster.ui.url}/api/v1/namespaces/default/workflows/${encodeURIComponent(read.body.workflowId)}/history`);
    const history = await res.text();
    expect(res.status).toBe(200);
    const types = [...history.matchAll(/"eventType":\s*"([A-Za-z_]+)"/g)].map((m) => m[1]);
    expect(types[0]).toMatch(/WORKFLOW_EXECUTION_STARTED|WorkflowExecutionStarted/);
    expect(history).toContain('applicationWorkflow');
    // One accepted update per request the ledger saw succeed: the apply and every stage change.
    const accepted = types.filter((t) => /UPDATE_ACCEPTED|UpdateAccepted/.test(t)).length;
    expect(accepted).toBe(read.body.history.length);

    // And in a browser (Debian's Chromium, headless): the page renders the workflow and those updates.
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const tab = await browser.newPage();
      await tab.goto(read.body.workflowUrl);
      await tab.getByRole('heading', { name: read.body.workflowId }).waitFor({ timeout: 30_000 });
      await tab.getByText('Workflow Execution Update Accepted').first().waitFor({ timeout: 30_000 });
      expect((await tab.locator('body').innerText()).match(/Workflow Execution Update Accepted/g)).toHaveLength(accepted);
    } finally {
      await browser.close();
    }
  }, 120_000);

  test('the Temporal server restarted mid-burst on the same PostgreSQL', async () => {
    const actors = await candidates(PER_BURST);
    const figures = await run('temporal-restart', actors, {
      after: PER_BURST,
      async inject() {
        const { downMs } = await cluster.temporal.restart();
        return { temporalDownMs: downMs };
      },
    });
    expect(figures.notes.temporalDownMs).toBeDefined();
    // The burst was still running when the server came back: requests spanned the outage.
    expect(figures.ms).toBeGreaterThan((figures.notes.faultAfterMs as number) + (figures.notes.temporalDownMs as number));
    expect(figures.accepted).toBe(PER_BURST * 5);
    await expectConsistent();
  });

  test('an API process SIGKILLed under load: in-flight requests are retried on the other', async () => {
    const actors = await candidates(PER_BURST);
    const figures = await run('api-kill', actors, {
      after: PER_BURST,
      async inject() {
        await cluster.apis[0].stop('SIGKILL');
        await new Promise((r) => setTimeout(r, 2000));
        const t0 = Date.now();
        await cluster.apis[0].start();
        return { apiRestartMs: Date.now() - t0 };
      },
    });
    expect(figures.notes.apiRestartMs).toBeDefined();
    expect(figures.accepted).toBe(PER_BURST * 5);
    await expectConsistent();
  });

  // SIGTERM and SIGKILL keep the queued jobs (AOF); an empty restart loses them all, and the notifiers'
  // outbox sweep finds each in SQL and queues it again.
  const restarts = [
    {
      signal: 'SIGTERM',
      empty: false,
      name: 'redis-sigterm',
      title: 'Redis restarted (SIGTERM) with notifications queued: each is delivered once',
    },
    {
      signal: 'SIGKILL',
      empty: false,
      name: 'redis-sigkill',
      title: 'Redis restarted (SIGKILL) with notifications queued: each is delivered once',
    },
    {
      signal: 'SIGKILL',
      empty: true,
      name: 'redis-empty',
      title: 'Redis back empty (its data lost) with notifications queued: the outbox sweep queues each again, delivered once',
    },
  ] as const;
  for (const { signal, empty, name, title } of restarts) {
    test(title, async () => {
      const actors = await candidates(PER_BURST);
      const stopped = await Promise.all(cluster.notifiers.map((n) => n.stop('SIGTERM')));
      const queue = notificationQueue();
      try {
        const figures = await run(name, actors);
        expect(figures.accepted).toBe(PER_BURST * 5);
        // Every mail of this burst is a job waiting in Redis before the restart.
        const want = expectedMailKeys(ledger, recruiter.id, (phase) => phase === figures.phase).size;
        const t0 = Date.now();
        let waiting = 0;
        while ((waiting = await queue.getWaitingCount()) < want && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 200));
        expect(waiting).toBe(want);
        // appendfsync everysec: a job is on disk at most a second after it was written.
        await new Promise((r) => setTimeout(r, 1500));
        await queue.close();
        const { downMs } = await cluster.redis.restart(signal, { empty });
        const restarted = notificationQueue();
        const afterRestart = await restarted.getWaitingCount();
        await restarted.close();
        Object.assign(figures.notes, { queued: waiting, queuedAfterRestart: afterRestart, redisDownMs: downMs });
        expect(afterRestart).toBe(empty ? 0 : want);
        const t1 = Date.now();
        await Promise.all(cluster.notifiers.map((n) => n.start()));
        const mails = await countMails(cluster.smtp, expectedMailKeys(ledger, recruiter.id));
        Object.assign(figures.notes, {
          deliveredInMs: Date.now() - t1,
          notifierExitMs: stopped.map((s) => s.exitMs),
          lost: mails.missing.length,
        });
        expect(stopped.every((s) => s.code === 0 && s.exitMs < 10_000)).toBe(true);
        await expectConsistent();
      } finally {
        await queue.close().catch(() => undefined);
        await Promise.all(cluster.notifiers.filter((n) => !n.running()).map((n) => n.start()));
      }
    });
  }

  /** How many notification jobs the notifiers' outbox sweeps have queued again so far (from their logs). */
  function requeuedBySweep(): number {
    return cluster.notifiers.reduce((sum, n) => {
      const file = path.join(cluster.dir, 'logs', `${n.name}.log`);
      const log = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      return sum + [...log.matchAll(/"requeued":(\d+)/g)].reduce((s2, m) => s2 + Number(m[1]), 0);
    }, 0);
  }

  // Last of the faults: Redis SIGKILLed while the notifiers deliver, restarted on its append-only file
  // (AOF everysec may lose the final second of writes) or empty (every job, waiting or in delivery,
  // gone). The outbox sweep queues again what Redis lost, and a job that comes back after its mail
  // went out is not sent again. Nothing lost, nothing doubled.
  for (const empty of [false, true]) {
    test(`Redis SIGKILLed mid-burst while notifiers deliver${empty ? ', back empty' : ''}: every notification delivered exactly once`, async () => {
      const actors = await candidates(PER_BURST);
      const requeuedBefore = requeuedBySweep();
      const figures = await run(empty ? 'redis-empty-mid-burst' : 'redis-sigkill-mid-burst', actors, {
        after: PER_BURST * 2,
        async inject() {
          const { downMs } = await cluster.redis.restart('SIGKILL', { empty });
          return { redisDownMs: downMs };
        },
      });
      expect(figures.notes.redisDownMs).toBeDefined();
      expect(figures.accepted).toBe(PER_BURST * 5);
      const t0 = Date.now();
      const mails = await countMails(cluster.smtp, expectedMailKeys(ledger, recruiter.id));
      Object.assign(figures.notes, {
        mailsExpected: mails.expected,
        mailsReceived: mails.received,
        lost: mails.missing.length,
        doubled: mails.doubled.length,
        allDeliveredAfterMs: Date.now() - t0,
        requeuedBySweep: requeuedBySweep() - requeuedBefore,
      });
      await expectConsistent();
    });
  }

  test('every process exits cleanly within 10 s of SIGTERM', async () => {
    const exits = await Promise.all(
      [...cluster.apis, ...cluster.workers, ...cluster.notifiers].map(async (p) => ({ name: p.name, ...(await p.stop('SIGTERM')) })),
    );
    process.stdout.write(`SIGTERM exits: ${JSON.stringify(exits)}\n`);
    for (const e of exits) expect({ name: e.name, code: e.code, fast: e.exitMs < 10_000 }).toEqual({ name: e.name, code: 0, fast: true });
  });
});
