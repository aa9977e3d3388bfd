import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { insertJob, notificationEvent, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { applicationWorkflowId } from '../../src/domain/ids';
import { createTransitionRecorder } from '../../src/applications/transition-recorder';
import { ledgerKeyPrefix } from '../../src/notifications/delivery-ledger';
import {
  createNotificationOutbox,
  recordOutbox,
  startNotificationSweeper,
  sweepNotificationOutbox,
} from '../../src/notifications/notification-outbox';
import { notificationJobs } from '../../src/notifications/notification-jobs';
import { notificationContent } from '../../src/notifications/notification-content';
import { createDeliveryStats } from '../../src/notifications/delivery-stats';
import { createLogger } from '../../src/logger';
import { createRedis } from '../../src/redis';

/**
 * Redis loses data (restored from an old snapshot, failed over without persistence): the jobs of a
 * recorded transition and the delivery ledger are gone. The outbox rows in SQL bring the jobs back,
 * and a row already sent is not sent again even when its job and ledger entry are both gone.
 */
describe('notification outbox', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let harness: NotifierHarness;
  let stopSweeper: (() => void) | undefined;
  const logger = createLogger(process.env.ATS_TEST_LOG_LEVEL ?? 'silent', 'outbox-test');

  beforeAll(async () => {
    stack = await startStack();
    sink = await startSmtpSink();
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName: `${stack.config.notifier.queueName}-outbox`,
      smtpUrl: sink.url,
      outbox: true,
    });
  });
  afterAll(async () => {
    stopSweeper?.();
    await harness?.close();
    await sink?.close();
    await stack?.close();
  });

  const rows = () =>
    stack.services.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string; subject: string; data: string; status: string; sent_at: string | null }[]>(
        'select id, subject, data, status, sent_at from notification_outbox order by id',
        [],
        'all',
      );

  /** What Redis restored from a snapshot older than the jobs looks like: neither the jobs nor their ledger keys. */
  async function loseRedisData(): Promise<void> {
    await harness.queue.obliterate({ force: true });
    const keys = await harness.producerRedis.keys(`${ledgerKeyPrefix(harness.queueName)}*`);
    if (keys.length) await harness.producerRedis.del(...keys);
  }

  test('jobs lost with Redis are queued again by the sweep and each mail arrives once; a sent row is never sent twice', async () => {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'SRE', company: 'Initech' }));
    const base = { applicationId: applicationWorkflowId(jobId, String(candidate.user.id)), jobId, candidateId: String(candidate.user.id) };
    const received = notificationEvent({ ...base, kind: 'application_received', seq: 1, to: 'applied' });

    await createTransitionRecorder({ orm: stack.services.orm, queue: harness.queue, logger })({ projection: null, events: [received] });
    expect((await rows()).map((r) => r.status)).toEqual(['pending', 'pending']);
    await loseRedisData();
    expect(await harness.queue.getJobCounts('waiting', 'delayed', 'completed')).toEqual({ waiting: 0, delayed: 0, completed: 0 });

    await harness.startWorker();
    // Two notifiers sweeping at once queue each lost job once.
    stopSweeper = startNotificationSweeper(stack.services.orm, harness.queue, logger, { intervalMs: 200, graceMs: 0 });
    const other = startNotificationSweeper(stack.services.orm, harness.queue, logger, { intervalMs: 200, graceMs: 0 });
    await sink.waitFor(2, { timeoutMs: 20_000 });
    await harness.waitForIdle();
    await new Promise((r) => setTimeout(r, 1_000));
    other();
    stopSweeper();
    stopSweeper = undefined;
    expect(sink.messages).toHaveLength(2);
    expect(new Set(sink.messages.map((m) => m.notificationId)).size).toBe(2);
    const sent = await rows();
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(sent.every((r) => r.sent_at && r.subject === base.applicationId)).toBe(true);
    // A sent row keeps no copy of the message's personal data.
    expect(sent.map((r) => r.data)).toEqual(['{}', '{}']);

    // Redis loses everything again, and the recording activity is retried: the rows say sent.
    await loseRedisData();
    await createTransitionRecorder({ orm: stack.services.orm, queue: harness.queue, logger })({ projection: null, events: [received] });
    await harness.waitForIdle();
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 0)).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.messages).toHaveLength(2);
    expect(await harness.queue.getJobCounts('completed')).toEqual({ completed: 2 });
  });

  test('a pending row whose job is still in Redis, or younger than the grace period, is not queued again', async () => {
    await harness.stopWorker();
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'DBA', company: 'Initech' }));
    const event = notificationEvent({
      applicationId: applicationWorkflowId(jobId, String(candidate.user.id)),
      jobId,
      candidateId: String(candidate.user.id),
      kind: 'stage_changed',
      seq: 2,
      from: 'applied',
      to: 'screening',
    });
    await createTransitionRecorder({ orm: stack.services.orm, queue: harness.queue, logger })({ projection: null, events: [event] });
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 0)).toBe(0);
    await harness.queue.obliterate({ force: true });
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 60_000)).toBe(0);
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 0)).toBe(1);
    expect(await harness.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  /** Two notifiers on a queue of their own, each with its worker (and SQL outbox), as two notifier processes. */
  async function twoNotifiers(name: string): Promise<[NotifierHarness, NotifierHarness]> {
    const queueName = `${stack.config.notifier.queueName}-${name}-${Date.now()}`;
    const start = () =>
      startNotifierHarness({ orm: stack.services.orm, redisUrl: stack.config.redisUrl, queueName, smtpUrl: sink.url, outbox: true });
    return [await start(), await start()];
  }

  /** A stage change for a new candidate: one mail, to that candidate. */
  async function oneMail(queue: NotifierHarness['queue']) {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'SRE', company: 'Initech' }));
    const event = notificationEvent({
      applicationId: applicationWorkflowId(jobId, String(candidate.user.id)),
      jobId,
      candidateId: String(candidate.user.id),
      kind: 'stage_changed',
      seq: 2,
      from: 'applied',
      to: 'screening',
    });
    await createTransitionRecorder({ orm: stack.services.orm, queue, logger })({ projection: null, events: [event] });
    const [job] = await queue.getWaiting();
    return { id: job.id!, email: candidate.user.email, event };
  }

  const statusOf = async (id: string) => (await rows()).find((r) => r.id === id)?.status;

  async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  test('Redis loses its data while a notifier is still sending: the sweep leaves the row alone and the mail goes out once', async () => {
    const [a, b] = await twoNotifiers('lost-mid-send');
    try {
      const mail = await oneMail(a.queue);
      const ofMail = (m: { notificationId: string }) => m.notificationId === mail.id;
      sink.setDataDelay(2_500);
      await a.startWorker();
      await b.startWorker();
      // One notifier is in the SMTP conversation, its send outlasting the sweep's grace.
      await until(() => (sink.rcptAttempts.get(mail.email) ?? 0) >= 1);
      await a.queue.obliterate({ force: true });
      const keys = await a.producerRedis.keys(`${ledgerKeyPrefix(a.queueName)}*`);
      if (keys.length) await a.producerRedis.del(...keys);
      // Both notifiers sweep while the send is in flight.
      await sweepNotificationOutbox(stack.services.orm, a.queue, 0);
      await sweepNotificationOutbox(stack.services.orm, b.queue, 0);

      await sink.waitFor(1, { filter: ofMail });
      // Time enough for a second copy, had one been sent after the sweep.
      await sink.waitFor(2, { filter: ofMail, timeoutMs: 4_000 }).catch(() => undefined);
      expect(sink.messages.filter(ofMail)).toHaveLength(1);
      await until(async () => (await statusOf(mail.id)) === 'sent');
      expect(await sweepNotificationOutbox(stack.services.orm, a.queue, 0)).toBe(0);
    } finally {
      sink.setDataDelay(0);
      await a.close();
      await b.close();
    }
  });

  test('a notifier that died mid-send holds the row until its lease runs out; then another notifier sends it, once', async () => {
    const [a, b] = await twoNotifiers('expired-lease');
    try {
      const mail = await oneMail(a.queue);
      const ofMail = (m: { notificationId: string }) => m.notificationId === mail.id;
      // What a notifier that crashed in the SMTP conversation leaves behind: a lease, running out.
      const crashed = createNotificationOutbox(stack.services.orm, { leaseMs: 1_500 });
      expect(await crashed.claim(mail.id, 'crashed-notifier')).toEqual({ state: 'claimed' });
      expect(await statusOf(mail.id)).toBe('sending');
      expect(await createNotificationOutbox(stack.services.orm).claim(mail.id, 'other')).toMatchObject({ state: 'in-doubt' });

      await a.startWorker();
      await b.startWorker();
      await new Promise((r) => setTimeout(r, 700));
      expect(sink.messages.filter(ofMail)).toHaveLength(0);
      expect(await (await a.queue.getJob(mail.id))!.getState()).toBe('delayed');

      await sink.waitFor(1, { filter: ofMail, timeoutMs: 10_000 });
      await a.waitForIdle();
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.messages.filter(ofMail)).toHaveLength(1);
      expect(await statusOf(mail.id)).toBe('sent');
      expect(await createDeliveryStats(a.producerRedis, a.queueName).read()).toMatchObject({ in_doubt_delayed: 1, sent: 1 });
      // The row guarded the send: no ledger round trip, so no ledger key.
      expect(await a.producerRedis.keys(`${ledgerKeyPrefix(a.queueName)}*`)).toEqual([]);
      // The crashed notifier's lease is gone: it cannot mark (or release) a row another one sent.
      expect(await crashed.markSent(mail.id, 'crashed-notifier')).toBe(false);
      await crashed.release(mail.id, 'crashed-notifier');
      expect(await statusOf(mail.id)).toBe('sent');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a job whose notifier died mid-send twice (the second time after its recovery) is sent by the next one, once', async () => {
    const queueName = `${stack.config.notifier.queueName}-died-twice-${Date.now()}`;
    const a = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName,
      smtpUrl: sink.url,
      outbox: true,
    });
    const connections: Redis[] = [];
    /** A notifier process that takes the job and claims its row, then is killed (SIGKILL) before its SMTP server answers. */
    const killedMidSend = async (jobId: string, token: string) => {
      const connection = createRedis(stack.config.redisUrl, { forWorker: true });
      connection.on('error', () => undefined);
      connections.push(connection);
      // Its lock (and the row's lease) short, so that the test need not wait out BullMQ's 30 s and the outbox's 5 min.
      const dead = new Worker(queueName, undefined, { connection, autorun: false, lockDuration: 300, stalledInterval: 200 });
      expect((await dead.getNextJob(token, { block: false }))?.id).toBe(jobId);
      const outbox = createNotificationOutbox(stack.services.orm, { leaseMs: 300 });
      await until(async () => (await outbox.claim(jobId, token)).state === 'claimed');
      return dead;
    };
    try {
      const mail = await oneMail(a.queue);
      const ofMail = (m: { notificationId: string }) => m.notificationId === mail.id;
      const first = await killedMidSend(mail.id, 'killed-1');
      // A stall check (every notifier runs them) finds the job's lock gone and queues it again...
      await first.startStalledCheckTimer();
      await until(async () => (await (await a.queue.getJob(mail.id))!.getState()) === 'waiting');
      await first.close(true);
      // ...where a notifier takes it and is killed mid-send as well.
      await (await killedMidSend(mail.id, 'killed-2')).close(true);
      expect(sink.messages.filter(ofMail)).toHaveLength(0);

      await a.startWorker({ stalledInterval: 200, lockDuration: 1_000 });
      await sink.waitFor(1, { filter: ofMail, timeoutMs: 10_000 });
      await a.waitForIdle();
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.messages.filter(ofMail)).toHaveLength(1);
      expect(await statusOf(mail.id)).toBe('sent');
      expect(await (await a.queue.getJob(mail.id))!.getState()).toBe('completed');
    } finally {
      await a.close();
      connections.forEach((c) => c.disconnect());
    }
  });

  test('the sweep leaves a row under a live lease alone, even with its job gone, and queues it again once the lease has run out', async () => {
    const [a, b] = await twoNotifiers('sweep-lease');
    try {
      const mail = await oneMail(a.queue);
      const crashed = createNotificationOutbox(stack.services.orm, { leaseMs: 1_000 });
      expect(await crashed.claim(mail.id, 'crashed-notifier')).toEqual({ state: 'claimed' });
      await a.queue.obliterate({ force: true });
      expect(await sweepNotificationOutbox(stack.services.orm, a.queue, 0)).toBe(0);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await sweepNotificationOutbox(stack.services.orm, a.queue, 0)).toBe(1);
      expect(await sweepNotificationOutbox(stack.services.orm, b.queue, 0)).toBe(0);
      expect((await a.queue.getWaiting()).map((j) => j.id)).toEqual([mail.id]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('claims and sent marks made at once are written together, each row for its own holder; of two holders claiming one row at once, one gets it', async () => {
    const outbox = createNotificationOutbox(stack.services.orm);
    const ids = Array.from({ length: 30 }, (_, i) => `grouped-${i}`);
    await recordOutbox(
      stack.services.orm,
      ids.map((id) => ({ name: 'stage_changed', data: { applicationId: 'grouped' } as never, opts: { jobId: id } })),
    );
    const claims = await Promise.all([
      ...ids.map((id) => outbox.claim(id, `holder-${id}`)),
      outbox.claim(ids[0], 'rival'),
      outbox.claim('grouped-missing', 'someone'),
    ]);
    expect(claims.slice(0, 30)).toEqual(ids.map(() => ({ state: 'claimed' })));
    expect(claims[30]).toMatchObject({ state: 'in-doubt' });
    expect(claims[31]).toEqual({ state: 'absent' });
    const held = await stack.services.orm.em
      .fork()
      .getConnection()
      .execute<{ id: string; lease_holder: string }[]>(
        "select id, lease_holder from notification_outbox where id like 'grouped-%'",
        [],
        'all',
      );
    expect(Object.fromEntries(held.map((r) => [r.id, r.lease_holder]))).toEqual(Object.fromEntries(ids.map((id) => [id, `holder-${id}`])));

    const marked = await Promise.all([
      ...ids.map((id) => outbox.markSent(id, id === ids[2] ? 'rival' : `holder-${id}`)),
      outbox.markSent(ids[1], 'rival'),
    ]);
    expect(marked).toEqual([...ids.map((id) => id !== ids[2]), false]);
    expect(await statusOf(ids[1])).toBe('sent');
    expect(await statusOf(ids[2])).toBe('sending');
  });

  test('a job without an outbox row (queued by older code) is guarded by the Redis ledger and sent once', async () => {
    const [a, b] = await twoNotifiers('no-row');
    try {
      const recruiter = await stack.user('recruiter');
      const candidate = await stack.user('candidate');
      const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'SRE', company: 'Initech' }));
      const event = notificationEvent({
        applicationId: applicationWorkflowId(jobId, String(candidate.user.id)),
        jobId,
        candidateId: String(candidate.user.id),
        kind: 'stage_changed',
        seq: 2,
        from: 'applied',
        to: 'screening',
      });
      const [job] = await notificationJobs(stack.services.orm, event);
      await a.queue.add(job.name, job.data, job.opts);
      expect(await statusOf(job.opts.jobId)).toBeUndefined();
      await a.startWorker();
      await b.startWorker();
      await sink.waitFor(1, { filter: (m) => m.notificationId === job.opts.jobId });
      await a.waitForIdle();
      expect(await a.producerRedis.get(ledgerKeyPrefix(a.queueName) + job.opts.jobId)).toMatch(/^sent </);
      // A second run of the same job (its completion lost) finds the ledger's marker.
      await a.queue.remove(job.opts.jobId);
      await a.queue.add(job.name, job.data, job.opts);
      await a.waitForIdle();
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.messages.filter((m) => m.notificationId === job.opts.jobId)).toHaveLength(1);
      expect(await statusOf(job.opts.jobId)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
  test("a hire into a pipeline's own last stage (kind hired) is mailed as a hire, to the candidate", async () => {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'Designer', company: 'Initech' }));
    const event = notificationEvent({
      applicationId: applicationWorkflowId(jobId, String(candidate.user.id)),
      jobId,
      candidateId: String(candidate.user.id),
      kind: 'final_outcome',
      seq: 4,
      from: 'portfolio_review',
      to: 'joined',
      toKind: 'hired',
    });
    const jobs = await notificationJobs(stack.services.orm, event);
    const mine = jobs.find((j) => j.data.audience === 'candidate');
    expect(mine?.data.toKind).toBe('hired');
    expect(notificationContent(mine!.data).subject).toBe('Congratulations: you are hired for Designer at Initech');
  });
});
