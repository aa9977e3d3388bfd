import type { Config } from '../config';
import type { Tracing } from '../telemetry/sdk';
import type { ProcessName } from './process-settings';

export type { Tracing };

/**
 * Starts OpenTelemetry for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set, and loads none of
 * it otherwise (the benchmarks bound each process's memory and CPU). Called first in an entry point,
 * before any connection or server exists; the modules already loaded are patched as they are required again below.
 */
export function startTracing(config: Pick<Config, 'tracing'>, process: ProcessName): Tracing | undefined {
  if (!config.tracing) return undefined;
  const { startSdk } = require('../telemetry/sdk') as typeof import('../telemetry/sdk');
  const tracing = startSdk(config.tracing.endpoint, config.tracing.serviceName ?? `ats-${process}`);
  // The instrumentations patch a module when it is required; these were loaded before the SDK started.
  require('node:http');
  require('node:https');
  require('ioredis');
  return tracing;
}
