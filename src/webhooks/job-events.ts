import type { Services } from '../services';
import type { WebhookEvent } from './webhook-events';

/**
 * Emits a job's event after its SQL write has committed. At least once per write as seen by the
 * API: should the API stop between the write and this, the event is lost; should the queue be
 * unreachable, the write still answers (logged). Keyed by the job's `updatedAt`, so the same
 * write emitted again (an idempotent replay does not run the handler at all) changes nothing.
 */
export async function emitJobEvent(services: Services, type: WebhookEvent, job: { id: string; updatedAt: string }): Promise<void> {
  const timestamp = new Date().toISOString();
  await services.webhooks.emitter.emit(type, `job.${job.id}.${job.updatedAt}`, { type, timestamp, data: job })
    .catch((err: Error) => services.logger.warn({ err: err.message, jobId: job.id, event: type }, 'job webhook not emitted'));
}
