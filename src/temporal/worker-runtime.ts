import {
  DefaultLogger,
  IllegalStateError,
  NativeConnection,
  Runtime,
  type LogLevel,
  type WorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import fs from 'node:fs';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { connectionFailure, connectionOptions } from './connection-security';
import { TRACING_WORKFLOW_MODULES, tracingBundlePath } from './workflow-tracing';

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

/** The worker's connection to Temporal; a failure names where it went and how. */
export async function connectWorker(temporal: Config['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(temporal)).catch(async (err: unknown) => {
    throw await connectionFailure(temporal, err);
  });
}

/**
 * Where the worker's workflow code comes from: a bundle given, one built in advance (its tracing
 * twin when tracing is on), or the sources (bundled now, with the tracing interceptors when on).
 */
export function workflowSource(
  config: Config,
  bundle?: WorkflowBundleOption,
): { workflowBundle: WorkflowBundleOption } | { workflowsPath: string; interceptors?: { workflowModules: string[] } } {
  if (bundle) return { workflowBundle: bundle };
  const prebuilt = config.temporal.workflowBundlePath;
  if (prebuilt) {
    if (!config.tracing) return { workflowBundle: { codePath: prebuilt } };
    const codePath = tracingBundlePath(prebuilt);
    if (!fs.existsSync(codePath))
      throw new Error(`Tracing is on but ${codePath} is missing: build the bundles with \`cli bundle-workflows ${prebuilt}\`.`);
    return { workflowBundle: { codePath } };
  }
  const workflowsPath = require.resolve('../../workflows');
  return config.tracing ? { workflowsPath, interceptors: { workflowModules: [...TRACING_WORKFLOW_MODULES] } } : { workflowsPath };
}

const LEVELS: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };

/**
 * Routes the SDK's and workflows' logs into our logger. The process's own signal handling owns
 * shutdown, so the runtime installs none. A process gets one runtime: later calls keep the first.
 */
export function installRuntime(logger: Logger): void {
  const sdkLogger = new DefaultLogger(LEVELS[logger.level] ?? 'ERROR', ({ level, message, meta }) => {
    logger[level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error'](
      meta ?? {},
      message,
    );
  });
  try {
    // Core's own (Rust) log lines are forwarded too, instead of going straight to the console.
    const level = LEVELS[logger.level] ?? 'ERROR';
    Runtime.install({
      logger: sdkLogger,
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err;
  }
}
