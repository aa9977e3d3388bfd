import type { Config } from '../config';
import type { Services } from '../services';
import { createLogger } from '../logger';
import { createRedis } from '../redis';
import { openOrm } from '../db/orm';
import { createTemporalClient } from '../temporal/client';
import { createTokenService } from '../auth/tokens';
import { createPasswordHasher } from '../auth/passwords';
import { createMetrics } from '../metrics';
import { observeRecordingFailures } from '../applications/recording-failures';
import { withinMs } from '../webhooks/webhook-emitter';
import { createNotificationQueue } from '../notifications/notification-queue';
import { createWebhookServices } from './webhook-services';
import { createTransitionRecorder } from '../applications/transition-recorder';
import { pipelineVersion } from '../jobs/pipelines';
import type { pipelineMigrationWorkflow } from '../../workflows/pipeline-migration.workflow';

/** Builds the API's services from the configuration; `close()` releases them. */
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
    recordTransitions: createTransitionRecorder({
      orm,
      queue: notifications,
      logger,
      payloadKeys: config.auth.payloadKeys,
      webhooks: { emitter: webhooks.emitter, ui: { uiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace } },
    }),
    pipelineMigrations: {
      // The migration's own workflow (its id the migration's) walks the applications; one start per migration.
      async start(m) {
        const target = await pipelineVersion(orm.em.fork(), m.jobId, m.toVersion);
        if (!target) throw new Error(`pipeline version ${m.toVersion} of job ${m.jobId} is missing`);
        await temporal.workflow.start<typeof pipelineMigrationWorkflow>('pipelineMigrationWorkflow', {
          workflowId: m.id,
          taskQueue: config.temporal.taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
          args: [
            {
              migrationId: m.id,
              jobId: String(m.jobId),
              fromVersion: m.fromVersion,
              pipeline: { version: target.version, stages: target.stages },
              stageMap: m.stageMap,
              by: String(m.createdBy ?? 'system'),
            },
          ],
        });
      },
    },
    async close() {
      // With Redis gone, BullMQ's close waits for it forever.
      await withinMs(Promise.all([webhooks.queue.close(), notifications.close()]), 1_000).catch(() => undefined);
      await temporal.connection.close();
      redis.disconnect();
      await orm.close();
    },
  };
}
