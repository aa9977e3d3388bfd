import { DelayedError, UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { tracedProcessor } from '../telemetry/trace-context';
import type { Redis } from 'ioredis';
import type { EntityManager, MikroORM } from '@mikro-orm/sql';
import type { Logger } from '../logger';
import type { SecretBox } from './webhook-secrets';
import { signatureHeaders } from './webhook-signature';
import { guardedPost, RefusedAddressError } from './guarded-post';
import { webhookBackoff, type WebhookJobData } from './webhook-queue';
import {
  findDelivery,
  findSubscription,
  recordAttempt,
  updateSubscription,
  type StoredDelivery,
  type StoredSubscription,
} from './webhook-store';

export interface WebhookWorkerDeps {
  connection: Redis;
  orm: MikroORM;
  secrets: SecretBox;
  logger: Logger;
  queueName: string;
  concurrency: number;
  /** Deliveries to one subscription in flight at once in this process; default a quarter of `concurrency`. */
  perSubscription?: number;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  allowPrivate: boolean;
  options?: Partial<Pick<WorkerOptions, 'stalledInterval' | 'lockDuration' | 'drainDelay' | 'autorun'>>;
}

export type WebhookOutcome = 'delivered' | 'skipped';

/** How long a delivery waits when its subscription already has its share of the slots: about a second. */
const BUSY_DELAY_MS = 750;

/**
 * Sends one delivery: 2xx ends it; 410 Gone disables the subscription (the receiver asked us to
 * stop); any other answer, a timeout or a refused address is retried on the backoff schedule.
 * One subscription holds at most `perSubscription` of the worker's slots: a receiver that answers
 * slowly delays its own deliveries, never the other subscribers'. A delivery over that share goes
 * back to the queue for a moment (not an attempt) and frees its slot.
 */
export function createWebhookProcessor(
  deps: Omit<WebhookWorkerDeps, 'connection' | 'queueName' | 'concurrency' | 'options'> & { concurrency?: number },
) {
  const share = deps.perSubscription ?? Math.max(1, Math.floor((deps.concurrency ?? 1) / 4));
  const inFlight = new Map<string, number>();
  return async (job: Job<WebhookJobData>, token?: string): Promise<WebhookOutcome> => {
    const em = deps.orm.em.fork();
    const delivery = await findDelivery(em, job.data.deliveryId);
    const subscription = delivery && (await findSubscription(em, delivery.subscriptionId));
    // Deleted or disabled since: nothing to send.
    if (!delivery || !subscription?.active) return 'skipped';
    const busy = inFlight.get(subscription.id) ?? 0;
    if (busy >= share) {
      await job.moveToDelayed(Date.now() + BUSY_DELAY_MS + Math.floor(Math.random() * BUSY_DELAY_MS), token);
      throw new DelayedError();
    }
    inFlight.set(subscription.id, busy + 1);
    try {
      return await send(em, job, delivery, subscription);
    } finally {
      const left = (inFlight.get(subscription.id) ?? 1) - 1;
      if (left > 0) inFlight.set(subscription.id, left);
      else inFlight.delete(subscription.id);
    }
  };

  async function send(
    em: EntityManager,
    job: Job<WebhookJobData>,
    delivery: StoredDelivery,
    subscription: StoredSubscription,
  ): Promise<WebhookOutcome> {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const headers = signatureHeaders(deps.secrets.open(subscription.sealedSecret), delivery.id, delivery.payload);
    let status: number | null = null;
    try {
      ({ status } = await guardedPost(subscription.url, headers, delivery.payload, {
        timeoutMs: deps.timeoutMs,
        allowPrivate: deps.allowPrivate,
      }));
    } catch (err) {
      await recordAttempt(em, delivery.id, last ? 'failed' : 'retrying', null);
      if (err instanceof RefusedAddressError)
        deps.logger.warn({ deliveryId: delivery.id, subscriptionId: subscription.id, err: err.message }, 'webhook refused');
      throw err;
    }
    if (status >= 200 && status < 300) {
      await recordAttempt(em, delivery.id, 'succeeded', status);
      return 'delivered';
    }
    if (status === 410) {
      await recordAttempt(em, delivery.id, 'failed', status);
      await updateSubscription(em, subscription.id, { active: false });
      deps.logger.warn({ subscriptionId: subscription.id }, 'webhook receiver answered 410 Gone; subscription disabled');
      throw new UnrecoverableError('The receiver answered 410 Gone; the subscription is disabled.');
    }
    await recordAttempt(em, delivery.id, last ? 'failed' : 'retrying', status);
    throw new Error(`The receiver answered ${status}.`);
  }
}

/**
 * How many times a delivery may come back after its notifier died holding it. BullMQ fails it after
 * one by default, and such a failure is never retried nor swept: the delivery would be lost. One
 * that comes back may be posted again, as any retry may (receivers deduplicate on `webhook-id`);
 * only a delivery that kills every notifier that takes it should run out of these.
 */
export const MAX_STALLED_RECOVERIES = 100;

/** The notifier's webhook consumer: its own queue and concurrency, beside the e-mail one. */
export function createWebhookWorker(deps: WebhookWorkerDeps): Worker<WebhookJobData, WebhookOutcome> {
  const worker = new Worker<WebhookJobData, WebhookOutcome>(
    deps.queueName,
    tracedProcessor('webhook.deliver', createWebhookProcessor(deps)),
    {
      connection: deps.connection,
      concurrency: deps.concurrency,
      maxStalledCount: MAX_STALLED_RECOVERIES,
      settings: { backoffStrategy: webhookBackoff(deps.retryDelaysMs) },
      ...deps.options,
    },
  );
  worker.on('error', (err) => deps.logger.warn({ err: err.message }, 'webhook worker error'));
  return worker;
}
