import nodemailer from 'nodemailer';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { loadConfig } from '../../src/config';
import type { NotificationJobData } from '../../src/notifications/notification-queue';
import { renderNotification } from '../../src/notifications/notification-templates';
import { toNodemailer } from '../../src/mail/mail-message';

/**
 * The notifier's baseline process: a BullMQ worker on `BENCH_RAW_QUEUE` that sends each job with
 * nodemailer, pooled, with the notifier's transport settings (src/mail/mailer.ts) and concurrency
 * (NOTIFIER_CONCURRENCY). It sends the same message the notifier sends (the same rendered text and
 * HTML, a Message-ID and one header), so the two sides put the same bytes on the wire and what the
 * ratio measures is the notifier's own work: its delivery ledger, outbox, stats and logging. (A
 * one-line message instead runs about 1.4x faster on both sides alike: the size of the message, not
 * notifier code.)
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const concurrency = config.notifier.concurrency;
  const transport = nodemailer.createTransport(
    {
      url: config.mail.smtpUrl,
      pool: true,
      maxConnections: concurrency,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as never,
    { from: config.mail.from },
  );
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<NotificationJobData>(
    process.env.BENCH_RAW_QUEUE ?? 'bench-raw',
    async (job) => {
      await transport.sendMail(
        toNodemailer({
          to: { address: job.data.recipient.email, name: job.data.recipient.name },
          ...renderNotification(job.data),
          messageId: `<${job.id}@ats.bench>`,
          headers: { 'X-ATS-Notification': job.id! },
        }),
      );
    },
    { connection, concurrency },
  );
  await worker.waitUntilReady();
  process.stdout.write('raw notifier started\n');
  const stop = async () => {
    await worker.close();
    transport.close();
    connection.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: Error) => {
  process.stderr.write(`raw notifier: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
