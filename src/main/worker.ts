import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openOrm } from '../db/orm';
import { createRedis } from '../redis';
import { createApplicationWorker } from './application-worker';
import { onShutdown, runMain, within } from './run';
import { startTracing } from './tracing';

/**
 * The Temporal worker process: runs application workflows, the SQL projection and notification
 * enqueueing. Scale it independently of the API; any number may poll the same task queue.
 */
runMain('worker', async () => {
  const config = loadConfig();
  const tracing = startTracing(config, 'worker');
  const logger = createLogger(config.logLevel, 'worker');
  const orm = await openOrm(config.database);
  // The worker only enqueues: a fail-fast client lets the activity's retries handle a Redis outage.
  const redis = createRedis(config.redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const worker = await createApplicationWorker({ config, logger, orm, redis, tracing });
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker polling');
  const running = worker.run().finally(async () => {
    await worker.connection?.close();
    redis.disconnect();
    await orm.close();
  });
  // Shutdown lets in-flight tasks finish (within the grace time); anything cut off is retried elsewhere.
  // With Temporal unreachable the SDK's shutdown can wait on polls that never answer: stop waiting
  // after its own grace time and let the process go.
  onShutdown(logger, async () => {
    worker.shutdown();
    if (!(await within(running, 6_500))) {
      logger.warn('worker did not stop in time (Temporal unreachable?); exiting');
      redis.disconnect();
    }
    if (tracing) await within(tracing.shutdown(), 1_000);
  });
  await running;
});
