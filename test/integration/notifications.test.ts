import { Job } from 'bullmq';
import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink';
import { insertJob, notificationEvent, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { createDeliveryStats } from '../../src/notifications/delivery-stats';
import { createDeliveryLedger } from '../../src/notifications/delivery-ledger';
import { createNotificationProcessor } from '../../src/notifications/notification-processor';
import { createMailer } from '../../src/mail/mailer';
import { createLogger } from '../../src/logger';
import { applicationWorkflowId } from '../../src/domain/ids';
import { UserSchema } from '../../src/db/entities/user.entity';
import type { NotificationEvent } from '../../src/domain/notifications';

/**
 * The notification pipeline without the workflow: the real enqueue activity against SQLite and
 * Redis, the notifier's BullMQ worker, and a real SMTP server collecting what arrives.
 */
describe('notifications: producer to SMTP', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let harness: NotifierHarness;
  let n = 0;

  beforeAll(async () => {
    stack = await startStack();
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await stack.close();
  });
  beforeEach(async () => {
    sink.messages.length = 0;
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName: `${stack.config.notifier.queueName}-${++n}`,
      smtpUrl: sink.url,
    });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function people() {
    const recruiter = await stack.user('recruiter', { fullName: 'Rita Recruiter' });
    const alice = await stack.user('candidate', { fullName: 'Alice Applicant' });
    const bob = await stack.user('candidate', { fullName: 'Bob "Bobby" <Builder>' });
    const jobId = String(
      await insertJob(stack.services.orm, recruiter.user.id, { title: 'Platform Engineer <Node & "TS">', company: 'Acme & Co' }),
    );
    return { recruiter: recruiter.user, alice: alice.user, bob: bob.user, jobId };
  }

  test('every event kind reaches exactly its recipients, once each, even when enqueued twice', async () => {
    const { recruiter, alice, bob, jobId } = await people();
    const appA = applicationWorkflowId(jobId, String(alice.id));
    const appB = applicationWorkflowId(jobId, String(bob.id));
    const a = { applicationId: appA, jobId, candidateId: String(alice.id) };
    const b = { applicationId: appB, jobId, candidateId: String(bob.id) };
    const events: Array<[NotificationEvent, number]> = [
      [notificationEvent({ ...a, kind: 'application_received', seq: 1, to: 'applied' }), 2],
      [notificationEvent({ ...a, kind: 'stage_changed', seq: 2, from: 'applied', to: 'screening' }), 1],
      [notificationEvent({ ...a, kind: 'sla_reminder', seq: 2, to: 'screening' }), 1],
      [notificationEvent({ ...a, kind: 'final_outcome', seq: 3, from: 'screening', to: 'rejected', reason: 'Position filled' }), 1],
      [notificationEvent({ ...b, kind: 'offer_expired', seq: 4, to: 'offer', reason: 'offer expired' }), 2],
      [notificationEvent({ ...b, kind: 'final_outcome', seq: 5, from: 'offer', to: 'hired' }), 1],
    ];
    for (const [event, recipients] of events) {
      expect(await harness.activities.enqueueNotifications(event)).toBe(recipients);
      // A retried activity (same event) finds its jobs already there.
      expect(await harness.activities.enqueueNotifications(event)).toBe(0);
    }

    await harness.startWorker();
    await sink.waitFor(8);
    await harness.waitForIdle();
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages).toHaveLength(8);
    expect(new Set(sink.messages.map((m) => m.notificationId)).size).toBe(8);

    const to = (email: string) => sink.messages.filter((m) => m.envelopeTo.includes(email));
    const one = (email: string, kind: string): ReceivedMail => {
      const found = to(email).filter((m) => m.notificationId.includes(`.${kind}.`));
      expect(found).toHaveLength(1);
      return found[0];
    };
    expect(to(alice.email)).toHaveLength(3);
    expect(to(bob.email)).toHaveLength(2);
    expect(to(recruiter.email)).toHaveLength(3);
    for (const m of sink.messages) expect(m.envelopeTo).toHaveLength(1);

    const received = one(alice.email, 'application_received');
    expect(received.subject).toBe('We received your application for Platform Engineer <Node & "TS"> at Acme & Co');
    expect(received.text).toContain('Platform Engineer <Node & "TS"> at Acme & Co');
    expect(received.html).toContain('Platform Engineer &lt;Node &amp; &quot;TS&quot;&gt; at Acme &amp; Co');
    expect(received.html).not.toContain('<Node');
    expect(received.messageId).toBe(`<${received.notificationId}@ats.test>`);

    const newApplication = one(recruiter.email, 'application_received');
    expect(newApplication.subject).toContain('New application from Alice Applicant');

    const screening = one(alice.email, 'stage_changed');
    expect(screening.subject).toContain('moved to Screening');
    expect(screening.text).toMatch(/from Applied to Screening/);

    const reminder = one(recruiter.email, 'sla_reminder');
    expect(reminder.text).toContain('Alice Applicant');
    expect(reminder.text).toContain('Screening');

    const rejected = one(alice.email, 'final_outcome');
    expect(rejected.text).toMatch(/Reason:\s+Position filled/);
    expect(rejected.text).toContain('not to move forward');

    const expiredForBob = one(bob.email, 'offer_expired');
    expect(expiredForBob.subject).toContain('has expired');
    const expiredForRecruiter = one(recruiter.email, 'offer_expired');
    expect(expiredForRecruiter.html).toContain('Bob &quot;Bobby&quot; &lt;Builder&gt;');

    const hired = one(bob.email, 'final_outcome');
    expect(hired.subject).toContain('you are hired');
    expect(hired.text).toMatch(/Stage:\s+Hired/);

    const outcomes = await createDeliveryStats(harness.producerRedis, harness.queueName).read();
    expect(outcomes).toMatchObject({ sent: 8, failed_permanent: 0, failed_exhausted: 0 });
  });

  test('payloads carry only what the message shows, never account secrets', async () => {
    const { alice, jobId } = await people();
    await harness.activities.enqueueNotifications(
      notificationEvent({
        kind: 'application_received',
        applicationId: applicationWorkflowId(jobId, String(alice.id)),
        seq: 1,
        jobId,
        candidateId: String(alice.id),
        to: 'applied',
      }),
    );
    const [candidateJob, recruiterJob] = await harness.queue.getWaiting();
    const json = JSON.stringify([candidateJob.data, recruiterJob.data]);
    expect(json).not.toMatch(/password|hash|\$argon2/i);
    expect(Object.keys(candidateJob.data).sort()).toEqual([
      'applicationId',
      'at',
      'audience',
      'candidate',
      'channel',
      'from',
      'job',
      'kind',
      'reason',
      'recipient',
      'seq',
      'to',
    ]);
    expect(candidateJob.id).not.toContain(':');
    expect(candidateJob.opts.removeOnComplete).toEqual({ age: 7 * 24 * 3600 });
  });

  test('a job processed again after it was sent completes without a second e-mail', async () => {
    const { alice, jobId } = await people();
    const event = notificationEvent({
      kind: 'stage_changed',
      applicationId: applicationWorkflowId(jobId, String(alice.id)),
      seq: 2,
      jobId,
      candidateId: String(alice.id),
      from: 'applied',
      to: 'screening',
    });
    await harness.activities.enqueueNotifications(event);
    await harness.startWorker();
    const [first] = await sink.waitFor(1);
    await harness.waitForIdle();
    await harness.stopWorker();

    // What a worker does when the completion of a delivered job was lost: it runs the job again.
    const job = await Job.fromId(harness.queue, first.notificationId);
    const logger = createLogger('silent', 'test');
    const processor = createNotificationProcessor({
      mailer: createMailer({ smtpUrl: sink.url, from: 'x@ats.test', outboxDir: '' }, logger),
      ledger: createDeliveryLedger(harness.producerRedis, harness.queueName),
      stats: createDeliveryStats(harness.producerRedis, harness.queueName),
      logger,
      messageIdDomain: 'ats.test',
    });
    await expect(processor(job!)).resolves.toMatchObject({ duplicate: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages).toHaveLength(1);
    expect((await createDeliveryStats(harness.producerRedis, harness.queueName).read()).duplicate_skipped).toBe(1);
  });

  test('a job another worker is still sending waits for that claim instead of sending a second copy', async () => {
    const { alice, jobId } = await people();
    const event = notificationEvent({
      kind: 'stage_changed',
      applicationId: applicationWorkflowId(jobId, String(alice.id)),
      seq: 2,
      jobId,
      candidateId: String(alice.id),
      from: 'applied',
      to: 'screening',
    });
    await harness.activities.enqueueNotifications(event);
    const [job] = await harness.queue.getWaiting();
    // As if a worker whose lock expired were still in the middle of the SMTP conversation.
    const other = createDeliveryLedger(harness.producerRedis, harness.queueName, { claimMs: 1500 });
    expect(await other.claim(job.id!, 'stalled-worker')).toEqual({ state: 'claimed' });

    await harness.startWorker();
    await new Promise((r) => setTimeout(r, 700));
    expect(sink.messages).toHaveLength(0);
    expect(await (await harness.queue.getJob(job.id!))!.getState()).toBe('delayed');

    // The claim runs out (that worker died mid-send, say): the message goes out, once.
    await sink.waitFor(1, { timeoutMs: 10_000 });
    await harness.waitForIdle();
    expect(sink.messages).toHaveLength(1);
    const outcomes = await createDeliveryStats(harness.producerRedis, harness.queueName).read();
    expect(outcomes).toMatchObject({ in_doubt_delayed: 1, sent: 1 });
    expect((await harness.queue.getJob(job.id!))!.attemptsMade).toBeLessThanOrEqual(1);
  });

  test('the ledger lets one holder send, and tells the others', async () => {
    const ledger = createDeliveryLedger(harness.producerRedis, harness.queueName, { claimMs: 5000 });
    expect(await ledger.claim('job-1', 'worker-a')).toEqual({ state: 'claimed' });
    expect(await ledger.claim('job-1', 'worker-b')).toMatchObject({ state: 'in-doubt' });
    await ledger.release('job-1', 'worker-b');
    expect(await ledger.claim('job-1', 'worker-b')).toMatchObject({ state: 'in-doubt' });
    await ledger.markSent('job-1', '<m1@ats.test>');
    expect(await ledger.claim('job-1', 'worker-c')).toEqual({ state: 'sent', messageId: '<m1@ats.test>' });
    await ledger.release('job-1', 'worker-a');
    expect(await ledger.claim('job-1', 'worker-d')).toEqual({ state: 'sent', messageId: '<m1@ats.test>' });
  });

  test('deactivated recipients get nothing; a missing job enqueues nothing', async () => {
    const { alice, recruiter, jobId } = await people();
    const em = stack.services.orm.em.fork();
    (await em.findOneOrFail(UserSchema, { id: recruiter.id })).active = false;
    await em.flush();
    const event = notificationEvent({
      kind: 'application_received',
      applicationId: applicationWorkflowId(jobId, String(alice.id)),
      seq: 1,
      jobId,
      candidateId: String(alice.id),
      to: 'applied',
    });
    expect(await harness.activities.enqueueNotifications(event)).toBe(1);
    expect(
      await harness.activities.enqueueNotifications({ ...event, jobId: '999999', applicationId: 'application-job999999-candidate1' }),
    ).toBe(0);
  });
});
