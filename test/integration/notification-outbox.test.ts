import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { insertJob, notificationEvent, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { applicationWorkflowId } from '../../src/domain/ids';
import { enqueueAllNotifications } from '../../activities/notification.activities';
import { ledgerKeyPrefix } from '../../src/queue/delivery-ledger';
import { startNotificationSweeper, sweepNotificationOutbox } from '../../src/queue/notification-outbox';
import { createLogger } from '../../src/logger';

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
    harness = await startNotifierHarness({ orm: stack.services.orm, redisUrl: stack.config.redisUrl, queueName: `${stack.config.notifier.queueName}-outbox`, smtpUrl: sink.url, outbox: true });
  });
  afterAll(async () => {
    stopSweeper?.();
    await harness?.close();
    await sink?.close();
    await stack?.close();
  });

  const rows = () => stack.services.orm.em.fork().getConnection().execute<{ id: string; subject: string; data: string; status: string; sent_at: string | null }[]>('select id, subject, data, status, sent_at from notification_outbox order by id', [], 'all');

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

    await enqueueAllNotifications({ orm: stack.services.orm, queue: harness.queue }, [received]);
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
    await enqueueAllNotifications({ orm: stack.services.orm, queue: harness.queue }, [received]);
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
    const event = notificationEvent({ applicationId: applicationWorkflowId(jobId, String(candidate.user.id)), jobId, candidateId: String(candidate.user.id), kind: 'stage_changed', seq: 2, from: 'applied', to: 'screening' });
    await enqueueAllNotifications({ orm: stack.services.orm, queue: harness.queue }, [event]);
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 0)).toBe(0);
    await harness.queue.obliterate({ force: true });
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 60_000)).toBe(0);
    expect(await sweepNotificationOutbox(stack.services.orm, harness.queue, 0)).toBe(1);
    expect(await harness.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });
});
