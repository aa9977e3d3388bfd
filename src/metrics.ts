import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  stageChanges: Counter<'to' | 'outcome'>;
  transitionSteps: Histogram<'operation' | 'step'>;
  /** Registers a queue whose depth and delivery outcomes are read from Redis on every scrape. */
  watchQueue(queue: string, read: () => Promise<QueueReading>): void;
  /** Registers the workers' recording failures, read from Redis on every scrape. */
  watchRecordingFailures(read: () => Promise<Record<string, number>>): void;
}

/** Job counts by BullMQ state, and outcome counters kept in Redis by the consumers. */
export interface QueueReading {
  depth: Record<string, number>;
  outcomes: Record<string, number>;
}

/** A scrape must answer even while Redis does not; the queue then reports `up 0` and its last values. */
const QUEUE_READ_TIMEOUT_MS = 1500;

/** One registry per process; no global default registry, so tests can build many apps side by side. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const readings = createQueueReadings();
  new Gauge({
    name: 'ats_queue_up',
    help: '1 when the last scrape could read the queue from Redis, else 0',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      for (const [queue, reading] of await readings.all()) this.set({ queue }, reading ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ats_queue_jobs',
    help: 'Jobs in the queue by state (waiting, active, delayed, failed, completed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const [queue, reading] of await readings.all()) {
        for (const [state, n] of Object.entries(reading?.depth ?? {})) this.set({ queue, state }, n);
      }
    },
  });
  new Counter({
    name: 'ats_notifications_total',
    help: 'Notification delivery outcomes across all notifiers (sent, duplicate_skipped, retry_scheduled, failed_permanent, failed_exhausted, ...)',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
    async collect() {
      for (const [queue, reading] of await readings.all()) {
        if (!reading) continue;
        for (const [outcome, n] of Object.entries(reading.outcomes)) {
          // The running total lives in Redis; mirror it rather than count twice.
          this.remove({ queue, outcome });
          this.inc({ queue, outcome }, n);
        }
      }
    },
  });
  let readRecordingFailures: (() => Promise<Record<string, number>>) | null = null;
  new Counter({
    name: 'ats_recording_failures_total',
    help: 'Recordings of accepted transitions that failed for good, across all workers (constraint_violation, value_refused, retries_exhausted): SQL or notifications lag the workflow until its next transition',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const counts = readRecordingFailures && (await withinReadTimeout(readRecordingFailures));
      for (const [reason, n] of Object.entries(counts ?? {})) {
        // The running total lives in Redis; mirror it rather than count twice.
        this.remove({ reason });
        this.inc({ reason }, n);
      }
    },
  });
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
    transitionSteps: new Histogram({
      name: 'ats_transition_step_seconds',
      help:
        'Where an apply or a stage change request spends its time, step by step: prepare (the checks and sealing before it is sent), ' +
        'journal (the intent row), temporal (until the workflow answers), record (projection, outbox rows, webhook delivery rows and journal in one SQL transaction), ' +
        'enqueue (the notification and webhook jobs handed to Redis; a request does not wait for its answer), read (the content for the answer)',
      labelNames: ['operation', 'step'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    watchQueue: readings.watch,
    watchRecordingFailures(read) {
      readRecordingFailures = read;
    },
  };
}

/** A scrape answers even while Redis does not: null after the timeout or on an error. */
async function withinReadTimeout<T>(read: () => Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), QUEUE_READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read().catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads every watched queue once per scrape, however many collectors ask for it. */
function createQueueReadings() {
  const sources = new Map<string, () => Promise<QueueReading>>();
  let current: Promise<Array<[string, QueueReading | null]>> | null = null;
  const readOne = (read: () => Promise<QueueReading>): Promise<QueueReading | null> => withinReadTimeout(read);
  return {
    watch(queue: string, read: () => Promise<QueueReading>) {
      sources.set(queue, read);
    },
    all() {
      current ??= Promise.all(
        [...sources].map(async ([queue, read]) => [queue, await readOne(read)] as [string, QueueReading | null]),
      ).finally(() =>
        setImmediate(() => {
          current = null;
        }),
      );
      return current;
    },
  };
}

export type TransitionStep = 'prepare' | 'journal' | 'temporal' | 'record' | 'enqueue' | 'read';

/** Times one request's transition: each call observes the time since the previous one (or since the clock was made) under `step`. */
export function stepClock(metrics: Pick<Metrics, 'transitionSteps'>, operation: 'apply' | 'stage_change'): (step: TransitionStep) => void {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    metrics.transitionSteps.observe({ operation, step }, (now - last) / 1000);
    last = now;
  };
}
