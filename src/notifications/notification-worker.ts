import { Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/sql';
import { createNotificationOutbox } from './notification-outbox';
import { tracedProcessor } from '../telemetry/trace-context';
import type { Logger } from '../logger';
import type { Mailer } from '../mail/mailer';
import type { NotificationJobData } from './notification-queue';
import { createDeliveryLedger } from './delivery-ledger';
import { createDeliveryStats } from './delivery-stats';
import { createNotificationProcessor, messageIdDomainOf, type DeliveryResult } from './notification-processor';

export interface NotificationWorkerDeps {
  /** A connection made for workers: `maxRetriesPerRequest: null`, so a Redis outage waits instead of failing jobs. */
  connection: Redis;
  queueName: string;
  concurrency: number;
  mailer: Mailer;
  mailFrom: string;
  logger: Logger;
  /** Where sent notifications are recorded durably (the notification outbox); optional for tests of Redis alone. */
  orm?: MikroORM;
  /** Tests shorten the stalled-job checks; production keeps BullMQ's defaults. */
  options?: Partial<Pick<WorkerOptions, 'stalledInterval' | 'lockDuration' | 'drainDelay' | 'autorun'>>;
}

/**
 * How many times a job may come back after its notifier died holding it (BullMQ fails it after one by
 * default, and such a failure is never retried and never swept: the mail would be lost). A recovered
 * job is no risk of a second copy, its outbox row decides whether it is sent, so only a job that kills
 * every notifier that takes it should run out of these.
 */
export const MAX_STALLED_RECOVERIES = 100;

/** The notifier's consumer: a BullMQ worker that turns notification jobs into e-mail. */
export function createNotificationWorker(deps: NotificationWorkerDeps): Worker<NotificationJobData, DeliveryResult> {
  const { connection, queueName, logger } = deps;
  const processor = createNotificationProcessor({
    mailer: deps.mailer,
    ledger: createDeliveryLedger(connection, queueName),
    outbox: deps.orm ? createNotificationOutbox(deps.orm) : undefined,
    stats: createDeliveryStats(connection, queueName),
    logger,
    messageIdDomain: messageIdDomainOf(deps.mailFrom),
    mailFrom: deps.mailFrom,
  });
  const worker = new Worker<NotificationJobData, DeliveryResult>(queueName, tracedProcessor('notification.deliver', processor), {
    connection,
    concurrency: deps.concurrency,
    maxStalledCount: MAX_STALLED_RECOVERIES,
    ...deps.options,
  });
  // Without a listener an 'error' event (Redis gone, say) would throw and end the process.
  worker.on('error', (err) => logger.warn({ err: err.message }, 'notification worker error'));
  worker.on('failed', (job, err) => {
    if (job && (err.name === 'PermanentDeliveryError' || job.attemptsMade >= (job.opts.attempts ?? 1))) {
      logger.error(
        { jobId: job.id, attemptsMade: job.attemptsMade, reason: err.message },
        'notification failed for good; it stays in the failed list',
      );
    }
  });
  return worker;
}
