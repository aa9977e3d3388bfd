import { createHash } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { WebhookEvent, WebhookPayload } from './webhook-events';
import type { WebhookJobData } from './webhook-queue';
import { insertDelivery, subscribersOf } from './webhook-store';
import { addJobs } from '../notifications/add-jobs';

/**
 * Emits one event to every active subscription that asked for it: a delivery row, then a BullMQ
 * job whose id is the delivery's. `sourceKey` names what happened (an application's transition, a
 * job's write) so emitting the same thing again, from a retried activity say, changes nothing.
 */
export interface WebhookEmitter {
  /**
   * `subject`: the application the payload shows (its personal data goes with an erasure). The
   * payload may be given as a function, built only when someone subscribes (null: nothing to send).
   */
  emit(
    event: WebhookEvent,
    sourceKey: string,
    payload: WebhookPayload | (() => Promise<WebhookPayload | null>),
    subject?: string,
  ): Promise<void>;
}

/** The Standard Webhooks `webhook-id`: stable per (what happened, event, subscription). BullMQ forbids ':' in ids. */
export function deliveryId(sourceKey: string, event: WebhookEvent, subscriptionId: string): string {
  return `msg_${createHash('sha256').update(`${sourceKey}|${event}|${subscriptionId}`).digest('hex').slice(0, 32)}`;
}

const ENQUEUE_TIMEOUT_MS = 3_000;

/** `promise`, or a rejection once `ms` have passed. */
export function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The webhook queue did not answer within ${ms} ms.`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function createWebhookEmitter(orm: MikroORM, queue: Queue<WebhookJobData>): WebhookEmitter {
  return {
    async emit(event, sourceKey, payload, subject) {
      const em = orm.em.fork();
      const subscribers = await subscribersOf(em, event);
      if (!subscribers.length) return;
      const built = typeof payload === 'function' ? await payload() : payload;
      if (!built) return;
      const body = JSON.stringify(built);
      const ids = subscribers.map((s) => ({ id: deliveryId(sourceKey, event, s.id), subscriptionId: s.id }));
      for (const d of ids) await insertDelivery(em, { ...d, event, payload: body, subject });
      // Adding an existing job id is a no-op in BullMQ. BullMQ waits for Redis indefinitely: bound it.
      await withinMs(
        addJobs(
          queue,
          ids.map((d) => ({ name: event, data: { deliveryId: d.id }, opts: { jobId: d.id } })),
        ),
        ENQUEUE_TIMEOUT_MS,
      );
    },
  };
}
