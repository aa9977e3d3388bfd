import type { Redis } from 'ioredis';
import type { MikroORM } from '@mikro-orm/sql';
import type { Client } from '@temporalio/client';
import type { Queue } from 'bullmq';
import type { Config } from './config';
import type { Logger } from './logger';
import type { TokenService } from './auth/tokens';
import type { PasswordHasher } from './auth/passwords';
import type { Metrics } from './metrics';
import type { WebhookServices } from './webhooks/webhook-services';
import type { NotificationJobData } from './notifications/notification-queue';
import type { TransitionRecorder } from './applications/transition-recorder';
import type { PipelineMigrationRecord } from './jobs/pipeline-migrations';

/**
 * Everything the API needs, built once from the configuration and passed explicitly. Only the
 * shape lives here, so features can take it without importing the wiring (src/main/services.ts).
 */
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
  /** The one transition recorder, shared with the workers' recording activity. */
  recordTransitions: TransitionRecorder;
  /** Starts the durable workflow that moves a recorded migration's applications; absent, migrations answer 503. */
  pipelineMigrations?: { start(m: PipelineMigrationRecord): Promise<void> };
  close(): Promise<void>;
}
