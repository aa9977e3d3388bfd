import { counted, type LoadResult } from './stats';

/**
 * An open-loop load: operation i starts at i / rate seconds, whether or not earlier ones have been
 * answered, as independent users would send them. A closed loop (a fixed number of clients each
 * waiting for its answer) slows its own offer when the system slows, so both sides of a measure
 * would do the same work in different times; at a fixed offered rate both do the same work in the
 * same time, and what each spends on it compares directly.
 */

/** When each of `count` operations is due, ms after the start, at `ratePerSec`. */
export function scheduleOf(count: number, ratePerSec: number): number[] {
  return Array.from({ length: count }, (_, i) => (i * 1000) / ratePerSec);
}

/**
 * Runs `total` operations on the schedule, the first `warmup` unmeasured. Operations sharing a key
 * never overlap (the second waits for the first). Latency runs from when an operation was due, not
 * from when it started, so a system that falls behind shows it; `lagMs` says how far behind the
 * schedule the starts fell at most (a key's wait, or `maxInFlight` reached). `onMeasuring` is called
 * as the first measured operation is due.
 */
export async function runOpenLoop(
  total: number,
  ratePerSec: number,
  warmup: number,
  keyOf: (i: number) => string | undefined,
  op: (i: number) => Promise<void>,
  maxInFlight = 1000,
  onMeasuring: () => void = () => undefined,
): Promise<LoadResult & { lagMs: number }> {
  const result = {
    ok: 0,
    errors: {} as Record<string, number>,
    firstError: null as string | null,
    latenciesMs: [] as number[],
    elapsedMs: 0,
    cpuMs: 0,
    lagMs: 0,
  };
  const due = scheduleOf(total, ratePerSec);
  const busy = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let measuredFrom = t0;
  let cpuFrom = process.cpuUsage();
  for (let i = 0; i < total; i++) {
    const at = t0 + due[i];
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (i === warmup) {
      onMeasuring();
      measuredFrom = at;
      cpuFrom = process.cpuUsage();
    }
    const measured = i >= warmup;
    const key = keyOf(i);
    const before = key === undefined ? undefined : busy.get(key);
    const run = (async () => {
      if (before) await before;
      if (measured) result.lagMs = Math.max(result.lagMs, performance.now() - at);
      await counted(result, measured, at, () => op(i));
    })();
    const tracked = run.finally(() => {
      inFlight.delete(tracked);
      if (key !== undefined && busy.get(key) === tracked) busy.delete(key);
    });
    inFlight.add(tracked);
    if (key !== undefined) busy.set(key, tracked);
  }
  await Promise.all(inFlight);
  result.elapsedMs = performance.now() - measuredFrom;
  const cpu = process.cpuUsage(cpuFrom);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  return result;
}
