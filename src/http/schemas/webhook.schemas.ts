import { z } from '../openapi';
import { requestBody } from './request-body.schemas';
import { WebUrl } from './url.schemas';
import { WEBHOOK_EVENTS } from '../../webhooks/webhook-events';
import type { WebhookSubscription, WebhookDelivery } from '../../webhooks/webhook-store';

export const WebhookEventEnum = z.enum(WEBHOOK_EVENTS).openapi('WebhookEvent');
const Events = z
  .array(WebhookEventEnum)
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .transform((events) => [...new Set(events)])
  .openapi({ description: 'The events to receive (at least one; repeats are ignored).' });
const ReceiverUrl = WebUrl.openapi({
  example: 'https://hooks.example.com/ats',
  description: 'Where deliveries are POSTed: an `https:` or `http:` URL on a public address.',
});

const webhookShape = {
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventEnum),
  active: z.boolean().openapi({ description: 'False once disabled (by PATCH, or after the receiver answered 410 Gone).' }),
  createdAt: z.string().openapi({ format: 'date-time' }),
  updatedAt: z.string().openapi({ format: 'date-time' }),
};

export const WebhookJson = z.object(webhookShape).openapi('Webhook');

/** Written out rather than extended: an extended registered schema becomes `allOf`, which client generators misread. */
export const WebhookWithSecretJson = z
  .object({
    ...webhookShape,
    secret: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/=]+$/)
      .openapi({
        description: 'The Standard Webhooks signing secret; shown only when created or rotated.',
        example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      }),
  })
  .openapi('WebhookWithSecret');

/** A list as every list of the API answers it; all subscriptions fit one page, so `nextCursor` is null. */
export const WebhookList = z.object({ items: z.array(WebhookJson), nextCursor: z.string().nullable() }).openapi('WebhookList');

export const CreateWebhookBody = requestBody(
  z.strictObject({
    url: ReceiverUrl,
    events: Events,
    active: z.boolean().optional().openapi({ default: true }),
  }),
).openapi('CreateWebhook');

export const UpdateWebhookBody = requestBody(
  z.strictObject({
    url: ReceiverUrl.optional(),
    events: Events.optional(),
    active: z.boolean().optional(),
  }),
).openapi('UpdateWebhook');

export const WebhookIdParams = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'wh_3f1c…' }) });
export const DeliveryParams = z.object({
  id: WebhookIdParams.shape.id,
  deliveryId: z.string().openapi({ param: { name: 'deliveryId', in: 'path' }, example: 'msg_9a2e…' }),
});

export const WebhookDeliveryJson = z
  .object({
    id: z.string().openapi({ description: 'The `webhook-id` every attempt of this delivery carries.' }),
    event: WebhookEventEnum,
    status: z.enum(['pending', 'retrying', 'succeeded', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The receiver's last HTTP status; null when it gave none (refused, timed out, unreachable)." }),
    lastAttemptAt: z.string().nullable().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookDelivery');

/** The newest deliveries, as a list of the API answers it (one page: `nextCursor` is null). */
export const WebhookDeliveryList = z
  .object({ items: z.array(WebhookDeliveryJson), nextCursor: z.string().nullable() })
  .openapi('WebhookDeliveryList');

export const toWebhookJson = (s: WebhookSubscription): z.output<typeof WebhookJson> => ({
  id: s.id,
  url: s.url,
  events: s.events,
  active: s.active,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const toDeliveryJson = (d: WebhookDelivery): z.output<typeof WebhookDeliveryJson> => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastAttemptAt: d.lastAttemptAt,
  createdAt: d.createdAt,
});
