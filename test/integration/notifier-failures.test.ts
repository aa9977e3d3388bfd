import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { insertJob, notificationEvent, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { applicationWorkflowId } from '../../src/domain/ids';
import type { NotificationEvent } from '../../src/domain/notifications';

const FAST_RETRIES = { backoff: { type: 'exponential', delay: 100 } };

/**
 * SMTP trouble: a server that defers (4xx) is retried with backoff until it accepts, one that refuses
 * a mailbox (5xx) fails that job at once; failed jobs stay visible in the queue, the dashboard and
 * /metrics, and never hold up the others.
 */
describe('notifier: SMTP failures', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let harness: NotifierHarness;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
  });
  // A stack per test: the dashboard and /metrics watch the stack's own queue, which the harness uses.
  async function start(jobOptions: object = FAST_RETRIES) {
    stack = await startStack();
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName: stack.config.notifier.queueName,
      smtpUrl: sink.url,
      jobOptions,
    });
  }
  afterEach(async () => {
    sink.setPolicy(null);
    sink.messages.length = 0;
    await harness?.close();
    await stack?.close();
  });

  async function application(email?: string) {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate', { email });
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'Data Analyst', company: 'Globex' }));
    const base = { applicationId: applicationWorkflowId(jobId, String(candidate.user.id)), jobId, candidateId: String(candidate.user.id) };
    return {
      email: candidate.user.email,
      stageChanged: (seq: number, to: NotificationEvent['to']): NotificationEvent =>
        notificationEvent({ ...base, kind: 'stage_changed', seq, from: 'applied', to }),
    };
  }

  test('4xx replies are retried with backoff, then the message is delivered once', async () => {
    await start();
    const app = await application();
    sink.setPolicy((address, attempt) => (address === app.email && attempt <= 2 ? { code: 451, message: '4.3.0 Try again later' } : null));
    await harness.activities.enqueueNotifications(app.stageChanged(2, 'screening'));
    await harness.startWorker();
    const [mail] = await sink.waitFor(1);
    await harness.waitForIdle();
    await new Promise((r) => setTimeout(r, 300));

    expect(sink.messages).toHaveLength(1);
    expect(sink.rcptAttempts.get(app.email)).toBe(3);
    const job = await harness.queue.getJob(mail.notificationId);
    expect(await job!.getState()).toBe('completed');
    expect(job!.attemptsMade).toBeGreaterThanOrEqual(2);
  });

  test('a 550 fails the job at once; it stays visible (queue, dashboard, metrics) and later jobs still go out', async () => {
    await start();
    const bad = await application(`no-such-mailbox-${Date.now()}@example.com`);
    const good = await application();
    sink.setPolicy((address) => (address === bad.email ? { code: 550, message: '5.1.1 Mailbox does not exist' } : null));
    await harness.startWorker();
    await harness.activities.enqueueNotifications(bad.stageChanged(2, 'screening'));
    await harness.activities.enqueueNotifications(good.stageChanged(2, 'screening'));
    await sink.waitFor(1);
    await harness.waitForIdle();

    const [failed] = await harness.queue.getFailed();
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toContain('550');
    expect(sink.rcptAttempts.get(bad.email)).toBe(1);

    // A later job is not blocked by the failed one.
    await harness.activities.enqueueNotifications(good.stageChanged(3, 'interview'));
    await sink.waitFor(2);
    expect(sink.messages.every((m) => m.envelopeTo[0] === good.email)).toBe(true);

    const admin = await stack.user('admin');
    const listing = await stack.http(
      'GET',
      `/admin/queues/api/queues?activeQueue=${encodeURIComponent(harness.queueName)}&status=failed&page=1&jobsPerPage=10`,
      { token: admin.token },
    );
    expect(listing.status).toBe(200);
    const queue = listing.body.queues.find((q: { name: string }) => q.name === harness.queueName);
    expect(queue.counts.failed).toBe(1);
    expect(queue.jobs.map((j: { id: string }) => j.id)).toEqual([failed.id]);
    const single = await stack.http(
      'GET',
      `/admin/queues/api/queues/${encodeURIComponent(harness.queueName)}/${encodeURIComponent(failed.id!)}`,
      { token: admin.token },
    );
    expect(single.status).toBe(200);
    expect(JSON.stringify(single.body)).toContain('550');

    const metrics = await stack.http('GET', '/metrics', { token: admin.token });
    const q = `queue="${harness.queueName}"`;
    expect(metrics.text).toContain(`ats_queue_jobs{${q},state="failed"} 1`);
    expect(metrics.text).toContain(`ats_queue_jobs{${q},state="completed"} 2`);
    expect(metrics.text).toContain(`ats_queue_up{${q}} 1`);
    expect(metrics.text).toContain(`ats_notifications_total{${q},outcome="failed_permanent"} 1`);
    expect(metrics.text).toContain(`ats_notifications_total{${q},outcome="sent"} 2`);
  });

  test('a job that runs out of retries ends failed and stays in the failed list', async () => {
    await start({ attempts: 3, backoff: { type: 'exponential', delay: 50 } });
    const app = await application();
    sink.setPolicy((address) => (address === app.email ? { code: 452, message: '4.2.2 Mailbox full' } : null));
    await harness.startWorker();
    await harness.activities.enqueueNotifications(app.stageChanged(2, 'screening'));
    await harness.waitForIdle();

    const [failed] = await harness.queue.getFailed();
    expect(failed.attemptsMade).toBe(3);
    expect(sink.messages).toHaveLength(0);
    const metrics = await stack.http('GET', '/metrics', { token: (await stack.user('admin')).token });
    expect(metrics.text).toContain(`ats_notifications_total{queue="${harness.queueName}",outcome="failed_exhausted"} 1`);
    expect(metrics.text).toContain(`ats_notifications_total{queue="${harness.queueName}",outcome="retry_scheduled"} 2`);
    // Enqueueing the same event again does not resurrect it: the failed job keeps its ID.
    expect(await harness.activities.enqueueNotifications(app.stageChanged(2, 'screening'))).toBe(0);
  });
});
