import type { Queue } from 'bullmq';
import type { WebhookJobData } from './webhook-queue';
import type { WebhookEmitter } from './webhook-emitter';
import type { SecretBox } from './webhook-secrets';

/** What the API and the workers need to emit webhooks (the notifier delivers them); built in src/main. */
export interface WebhookServices {
  queue: Queue<WebhookJobData>;
  emitter: WebhookEmitter;
  secrets: SecretBox;
}
