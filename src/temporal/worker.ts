import { DefaultLogger, IllegalStateError, NativeConnection, Runtime, Worker, type LogLevel, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/sql';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createRecordingActivities } from '../../activities/recording.activities';
import { createRetentionActivities } from '../../activities/retention.activities';
import { createNotificationQueue } from '../notifications/notification-queue';
import { createWebhookQueue } from '../webhooks/webhook-queue';
import { createWebhookEmitter } from '../webhooks/webhook-emitter';
import { createRecordingFailureStats } from '../applications/recording-failures';
import { dataConverterFor } from './data-converter';
import { connectionFailure, connectionOptions } from './connection-security';

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
export async function createApplicationWorker({ config, logger, orm, redis, workflowBundle, recordingRetryWindowMs }: ApplicationWorkerDeps): Promise<Worker> {
  installRuntime(logger);
  const connection = await NativeConnection.connect(connectionOptions(config.temporal)).catch(async (err: unknown) => {
    throw await connectionFailure(config.temporal, err);
  });
  const queue = createNotificationQueue(redis, config.notifier.queueName);
  const webhookQueue = createWebhookQueue(redis, config.webhooks.queueName, config.webhooks.retryDelaysMs);
  const webhooks = { emitter: createWebhookEmitter(orm, webhookQueue), ui: { uiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace } };
  try {
    return await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      ...workflowSource(config, workflowBundle),
      activities: {
        ...createRecordingActivities({
          orm, queue, logger, failures: createRecordingFailureStats(redis, config.temporal.taskQueue), retryWindowMs: recordingRetryWindowMs, payloadKeys: config.auth.payloadKeys, webhooks,
        }),
        ...createRetentionActivities({ orm, logger, retentionDays: config.retentionDays }),
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

/**
 * How the worker polls. Exported so the benchmarks' bare workers poll the same way and
 * the comparison is between workflows only.
 */
export const WORKER_TUNING = {
  // A new application's first task arrives on the normal (non-sticky) queue, which the server
  // splits into partitions (4 on the dev server). With the default ratio only two pollers wait
  // there, and a task on an unwatched partition sat about 2 s before reaching one: applies
  // showed 2 s outliers under load. As many normal as sticky pollers removes them.
  nonStickyToStickyPollRatio: 1,
} satisfies Partial<WorkerOptions>;

function workflowSource(config: Config, bundle?: WorkflowBundleOption): { workflowBundle: WorkflowBundleOption } | { workflowsPath: string } {
  if (bundle) return { workflowBundle: bundle };
  if (config.temporal.workflowBundlePath) return { workflowBundle: { codePath: config.temporal.workflowBundlePath } };
  return { workflowsPath: require.resolve('../../workflows') };
}

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/**
 * Routes the SDK's and workflows' logs into our logger. The process's own signal handling owns
 * shutdown, so the runtime installs none. A process gets one runtime: later calls keep the first.
 */
function installRuntime(logger: Logger): void {
  const sdkLogger = new DefaultLogger(LEVELS[logger.level] ?? 'ERROR', ({ level, message, meta }) => {
    logger[level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error'](meta ?? {}, message);
  });
  try {
    // Core's own (Rust) log lines are forwarded too, instead of going straight to the console.
    const level = LEVELS[logger.level] ?? 'ERROR';
    Runtime.install({ logger: sdkLogger, shutdownSignals: [], telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } } });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err;
  }
}
