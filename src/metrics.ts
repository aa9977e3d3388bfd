import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  stageChanges: Counter<'to' | 'outcome'>;
}

/** One registry per process; no global default registry, so tests can build many apps side by side. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    stageChanges: new Counter({
      name: 'ats_stage_changes_total',
      help: 'Stage change requests by target stage and outcome',
      labelNames: ['to', 'outcome'],
      registers: [registry],
    }),
  };
}
