import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { Queue, Worker, type Processor } from 'bullmq';
import { createRedis } from '../../src/services';
import { createLogger } from '../../src/logger';
import { createMailer } from '../../src/mail/mailer';
import { createNotificationQueue, type NotificationJobData } from '../../src/queue/notification-queue';
import { createNotificationWorker } from '../../src/queue/notification-worker';
import { renderNotification } from '../../src/mail/templates';
import { toNodemailer } from '../../src/mail/mail-message';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

/**
 * The notifier's throughput beside raw BullMQ on the same Redis: a no-op processor, a processor that
 * sends a one-line text e-mail with plain nodemailer, and one that sends the very message the
 * notifier sends (the same rendered text and HTML, Message-ID and header) with the same pooled
 * transport settings: that last one is the baseline the notifier's ledger and stats are measured
 * against. Run with `npm run bench`; never part of `npm test`.
 */
const N = Number(process.env.BENCH_NOTIFICATIONS ?? 1000);
const CONCURRENCY = 10;
const FROM = 'ATS <no-reply@ats.bench>';

function job(i: number): NotificationJobData {
  return {
    kind: 'stage_changed', channel: 'email', applicationId: `application-job1-candidate${i}`, seq: 2, at: new Date().toISOString(),
    audience: 'candidate', recipient: { id: String(i), email: `candidate${i}@example.com`, name: `Candidate ${i}` },
    job: { id: '1', title: 'Backend Developer', company: 'TechCorp' }, candidate: { id: String(i), name: `Candidate ${i}` },
    from: 'applied', to: 'screening', reason: null,
  };
}

describe('notifier throughput against raw BullMQ', () => {
  let sink: SmtpSink;
  const results: Record<string, number> = {};
  beforeAll(async () => { sink = await startSmtpSink(); });
  afterAll(async () => {
    await sink.close();
    const raw = results['raw BullMQ, no-op'];
    console.log(['', 'notifier benchmark (jobs/s)', ...Object.entries(results).map(([k, v]) => `  ${k.padEnd(36)} ${v.toFixed(0)}${raw ? ` (${((v / raw) * 100).toFixed(0)}% of no-op)` : ''}`), ''].join('\n'));
  });

  async function measure(label: string, makeWorker: (queueName: string) => Worker): Promise<void> {
    const queueName = `bench-${randomUUID().slice(0, 8)}`;
    const producer = createRedis(process.env.ATS_TEST_REDIS_URL!);
    const queue: Queue<NotificationJobData> = createNotificationQueue(producer, queueName);
    await queue.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'stage_changed', data: job(i), opts: { jobId: `bench-${i}` } })));
    // Created paused, so no completion happens before it is counted.
    const worker = makeWorker(queueName);
    const done = new Promise<void>((resolve) => {
      let completed = 0;
      worker.on('completed', () => { if (++completed === N) resolve(); });
    });
    const started = performance.now();
    void worker.run();
    await done;
    results[label] = N / ((performance.now() - started) / 1000);
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    producer.disconnect();
  }

  test('raw BullMQ with a no-op processor', async () => {
    const connection = createRedis(process.env.ATS_TEST_REDIS_URL!, { forWorker: true });
    await measure('raw BullMQ, no-op', (q) => new Worker(q, async () => undefined, { connection, concurrency: CONCURRENCY, autorun: false }));
    connection.disconnect();
  }, 300_000);

  test('raw BullMQ sending with plain nodemailer', async () => {
    const connection = createRedis(process.env.ATS_TEST_REDIS_URL!, { forWorker: true });
    const transport = nodemailer.createTransport({ url: sink.url, pool: true, maxConnections: CONCURRENCY } as never);
    const send: Processor<NotificationJobData> = async (j) => {
      await transport.sendMail({ from: FROM, to: j.data.recipient.email, subject: `Your application moved to ${j.data.to}`, text: `${j.data.job.title} at ${j.data.job.company}` });
    };
    await measure('raw BullMQ + nodemailer', (q) => new Worker(q, send, { connection, concurrency: CONCURRENCY, autorun: false }));
    transport.close();
    connection.disconnect();
  }, 300_000);

  test('raw BullMQ sending the notifier\'s message with plain nodemailer', async () => {
    const connection = createRedis(process.env.ATS_TEST_REDIS_URL!, { forWorker: true });
    const transport = nodemailer.createTransport({ url: sink.url, pool: true, maxConnections: CONCURRENCY } as never, { from: FROM });
    const send: Processor<NotificationJobData> = async (j) => {
      const to = { address: j.data.recipient.email, name: j.data.recipient.name };
      await transport.sendMail(toNodemailer({ to, ...renderNotification(j.data), messageId: `<${j.id}@ats.bench>`, headers: { 'X-ATS-Notification': j.id! } }));
    };
    await measure('raw BullMQ + nodemailer, same message', (q) => new Worker(q, send, { connection, concurrency: CONCURRENCY, autorun: false }));
    transport.close();
    connection.disconnect();
  }, 300_000);

  test('the notifier (rendering, delivery ledger, stats, SMTP)', async () => {
    const connection = createRedis(process.env.ATS_TEST_REDIS_URL!, { forWorker: true });
    const logger = createLogger('silent', 'bench');
    const mailer = createMailer({ smtpUrl: sink.url, from: FROM, outboxDir: '' }, logger, { maxConnections: CONCURRENCY });
    await measure('notifier', (q) => createNotificationWorker({ connection, queueName: q, concurrency: CONCURRENCY, mailer, mailFrom: FROM, logger, options: { autorun: false } }));
    connection.disconnect();
    expect(sink.messages.length).toBeGreaterThanOrEqual(3 * N);
  }, 300_000);
});
