import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { WebhookEvent, WebhookPayload } from './webhook-events';
import type { WebhookJobData } from './webhook-queue';
import { activeSubscriptions, insertDelivery } from './webhook-store';
import { addJobs } from '../notifications/add-jobs';

/**
 * One thing that happened, for the subscriptions that asked for its event. `sourceKey` names it (an
 * application's transition, a job's write) so emitting it again, from a retried recording say,
 * changes nothing. `subject`: the application the payload shows (its personal data goes with an
 * erasure). The payload may be a function, run only when someone subscribes (null: nothing to send),
 * and given the transaction the deliveries are written in, so it sees what that transaction wrote.
 */
export interface WebhookEmission {
  event: WebhookEvent;
  sourceKey: string;
  payload: WebhookPayload | ((em: EntityManager) => Promise<WebhookPayload | null>);
  subject?: string;
}

/** A delivery row written in SQL, its job still to be queued. */
export interface StagedDelivery {
  id: string;
  event: WebhookEvent;
}

/**
 * Emits events to every active subscription that asked for them: a delivery row each, then a
 * BullMQ job whose id is the delivery's. A row whose job never made it to Redis is queued by the
 * notifier's sweep (src/webhooks/pending-sweeper.ts).
 */
export interface WebhookEmitter {
  /** Writes the deliveries (each row on its own), then queues them. */
  emit(event: WebhookEvent, sourceKey: string, payload: WebhookEmission['payload'], subject?: string): Promise<void>;
  /**
   * Writes the deliveries inside the caller's transaction, so they commit with what happened or not
   * at all; returns them, to `enqueue` once it has committed. The subscriptions are read once for all.
   */
  stage(em: EntityManager, emissions: readonly WebhookEmission[]): Promise<StagedDelivery[]>;
  /** Queues staged deliveries; waits for Redis a few seconds at most, then rejects. Queuing one again is a no-op. */
  enqueue(deliveries: readonly StagedDelivery[]): Promise<void>;
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
  const emitter: WebhookEmitter = {
    async emit(event, sourceKey, payload, subject) {
      await emitter.enqueue(await emitter.stage(orm.em.fork(), [{ event, sourceKey, payload, subject }]));
    },
    async stage(em, emissions) {
      if (!emissions.length) return [];
      const subscriptions = await activeSubscriptions(em);
      const staged: StagedDelivery[] = [];
      for (const { event, sourceKey, payload, subject } of emissions) {
        const subscribers = subscriptions.filter((s) => s.events.includes(event));
        if (!subscribers.length) continue;
        const built = typeof payload === 'function' ? await payload(em) : payload;
        if (!built) continue;
        const body = JSON.stringify(built);
        for (const s of subscribers) {
          const id = deliveryId(sourceKey, event, s.id);
          await insertDelivery(em, { id, subscriptionId: s.id, event, payload: body, subject });
          staged.push({ id, event });
        }
      }
      return staged;
    },
    async enqueue(deliveries) {
      if (!deliveries.length) return;
      // Adding an existing job id is a no-op in BullMQ. BullMQ waits for Redis indefinitely: bound it.
      await withinMs(
        addJobs(
          queue,
          deliveries.map((d) => ({ name: d.event, data: { deliveryId: d.id }, opts: { jobId: d.id } })),
        ),
        ENQUEUE_TIMEOUT_MS,
      );
    },
  };
  return emitter;
}
