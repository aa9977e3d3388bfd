import type { MikroORM } from '@mikro-orm/sql';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { WebhookServices } from '../webhooks/webhook-services';
import { createSecretBox } from '../webhooks/webhook-secrets';
import { createWebhookQueue } from '../webhooks/webhook-queue';
import { createWebhookEmitter } from '../webhooks/webhook-emitter';

/** The webhook queue, emitter and secret box the API uses. */
export function createWebhookServices(config: Config, orm: MikroORM, redis: Redis): WebhookServices {
  const queue = createWebhookQueue(redis, config.webhooks.queueName, config.webhooks.retryDelaysMs);
  return {
    queue,
    emitter: createWebhookEmitter(orm, queue),
    secrets: createSecretBox(config.auth.secretKey, config.auth.previousSecretKeys),
  };
}
