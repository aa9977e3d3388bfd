import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/sql';
import type { Client } from '@temporalio/client';
import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { createRedis } from './redis';
import { openOrm } from './db/orm';
import { createTemporalClient } from './temporal/client';
import { createTokenService, type TokenService } from './auth/tokens';
import { createPasswordHasher, type PasswordHasher } from './auth/passwords';
import { createMetrics, type Metrics } from './metrics';
import { observeRecordingFailures } from './applications/recording-failures';
import { createWebhookServices, type WebhookServices } from './webhooks/webhook-services';
import { withinMs } from './webhooks/webhook-emitter';
import type { Queue } from 'bullmq';
import { createNotificationQueue, type NotificationJobData } from './notifications/notification-queue';

/** Everything the API needs, built once from the configuration and passed explicitly. */
export interface Services {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  redis: Redis;
  temporal: Client;
  tokens: TokenService;
  passwords: PasswordHasher;
  metrics: Metrics;
  webhooks: WebhookServices;
  /** Where the API queues the notifications of the changes it records. */
  notifications: Queue<NotificationJobData>;
  close(): Promise<void>;
}

export async function createServices(config: Config, logger = createLogger(config.logLevel, 'api')): Promise<Services> {
  const orm = await openOrm(config.database);
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const temporal = await createTemporalClient(config);
  const metrics = createMetrics();
  observeRecordingFailures(metrics, redis, config.temporal.taskQueue);
  const webhooks = createWebhookServices(config, orm, redis);
  const notifications = createNotificationQueue(redis, config.notifier.queueName, { logger });
  return {
    config,
    logger,
    orm,
    redis,
    temporal,
    tokens: createTokenService(config.auth.secretKey, config.auth.accessTokenExpireMinutes),
    passwords: createPasswordHasher({ concurrency: config.auth.hashConcurrency, maxWaiting: config.auth.hashQueueMax }),
    metrics,
    webhooks,
    notifications,
    async close() {
      // With Redis gone, BullMQ's close waits for it forever.
      await withinMs(Promise.all([webhooks.queue.close(), notifications.close()]), 1_000).catch(() => undefined);
      await temporal.connection.close();
      redis.disconnect();
      await orm.close();
    },
  };
}
