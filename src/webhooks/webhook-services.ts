import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { createSecretBox, type SecretBox } from './webhook-secrets';
import { createWebhookQueue, type WebhookJobData } from './webhook-queue';
import { createWebhookEmitter, type WebhookEmitter } from './webhook-emitter';

/** What the API and the workers need to emit webhooks (the notifier delivers them). */
export interface WebhookServices { queue: Queue<WebhookJobData>; emitter: WebhookEmitter; secrets: SecretBox }

export function createWebhookServices(config: Config, orm: MikroORM, redis: Redis): WebhookServices {
  const queue = createWebhookQueue(redis, config.webhooks.queueName, config.webhooks.retryDelaysMs);
  return { queue, emitter: createWebhookEmitter(orm, queue), secrets: createSecretBox(config.auth.secretKey, config.auth.previousSecretKeys) };
}
