import type { EntityManager } from '@mikro-orm/sql';
import type { Services } from '../services';
import type { StagedDelivery } from './webhook-emitter';
import type { WebhookEvent } from './webhook-events';

/**
 * Writes a job's event's delivery rows in the transaction that writes the job, so the event commits
 * with the job or not at all. Keyed by the job's `updatedAt`, so staging the same write again
 * changes nothing.
 */
export function stageJobEvent(
  services: Services,
  em: EntityManager,
  type: WebhookEvent,
  job: { id: string; updatedAt: string },
): Promise<StagedDelivery[]> {
  const timestamp = new Date().toISOString();
  return services.webhooks.emitter.stage(em, [
    { event: type, sourceKey: `job.${job.id}.${job.updatedAt}`, payload: { type, timestamp, data: job } },
  ]);
}

/**
 * Queues a committed job event's deliveries. Should the queue be unreachable the write still answers
 * (logged), and the notifier's sweep queues the rows.
 */
export async function enqueueJobEvent(services: Services, deliveries: readonly StagedDelivery[], jobId: string): Promise<void> {
  await services.webhooks.emitter
    .enqueue(deliveries)
    .catch((err: Error) => services.logger.warn({ err: err.message, jobId, event: deliveries[0]?.event }, 'job webhook not queued'));
}
