import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, testEnv, type TestStack } from './stack';

const ROOT = path.resolve(__dirname, '../..');
const WORKER_ENTRY = path.join(ROOT, 'dist/src/main/worker.js');
const BUNDLE_ENTRY = path.join(ROOT, 'dist/src/temporal/bundle.js');

/** The workflow bundle prebuilt the way production does it, so worker processes start without webpack; its path. */
export function bundleForWorkerProcess(stack: TestStack): string {
  if (!fs.existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: build first (npm test builds before running Jest)`);
  const bundlePath = path.join(stack.dir, 'workflow-bundle.js');
  execFileSync(process.execPath, [BUNDLE_ENTRY, bundlePath], { cwd: ROOT, stdio: 'ignore' });
  return bundlePath;
}

/**
 * Starts `node dist/src/main/worker.js` on the stack's database, task queue and notification queue;
 * resolves once it polls. `started` gets the process at once, so a caller can stop one that never gets ready.
 */
export async function startWorkerProcessOf(
  stack: TestStack,
  bundlePath: string,
  started?: (child: ChildProcess) => void,
): Promise<ChildProcess> {
  const env = {
    ...testEnv(stack.dir),
    DATABASE_URL: stack.config.database.url,
    TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue,
    NOTIFICATION_QUEUE: stack.config.notifier.queueName,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    LOG_LEVEL: 'info',
    PATH: process.env.PATH ?? '',
  };
  const child = spawn(process.execPath, [WORKER_ENTRY], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started?.(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

/** A stack whose workers run as processes of their own (`start` adds one), as production runs them. */
export interface WorkerProcessStack {
  stack: TestStack;
  start(): Promise<ChildProcess>;
  /** Kills the workers still running, then closes the stack. */
  close(): Promise<void>;
}

export async function startWorkerProcessStack(env?: Record<string, string>): Promise<WorkerProcessStack> {
  const stack = await startStack(env);
  const bundlePath = bundleForWorkerProcess(stack);
  const workers: ChildProcess[] = [];
  return {
    stack,
    start: () => startWorkerProcessOf(stack, bundlePath, (child) => workers.push(child)),
    async close() {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
      await stack.close();
    },
  };
}
