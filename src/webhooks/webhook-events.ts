/** Every event a subscription can ask for. */
export const WEBHOOK_EVENTS = [
  'application.created',
  'application.stage_changed',
  'application.hired',
  'application.rejected',
  'application.withdrawn',
  'job.created',
  'job.updated',
  'job.closed',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The body of every delivery (Standard Webhooks' recommended shape). */
export interface WebhookPayload<T = unknown> { type: WebhookEvent; timestamp: string; data: T }

/** About a day of retries after the first attempt, as the Standard Webhooks guidance suggests. */
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 14 * 3600_000];
