import { Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
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
import { createMigrationActivities } from '../../activities/migration.activities';
import { recordMigrationProgress } from '../jobs/pipeline-migrations';
import { createTemporalClient } from '../temporal/client';
import { migrateApplication, runningOnVersion } from '../applications/pipeline-migration';
import { createNotificationQueue } from '../notifications/notification-queue';
import { createWebhookQueue } from '../webhooks/webhook-queue';
import { createWebhookEmitter } from '../webhooks/webhook-emitter';
import { createRecordingFailureStats } from '../applications/recording-failures';
import { dataConverterFor } from '../temporal/data-converter';
import { connectWorker, installRuntime, workflowSource, WORKER_TUNING } from '../temporal/worker-runtime';
import { versioningOptions } from '../temporal/worker-versioning';
import type { Tracing } from './tracing';

export interface ApplicationWorkerDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  redis: Redis;
  /** A bundle built in advance (tests build one per file); otherwise config, otherwise built now. */
  workflowBundle?: WorkflowBundleOption;
  /** How long a recording that might still pass is retried (default one hour). */
  recordingRetryWindowMs?: number;
  /** This process's OpenTelemetry SDK, when tracing is on: workflows and activities get spans. */
  tracing?: Tracing;
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
  tracing,
}: ApplicationWorkerDeps): Promise<Worker> {
  installRuntime(logger);
  const connection = await connectWorker(config.temporal);
  const queue = createNotificationQueue(redis, config.notifier.queueName);
  const webhookQueue = createWebhookQueue(redis, config.webhooks.queueName, config.webhooks.retryDelaysMs);
  const webhooks = {
    emitter: createWebhookEmitter(orm, webhookQueue),
    ui: { uiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace },
  };
  // Migrations send updates to applications: a client of the worker's own, connected when first needed.
  let client: Promise<Client> | undefined;
  const clientOf = () => (client ??= createTemporalClient(config));
  const source = workflowSource(config, workflowBundle);
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...versioningOptions(config.temporal),
      ...source,
      ...(tracing ? tracingOptions(tracing, source) : {}),
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
        ...createMigrationActivities({
          list: (query) => runningOnVersion(orm.em.fork(), query),
          migrate: async (applicationId, batch, signal) => migrateApplication(await clientOf(), applicationId, batch, signal),
          record: ({ migrationId, ...progress }) => recordMigrationProgress(orm.em.fork(), migrationId, progress),
        }),
      },
      // Messages not signed with the key the API holds reach the workflow as `null`, which it refuses.
      dataConverter: dataConverterFor(config.auth, logger),
      // In-flight activities are idempotent: a short grace period, then retries elsewhere take over.
      shutdownGraceTime: '5s',
      ...WORKER_TUNING,
      ...config.temporal.workerTuning,
    });
    // The migrations' client goes when the worker stops.
    const run = worker.run.bind(worker);
    worker.run = async () => {
      try {
        return await run();
      } finally {
        if (client) await (await client.catch(() => null))?.connection.close();
      }
    };
    return worker;
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/**
 * Activity spans (children of the workflow's), and the sink the workflow interceptors export their
 * spans through; the workflow interceptors themselves come with the workflow code (`workflowSource`).
 * Loaded only with tracing on.
 */
function tracingOptions(tracing: Tracing, source: ReturnType<typeof workflowSource>): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const otel = require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  return {
    interceptors: {
      ...('interceptors' in source ? source.interceptors : {}),
      activity: [
        (ctx) => ({
          inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
