import nodemailer from 'nodemailer';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { loadConfig } from '../../src/config';
import type { NotificationJobData } from '../../src/queue/notification-queue';

/**
 * The notifier's baseline process: a BullMQ worker on `BENCH_RAW_QUEUE` that sends each job as one
 * plain-text e-mail with nodemailer, pooled, with the notifier's transport settings
 * (src/mail/mailer.ts) and concurrency (NOTIFIER_CONCURRENCY). No templates, ledger, outbox or stats.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const concurrency = config.notifier.concurrency;
  const transport = nodemailer.createTransport({
    url: config.mail.smtpUrl,
    pool: true,
    maxConnections: concurrency,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as never, { from: config.mail.from });
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<NotificationJobData>(process.env.BENCH_RAW_QUEUE ?? 'bench-raw', async (job) => {
    await transport.sendMail({
      to: job.data.recipient.email,
      subject: `Your application moved to ${job.data.to}`,
      text: `${job.data.job.title} at ${job.data.job.company}: ${job.data.from ?? 'new'} → ${job.data.to}`,
    });
  }, { connection, concurrency });
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
