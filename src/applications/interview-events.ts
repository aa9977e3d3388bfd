import type { Services } from '../services';
import type { WebhookEvent } from '../webhooks/webhook-events';

/**
 * Emits an interview's or a scorecard's webhook after its SQL write: `data` is the resource as an
 * admin reads it, `subject` its application (whose personal data an erasure removes from deliveries).
 * Keyed by `sourceKey` (the resource and its version), so emitting the same write again changes
 * nothing. Like a job's events, a queue that cannot be reached is logged and leaves the answer alone.
 */
export async function emitInterviewEvent(
  services: Services,
  type: WebhookEvent,
  sourceKey: string,
  applicationId: string,
  data: unknown,
): Promise<void> {
  const timestamp = new Date().toISOString();
  await services.webhooks.emitter
    .emit(type, sourceKey, { type, timestamp, data }, applicationId)
    .catch((err: Error) => services.logger.warn({ err: err.message, applicationId, event: type }, 'interview webhook not emitted'));
}
