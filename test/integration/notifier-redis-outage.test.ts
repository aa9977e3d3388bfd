import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { insertJob, notificationEvent, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { freePort, startRedis, type Engine } from '../../src/dev/engines';
import { applicationWorkflowId } from '../../src/domain/ids';

/**
 * Redis goes away mid-way, on a private redis-server this test stops and starts again. Enqueueing
 * fails fast while it is down (the activity fails and Temporal retries it); once it is back the retry
 * succeeds, the notifier reconnects by itself, and every message arrives exactly once.
 */
describe('notifications across a Redis outage', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let harness: NotifierHarness;
  let redis: Engine;
  let dir: string;
  let port: number;
  const startPrivateRedis = () =>
    startRedis({ server: process.env.REDIS_SERVER ?? 'redis-server', port, dir, logFile: path.join(dir, 'redis.log') });

  beforeAll(async () => {
    stack = await startStack();
    sink = await startSmtpSink();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-redis-outage-'));
    port = await freePort();
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await harness?.close();
    await redis?.stop();
    await sink.close();
    await stack.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an enqueue during the outage fails, its retry afterwards delivers once, nothing is sent twice', async () => {
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: `redis://127.0.0.1:${port}/0`,
      queueName: stack.config.notifier.queueName,
      smtpUrl: sink.url,
    });
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'SRE', company: 'Initech' }));
    const base = { applicationId: applicationWorkflowId(jobId, String(candidate.user.id)), jobId, candidateId: String(candidate.user.id) };
    const received = notificationEvent({ ...base, kind: 'application_received', seq: 1, to: 'applied' });
    const screening = notificationEvent({ ...base, kind: 'stage_changed', seq: 2, from: 'applied', to: 'screening' });
    const interview = notificationEvent({ ...base, kind: 'stage_changed', seq: 3, from: 'screening', to: 'interview' });

    await harness.startWorker();
    expect(await harness.activities.enqueueNotifications(received)).toBe(2);
    await sink.waitFor(2);
    await harness.waitForIdle();

    // A production Redis persists (AOF or RDB); this one is told to snapshot before it goes.
    await harness.producerRedis.save();
    await redis.stop();
    const started = Date.now();
    await expect(harness.activities.enqueueNotifications(screening)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);

    redis = await startPrivateRedis();
    // Temporal retries the failed activity; a stale retry of an earlier one finds its jobs done.
    expect(await harness.activities.enqueueNotifications(screening)).toBe(1);
    expect(await harness.activities.enqueueNotifications(received)).toBe(0);
    expect(await harness.activities.enqueueNotifications(interview)).toBe(1);

    await sink.waitFor(4, { timeoutMs: 30_000 });
    await harness.waitForIdle(30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.messages).toHaveLength(4);
    expect(new Set(sink.messages.map((m) => m.notificationId)).size).toBe(4);
    const toCandidate = sink.messages.filter((m) => m.envelopeTo[0] === candidate.user.email).map((m) => m.subject);
    expect(toCandidate.sort()).toEqual([
      'We received your application for SRE at Initech',
      'Your application for SRE at Initech moved to Interview',
      'Your application for SRE at Initech moved to Screening',
    ]);
  });
});
