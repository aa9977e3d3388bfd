import type { Services } from '../services';
import type { WebhookEvent } from './webhook-events';

/**
 * Emits a job's event after its SQL write has committed. Should the API stop between the write and
 * the delivery row, the event is lost (there is no outbox in the job's transaction); should the
 * queue be unreachable, the write still answers (logged) and the notifier's sweep enqueues the row.
 * Keyed by the job's `updatedAt`, so emitting the same write again changes nothing.
 */
export async function emitJobEvent(services: Services, type: WebhookEvent, job: { id: string; updatedAt: string }): Promise<void> {
  const timestamp = new Date().toISOString();
  await services.webhooks.emitter
    .emit(type, `job.${job.id}.${job.updatedAt}`, { type, timestamp, data: job })
    .catch((err: Error) => services.logger.warn({ err: err.message, jobId: job.id, event: type }, 'job webhook not emitted'));
}
