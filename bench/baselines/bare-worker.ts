import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { dataConverterFor } from '../../src/temporal/data-converter';
import { WORKER_TUNING } from '../../src/temporal/worker-runtime';
import { connectionOptions } from '../../src/temporal/connection-security';

/**
 * The bare baseline's worker process: the bare workflow on its own task queue (`BENCH_BARE_TASK_QUEUE`),
 * with the system worker's data converter (encrypted, signed payloads), polling and tuning, from a
 * prebuilt bundle (`BENCH_BARE_BUNDLE`) as production workers load theirs. Only the workflow differs.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const connection = await NativeConnection.connect(connectionOptions(config.temporal));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: process.env.BENCH_BARE_TASK_QUEUE ?? 'bench-bare',
    workflowBundle: { codePath: process.env.BENCH_BARE_BUNDLE! },
    dataConverter: dataConverterFor(config.auth),
    shutdownGraceTime: '1s',
    ...WORKER_TUNING,
    ...config.temporal.workerTuning,
  });
  const running = worker.run();
  process.stdout.write('bare worker polling\n');
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await running;
  await connection.close();
}

main().catch((err: Error) => {
  process.stderr.write(`bare worker: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
