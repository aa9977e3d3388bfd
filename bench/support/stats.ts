/** What one measured load reports: successful operations, their latencies, and how long the load ran. */
export interface LoadResult {
  ok: number;
  /** Failed operations by status (HTTP) or error name (Temporal). */
  errors: Record<string, number>;
  firstError: string | null;
  latenciesMs: number[];
  elapsedMs: number;
  /** CPU time the load process itself used over the measured operations, ms (user and system). */
  cpuMs: number;
}

export interface Summary {
  ops: number;
  errors: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile: the value at or below which `p` percent of the samples fall. */
/** Runs one operation into `result` (when `measured`): its latency from `since`, or its error by name. */
export async function counted(result: LoadResult, measured: boolean, since: number, op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
    if (measured) {
      result.latenciesMs.push(performance.now() - since);
      result.ok++;
    }
  } catch (err) {
    if (measured) {
      const name = (err as { code?: string; name?: string }).code ?? (err as Error).name ?? 'Error';
      result.errors[name] = (result.errors[name] ?? 0) + 1;
      result.firstError ??= (err as Error).message;
    }
  }
}

export function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarize(r: LoadResult): Summary {
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return {
    ops: r.ok,
    errors,
    opsPerSec: r.elapsedMs > 0 ? r.ok / (r.elapsedMs / 1000) : 0,
    p50: percentile(r.latenciesMs, 50),
    p99: percentile(r.latenciesMs, 99),
    max: r.latenciesMs.length ? Math.max(...r.latenciesMs) : NaN,
    mean: r.latenciesMs.length ? r.latenciesMs.reduce((a, b) => a + b, 0) / r.latenciesMs.length : NaN,
  };
}

/**
 * The lines a load process prints when its measured operations begin and when they are done, so
 * that the processes it drives are charged the CPU of those operations only: not the load process's
 * start, its connection, or the warm-up (bench/phases.ts, `measure`).
 */
export const MEASURE_MARKS = { measuring: 'bench-load: measuring', measured: 'bench-load: measured' } as const;

/**
 * Runs `total` operations with `concurrency` in flight, in order. Operations sharing a key never
 * overlap: a second stage change of one application waits for the first, as a recruiter's would.
 * The first `warmup` operations run before the clock starts and count in nothing; `onMeasuring`
 * is called as the clock starts.
 */
export async function runPool(
  total: number,
  concurrency: number,
  warmup: number,
  keyOf: (i: number) => string | undefined,
  op: (i: number) => Promise<void>,
  onMeasuring: () => void = () => undefined,
): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, errors: {}, firstError: null, latenciesMs: [], elapsedMs: 0, cpuMs: 0 };
  const busy = new Map<string, Promise<void>>();
  const runRange = async (from: number, to: number, measured: boolean) => {
    let next = from;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, to - from) }, async () => {
        while (next < to) {
          const i = next++;
          const key = keyOf(i);
          const before = key === undefined ? undefined : busy.get(key);
          let release = () => undefined as void;
          if (key !== undefined)
            busy.set(
              key,
              new Promise<void>((resolve) => {
                release = resolve;
              }),
            );
          if (before) await before;
          const started = performance.now();
          try {
            await counted(result, measured, started, () => op(i));
          } finally {
            release();
          }
        }
      }),
    );
  };
  await runRange(0, Math.min(warmup, total), false);
  onMeasuring();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await runRange(Math.min(warmup, total), total, true);
  result.elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  return result;
}
