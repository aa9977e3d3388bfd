import { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/sql';
import type { Client } from '@temporalio/client';
import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { openOrm } from './db/orm';
import { createTemporalClient } from './temporal/client';
import { createTokenService, type TokenService } from './auth/tokens';
import { createPasswordHasher, type PasswordHasher } from './auth/passwords';
import { createMetrics, type Metrics } from './metrics';
import { observeRecordingFailures } from './applications/recording-failures';
import { createWebhookServices, type WebhookServices } from './webhooks/webhook-services';
import { withinMs } from './webhooks/webhook-emitter';

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
  close(): Promise<void>;
}

export function createRedis(url: string, options: { forWorker?: boolean } = {}): Redis {
  // BullMQ workers need blocking commands to wait forever; request-path clients should fail fast.
  return new Redis(url, options.forWorker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

export async function createServices(config: Config, logger = createLogger(config.logLevel, 'api')): Promise<Services> {
  const orm = await openOrm(config.database);
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const temporal = await createTemporalClient(config);
  const metrics = createMetrics();
  observeRecordingFailures(metrics, redis, config.temporal.taskQueue);
  const webhooks = createWebhookServices(config, orm, redis);
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
    async close() {
      // With Redis gone, BullMQ's close waits for it forever.
      await withinMs(webhooks.queue.close(), 1_000).catch(() => undefined);
      await temporal.connection.close();
      redis.disconnect();
      await orm.close();
    },
  };
}
