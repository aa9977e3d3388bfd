import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from './openapi';
import { WEBHOOK_EVENTS } from '../webhooks/webhook-events';
import { ApplicationEventJson } from './schemas/application.schemas';
import { JobJson } from './schemas/job.schemas';
import { InterviewJson, ScorecardJson } from './schemas/interview.schemas';

const SignatureHeaders = z.object({
  'webhook-id': z.string().openapi({ description: "The delivery's id: the same on every attempt, so receivers can de-duplicate." }),
  'webhook-timestamp': z.string().openapi({ description: 'Unix seconds of this attempt.' }),
  'webhook-signature': z.string().openapi({
    description:
      '`v1,` then the base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the base64-decoded part of the secret after `whsec_` (Standard Webhooks).',
  }),
});

/** Every event as an OpenAPI 3.1 `webhooks` entry: what receivers get, and the answers that matter. */
export function registerWebhookEvents(registry: OpenAPIRegistry): void {
  for (const type of WEBHOOK_EVENTS) {
    const data = type.startsWith('job.')
      ? JobJson
      : type.startsWith('interview.')
        ? InterviewJson
        : type.startsWith('scorecard.')
          ? ScorecardJson
          : ApplicationEventJson;
    registry.registerWebhook({
      method: 'post',
      path: type,
      summary: `The \`${type}\` event`,
      tags: ['Webhooks'],
      request: {
        headers: SignatureHeaders,
        body: {
          content: {
            'application/json': {
              schema: z.object({ type: z.literal(type), timestamp: z.string().openapi({ format: 'date-time' }), data }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Any 2xx: delivered' },
        410: { description: 'Gone: the subscription is disabled, nothing more is sent' },
        default: { description: 'Anything else, or no answer within 10 s: retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 14 h' },
      },
    });
  }
}
