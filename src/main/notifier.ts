import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createRedis } from '../redis';
import { createMailer } from '../mail/mailer';
import { createNotificationWorker } from '../notifications/notification-worker';
import { onShutdown, runMain, within } from './run';
import { startTracing } from './tracing';
import { openOrm } from '../db/orm';
import { createSecretBox } from '../webhooks/webhook-secrets';
import { createWebhookWorker } from '../webhooks/webhook-worker';
import { createWebhookQueue } from '../webhooks/webhook-queue';
import { startPendingSweeper } from '../webhooks/pending-sweeper';
import { createNotificationQueue } from '../notifications/notification-queue';
import { startNotificationSweeper } from '../notifications/notification-outbox';

const CLOSE_GRACE_MS = 5_000;

/**
 * The notifier process: consumes the notification queue and sends e-mail, and the webhook queue and
 * POSTs deliveries. E-mail needs Redis and SMTP only (job payloads carry what a message shows);
 * webhooks read their subscription from SQL. Run as many as the volume needs.
 */
runMain('notifier', async () => {
  const config = loadConfig();
  const tracing = startTracing(config, 'notifier');
  const logger = createLogger(config.logLevel, 'notifier');
  const connection = createRedis(config.redisUrl, { forWorker: true });
  connection.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const mailer = createMailer(config.mail, logger, { maxConnections: config.notifier.concurrency });
  // Webhooks read their subscription (URL, secret, still active?) at each attempt: the notifier needs SQL for them.
  // E-mail records what went out in the notification outbox, which outlives a Redis that loses data.
  const orm = await openOrm(config.database);
  const worker = createNotificationWorker({
    connection,
    queueName: config.notifier.queueName,
    concurrency: config.notifier.concurrency,
    mailer,
    mailFrom: config.mail.from,
    logger,
    orm,
  });
  const webhookWorker = createWebhookWorker({
    connection,
    orm,
    logger,
    secrets: createSecretBox(config.auth.secretKey, config.auth.previousSecretKeys),
    ...config.webhooks,
  });
  // The sweeper's producer fails fast: with Redis gone a sweep is skipped, not left waiting.
  const producer = createRedis(config.redisUrl);
  producer.on('error', () => undefined);
  const webhookQueue = createWebhookQueue(producer, config.webhooks.queueName, config.webhooks.retryDelaysMs);
  const stopSweeper = startPendingSweeper(orm, webhookQueue, logger);
  const notificationQueue = createNotificationQueue(producer, config.notifier.queueName, { logger });
  const stopNotificationSweeper = startNotificationSweeper(orm, notificationQueue, logger, {
    intervalMs: config.notifier.sweepMs,
    graceMs: config.notifier.sweepGraceMs,
  });
  await worker.waitUntilReady();
  await webhookWorker.waitUntilReady();
  logger.info({ queue: config.notifier.queueName, concurrency: config.notifier.concurrency, via: mailer.target }, 'notifier started');
  onShutdown(logger, async () => {
    // Lets jobs in flight finish (and be recorded) before the connections go. With Redis gone that
    // wait never ends: after the grace period the worker is closed by force and the jobs it held
    // return to the queue when their locks expire (delivery is idempotent).
    stopSweeper();
    stopNotificationSweeper();
    const closed = await Promise.all([within(worker.close(), CLOSE_GRACE_MS), within(webhookWorker.close(), CLOSE_GRACE_MS)]);
    if (!closed.every(Boolean)) {
      logger.warn({ graceMs: CLOSE_GRACE_MS }, 'jobs still in flight after the grace period; closing by force');
      await within(Promise.all([worker.close(true), webhookWorker.close(true)]), 1_000);
    }
    await within(Promise.all([webhookQueue.close(), notificationQueue.close(), orm.close()]), 1_000);
    producer.disconnect();
    await within(mailer.close(), 1_000);
    // `quit` would wait for a reply Redis may never send.
    connection.disconnect();
    if (tracing) await within(tracing.shutdown(), 1_000);
  });
});
