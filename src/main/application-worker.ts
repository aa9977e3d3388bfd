import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/sql';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createTransitionRecorder } from '../applications/transition-recorder';
import { createRecordingActivities } from '../../activities/recording.activities';
import { createRetentionActivities } from '../../activities/retention.activities';
import { createInterviewActivities } from '../../activities/interview.activities';
import { markInterviewCancelled, writeInterviewIfMissing } from '../applications/interviews';
import { recordInterviewNotice } from '../notifications/interview-notifications';
import { createNotificationQueue } from '../notifications/notification-queue';
import { createWebhookQueue } from '../webhooks/webhook-queue';
import { createWebhookEmitter } from '../webhooks/webhook-emitter';
import { createRecordingFailureStats } from '../applications/recording-failures';
import { dataConverterFor } from '../temporal/data-converter';
import { connectWorker, installRuntime, workflowSource, WORKER_TUNING } from '../temporal/worker-runtime';

export interface ApplicationWorkerDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  redis: Redis;
  /** A bundle built in advance (tests build one per file); otherwise config, otherwise built now. */
  workflowBundle?: WorkflowBundleOption;
  /** How long a recording that might still pass is retried (default one hour). */
  recordingRetryWindowMs?: number;
}

/**
 * The Temporal worker for application workflows and their activities, ready to `run()`. Its
 * connection is `worker.connection`: close it after `run()` resolves.
 */
export async function createApplicationWorker({
  config,
  logger,
  orm,
  redis,
  workflowBundle,
  recordingRetryWindowMs,
}: ApplicationWorkerDeps): Promise<Worker> {
  installRuntime(logger);
  const connection = await connectWorker(config.temporal);
  const queue = createNotificationQueue(redis, config.notifier.queueName);
  const webhookQueue = createWebhookQueue(redis, config.webhooks.queueName, config.webhooks.retryDelaysMs);
  const webhooks = {
    emitter: createWebhookEmitter(orm, webhookQueue),
    ui: { uiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace },
  };
  try {
    return await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...workflowSource(config, workflowBundle),
      activities: {
        ...createRecordingActivities({
          record: createTransitionRecorder({ orm, queue, logger, payloadKeys: config.auth.payloadKeys, webhooks }),
          logger,
          failures: createRecordingFailureStats(redis, config.temporal.taskQueue),
          retryWindowMs: recordingRetryWindowMs,
        }),
        ...createRetentionActivities({ orm, logger, retentionDays: config.retentionDays }),
        ...createInterviewActivities({
          async project({ applicationId, interview, scheduledBy, createdAt, cancelled }) {
            const em = orm.em.fork();
            if (cancelled) await markInterviewCancelled(em, interview.id);
            else await writeInterviewIfMissing(em, applicationId, interview, scheduledBy, createdAt);
          },
          send: (notice) => recordInterviewNotice({ orm, queue }, notice),
        }),
      },
      // Messages not signed with the key the API holds reach the workflow as `null`, which it refuses.
      dataConverter: dataConverterFor(config.auth, logger),
      // In-flight activities are idempotent: a short grace period, then retries elsewhere take over.
      shutdownGraceTime: '5s',
      ...WORKER_TUNING,
      ...config.temporal.workerTuning,
    });
  } catch (err) {
    await connection.close();
    throw err;
  }
}
