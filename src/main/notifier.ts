import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createRedis } from '../services';
import { createMailer } from '../mail/mailer';
import { createNotificationWorker } from '../queue/notification-worker';
import { onShutdown, runMain, within } from './run';

const CLOSE_GRACE_MS = 5_000;

/**
 * The notifier process: consumes the notification queue and sends e-mail. It needs Redis and SMTP
 * only (job payloads carry what a message shows), so run as many as the mail volume needs.
 */
runMain('notifier', async () => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'notifier');
  const connection = createRedis(config.redisUrl, { forWorker: true });
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const mailer = createMailer(config.mail, logger, { maxConnections: config.notifier.concurrency });
  const worker = createNotificationWorker({
    connection,
    queueName: config.notifier.queueName,
    concurrency: config.notifier.concurrency,
    mailer,
    mailFrom: config.mail.from,
    logger,
  });
  await worker.waitUntilReady();
  logger.info({ queue: config.notifier.queueName, concurrency: config.notifier.concurrency, via: mailer.target }, 'notifier started');
  onShutdown(logger, async () => {
    // Lets jobs in flight finish (and be recorded) before the connections go. With Redis gone that
    // wait never ends: after the grace period the worker is closed by force and the jobs it held
    // return to the queue when their locks expire (delivery is idempotent).
    if (!(await within(worker.close(), CLOSE_GRACE_MS))) {
      logger.warn({ graceMs: CLOSE_GRACE_MS }, 'jobs still in flight after the grace period; closing by force');
      await within(worker.close(true), 1_000);
    }
    await within(mailer.close(), 1_000);
    // `quit` would wait for a reply Redis may never send.
    connection.disconnect();
  });
});
