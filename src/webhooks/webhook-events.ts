/** Every event a subscription can ask for. */
export const WEBHOOK_EVENTS = [
  'application.created',
  'application.stage_changed',
  'application.hired',
  'application.rejected',
  'application.withdrawn',
  'application.reopened',
  'application.migrated',
  'job.created',
  'job.updated',
  'job.closed',
  'interview.scheduled',
  'interview.updated',
  'interview.cancelled',
  'scorecard.submitted',
] as const;

export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The body of every delivery (Standard Webhooks' recommended shape). */
export interface WebhookPayload<T = unknown> {
  type: WebhookEvent;
  timestamp: string;
  data: T;
}
