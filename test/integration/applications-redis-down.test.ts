import path from 'node:path';
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
