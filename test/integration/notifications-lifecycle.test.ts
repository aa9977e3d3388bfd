import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink';
import { insertJob, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { bundleWorkflows, eventually } from '../support/applications';
import { freePort, startRedis, type Engine } from '../../src/dev/engines';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * The whole path: REST calls → the application workflow → the enqueue activity → BullMQ → the
 * notifier → a real SMTP server. A hire produces exactly six e-mails, once each, also when Redis is
 * gone while the recruiter moves the application.
 */
describe('notifications through the application lifecycle', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let sink: SmtpSink;
  let stack: TestStack | undefined;
  let harness: NotifierHarness | undefined;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    sink = await startSmtpSink();
  }, 60_000);
  afterAll(async () => {
    await sink.close();
  });
  afterEach(async () => {
    await harness?.close();
    await stack?.close();
    harness = undefined;
    stack = undefined;
    sink.messages.length = 0;
  });

  async function setUp(env: Record<string, string> = {}, sweep?: { intervalMs: number; graceMs: number }) {
    stack = await startStack(env, { worker: { workflowBundle: bundle } });
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName: stack.config.notifier.queueName,
      smtpUrl: sink.url,
      sweep,
    });
    await harness.startWorker();
    const recruiter = await stack.user('recruiter', { fullName: 'Rita Recruiter' });
    const candidate = await stack.user('candidate', { fullName: 'Carl Candidate' });
    const jobId = await insertJob(stack.services.orm, recruiter.user.id, { title: 'Backend Developer', company: 'TechCorp' });
    return { s: stack, recruiter, candidate, jobId };
  }

  async function apply(s: TestStack, candidate: Actor, jobId: number): Promise<string> {
    const res = await s.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function move(s: TestStack, recruiter: Actor, id: string, stage: string): Promise<number> {
    const started = Date.now();
    const res = await s.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
    expect({ status: res.status, stage: res.body.stage }).toEqual({ status: 200, stage });
    return Date.now() - started;
  }

  /** The workflow completes only once its outbox is drained: after that, nothing more is enqueued. */
  async function settled(s: TestStack, id: string, expected: number): Promise<ReceivedMail[]> {
    await eventually(
      async () => ((await s.services.temporal.workflow.getHandle(id).describe()).status.name === 'COMPLETED' ? true : undefined),
      45_000,
      `${id} to complete`,
    );
    await sink.waitFor(expected, { timeoutMs: 30_000 });
    await harness!.waitForIdle(30_000);
    await new Promise((r) => setTimeout(r, 500));
    return sink.messages;
  }

  /** `seq.kind → recipient` for every message, sorted: what arrived, ignoring delivery order. */
  function summary(messages: ReceivedMail[], id: string, names: Record<string, string>): string[] {
    return messages
      .map((m) => {
        const [seq, kind] = m.notificationId.slice(id.length + 1).split('.');
        return `${seq} ${kind} → ${names[m.envelopeTo[0]] ?? m.envelopeTo[0]}`;
      })
      .sort();
  }

  const EXPECTED = [
    '1 application_received → candidate',
    '1 application_received → recruiter',
    '2 stage_changed → candidate',
    '3 stage_changed → candidate',
    '4 stage_changed → candidate',
    '5 final_outcome → candidate',
  ];

  test('apply, screening, interview, offer, hired: six e-mails, once each, with the right content', async () => {
    const { s, recruiter, candidate, jobId } = await setUp();
    const id = await apply(s, candidate, jobId);
    for (const stage of ['screening', 'interview', 'offer', 'hired']) await move(s, recruiter, id, stage);

    const messages = await settled(s, id, 6);
    expect(messages).toHaveLength(6);
    expect(new Set(messages.map((m) => m.notificationId)).size).toBe(6);
    expect(summary(messages, id, { [candidate.user.email]: 'candidate', [recruiter.user.email]: 'recruiter' })).toEqual(EXPECTED);

    const toCandidate = messages
      .filter((m) => m.envelopeTo[0] === candidate.user.email)
      .map((m) => m.subject)
      .sort();
    expect(toCandidate).toEqual([
      'Congratulations: you are hired for Backend Developer at TechCorp',
      'We received your application for Backend Developer at TechCorp',
      'Your application for Backend Developer at TechCorp moved to Interview',
      'Your application for Backend Developer at TechCorp moved to Offer',
      'Your application for Backend Developer at TechCorp moved to Screening',
    ]);
    const forRecruiter = messages.find((m) => m.envelopeTo[0] === recruiter.user.email)!;
    expect(forRecruiter.subject).toBe('New application from Carl Candidate for Backend Developer');
    expect(forRecruiter.text).toContain('Carl Candidate applied for Backend Developer at TechCorp.');
  }, 90_000);

  test('Redis down during transitions: they still answer 200, and afterwards every e-mail arrives exactly once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-lifecycle-redis-'));
    const port = await freePort();
    const startPrivateRedis = () =>
      startRedis({ server: process.env.REDIS_SERVER ?? 'redis-server', port, dir, logFile: path.join(dir, 'redis.log') });
    let redis: Engine = await startPrivateRedis();
    try {
      // The API writes each notification to the SQL outbox before queueing it; those it could not
      // queue while Redis was down are queued by the notifier's sweep (here quick, in production a minute).
      const { s, recruiter, candidate, jobId } = await setUp(
        { REDIS_URL: `redis://127.0.0.1:${port}/0` },
        { intervalMs: 500, graceMs: 1_000 },
      );
      const id = await apply(s, candidate, jobId);
      await sink.waitFor(2);

      // A production Redis persists (AOF or RDB); this one snapshots, then goes away.
      await harness!.producerRedis.save();
      await redis.stop();
      for (const stage of ['screening', 'interview', 'offer']) expect(await move(s, recruiter, id, stage)).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(sink.messages).toHaveLength(2);

      redis = await startPrivateRedis();
      await move(s, recruiter, id, 'hired');

      const messages = await settled(s, id, 6);
      expect(messages).toHaveLength(6);
      expect(new Set(messages.map((m) => m.notificationId)).size).toBe(6);
      expect(summary(messages, id, { [candidate.user.email]: 'candidate', [recruiter.user.email]: 'recruiter' })).toEqual(EXPECTED);
    } finally {
      await harness?.close();
      harness = undefined;
      await stack?.close();
      stack = undefined;
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
