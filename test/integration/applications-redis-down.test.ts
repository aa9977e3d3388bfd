import path from 'node:path';
import net from 'node:net';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { enginePaths, freePort, startRedis, type Engine } from '../../src/dev/engines';
import type { NotificationJobData } from '../../src/notifications/notification-queue';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually, expectSqlMatchesWorkflow } from '../support/applications';

/**
 * Notifications leave through their own activity loop: with Redis down, applications still move
 * (and SQL follows); once Redis is back, the waiting notifications are enqueued.
 */
describe('applications while Redis is down', () => {
  let stack: TestStack;
  let redis: Engine | undefined;
  let redisUrl: string;
  let redisPort: number;

  beforeAll(async () => {
    redisPort = await freePort();
    redisUrl = `redis://127.0.0.1:${redisPort}/0`;
    // Nothing listens on the port yet.
    stack = await startStack({ REDIS_URL: redisUrl }, { worker: { workflowBundle: await bundleWorkflows() } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  test('transitions succeed without Redis; their notifications arrive once it is back', async () => {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const job = await createJob(stack, recruiter.user.id);
    const applied = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    expect(applied.status).toBe(201);
    const id = applied.body.id;
    for (const stage of ['screening', 'interview']) {
      const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
      expect(res.status).toBe(200);
    }
    await expectSqlMatchesWorkflow(stack, id);

    redis = await startRedis({
      server: enginePaths(path.resolve(__dirname, '../..')).redis,
      port: redisPort,
      dir: path.join(stack.dir, 'redis'),
      logFile: path.join(stack.dir, 'redis.log'),
    });
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue<NotificationJobData>(stack.config.notifier.queueName, { connection });
    try {
      const kinds = await eventually(
        async () => {
          const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
          const mine = jobs
            .filter((j) => j.data.applicationId === id)
            .map((j) => `${j.data.seq}:${j.name}:${j.data.audience}`)
            .sort();
          return mine.length >= 4 ? mine : undefined;
        },
        45_000,
        'the notifications after Redis came back',
      );
      // Each transition's notifications exactly once: the receipt to both sides, then two moves to the candidate.
      expect(kinds).toEqual([
        '1:application_received:candidate',
        '1:application_received:recruiter',
        '2:stage_changed:candidate',
        '3:stage_changed:candidate',
      ]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }, 90_000);
});

/**
 * A request answers once its transition is durable: the outbox rows and the webhooks' delivery rows
 * commit with the projection, so handing their jobs to Redis never holds the answer. A Redis that
 * accepts connections and never answers (a hung server, a black-holed network) used to hold every
 * request for the enqueue's whole timeout (1 s), and a request with webhook subscribers for the
 * webhook queue's too (3 s).
 */
describe('applications while Redis hangs', () => {
  let stack: TestStack;
  let hung: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    hung = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as net.AddressInfo;
    stack = await startStack({ REDIS_URL: `redis://127.0.0.1:${port}/0` }, { worker: { workflowBundle: await bundleWorkflows() } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => hung?.close(resolve));
  });

  test('an apply and its stage changes answer without waiting for Redis, their notifications and webhooks kept in SQL', async () => {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const admin = await stack.user('admin');
    const subscribed = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: 'https://example.com/hook', events: ['application.created', 'application.stage_changed'] },
    });
    expect(subscribed.status).toBe(201);
    const job = await createJob(stack, recruiter.user.id);
    const timed = async (call: () => Promise<{ status: number; body: any }>) => {
      const started = performance.now();
      const res = await call();
      return { ...res, ms: performance.now() - started };
    };
    const applied = await timed(() => stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} }));
    expect(applied.status).toBe(201);
    const moves = [];
    for (const stage of ['screening', 'interview'])
      moves.push(
        await timed(() => stack.http('PATCH', `/api/applications/${applied.body.id}/stage`, { token: recruiter.token, body: { stage } })),
      );
    expect(moves.map((m) => m.status)).toEqual([200, 200]);
    // Waiting on the queue took the enqueue's whole timeout, 1,000 ms, per request.
    expect(Math.max(applied.ms, ...moves.map((m) => m.ms))).toBeLessThan(1_000);
    await expectSqlMatchesWorkflow(stack, applied.body.id);
    const outbox = await stack.services.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>(`select count(*) as n from notification_outbox where status = 'pending'`);
    // The receipt to both sides and one move each to the candidate, kept for the notifier's sweep.
    expect(outbox[0].n).toBe(4);
    const deliveries = await stack.services.orm.em
      .fork()
      .getConnection()
      .execute<{ event: string }[]>(`select event from webhook_deliveries where status = 'pending' order by event`);
    // One delivery per event, pending for the notifier's webhook sweep.
    expect(deliveries.map((d) => d.event)).toEqual(['application.created', 'application.stage_changed', 'application.stage_changed']);
  }, 60_000);
});
