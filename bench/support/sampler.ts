import fs from 'node:fs';
import { cpuMs, rssMb, runScript } from './processes';
import { MEASURE_MARKS, type LoadResult } from './stats';
import { memoryOf } from './memory';

export interface ProcessUsage {
  /** Highest and mean resident memory seen while the phase ran, MB. */
  rssMaxMb: number;
  rssMeanMb: number;
  /** Highest and mean proportional memory (PSS) seen while the phase ran, MB: what the process's figures report. */
  pssMaxMb?: number;
  pssMeanMb?: number;
  /** `rss` when smaps_rollup was unreadable for some sample, whose PSS is then its RSS. */
  memory?: 'pss' | 'rss';
  /** CPU time the process used during the phase, ms. */
  cpuMs: number;
}

/**
 * Samples the resident memory (VmRSS, /proc/<pid>/status) of the run's processes every `intervalMs`
 * while a phase runs, their PSS (/proc/<pid>/smaps_rollup) every `pssIntervalMs` and at the phase's
 * start and end, and their CPU time at its start and end (/proc/<pid>/stat). Reading smaps_rollup
 * walks the process's page tables, several ms of this process's CPU for a worker on the shared
 * cores, so PSS is read less often than RSS.
 */
export class UsageSampler {
  private readonly pids = new Map<string, () => number[]>();

  constructor(
    private readonly intervalMs = 200,
    private readonly pssIntervalMs = 1000,
  ) {}

  /** One process, or a server of several (their CPU and memory summed; the group listed at the phase's start and end). */
  track(name: string, pid: number | (() => number[])): void {
    this.pids.set(name, typeof pid === 'number' ? () => [pid] : pid);
  }
  untrack(name: string): void {
    this.pids.delete(name);
  }

  /**
   * Samples while `work` runs. CPU counts from its start to its end, or between the moments `work`
   * marks (`start`, `end`) when it marks them: a load's measured operations, without its warm-up.
   * Memory is sampled throughout.
   */
  async during<T>(work: (mark: (at: 'start' | 'end') => void) => Promise<T>): Promise<{ result: T; usage: Record<string, ProcessUsage> }> {
    const names = [...this.pids.keys()];
    // Per pid: a backend that starts during the phase counts from zero, one that ends is not counted.
    const cpuOf = (n: string) => new Map(this.pids.get(n)!().map((pid) => [pid, cpuMs(pid)]));
    const cpuNow = () => new Map(names.map((n) => [n, cpuOf(n)]));
    let cpuStart = cpuNow();
    let cpuEnd: typeof cpuStart | undefined;
    const mark = (at: 'start' | 'end') => {
      if (at === 'start') cpuStart = cpuNow();
      else cpuEnd = cpuNow();
    };
    // Memory is sampled from the processes the phase began with (a group is not listed again each time).
    const members = new Map(names.map((n) => [n, [...cpuStart.get(n)!.keys()]]));
    const samples = new Map<string, { rss: number; pss?: number }[]>(names.map((n) => [n, []]));
    const fellBack = new Set<string>();
    const sample = (withPss: boolean) => {
      for (const n of names) {
        if (!withPss) {
          const rss = sum(members.get(n)!.map(rssMb));
          if (!Number.isNaN(rss)) samples.get(n)!.push({ rss });
          continue;
        }
        const readings = members.get(n)!.flatMap((pid) => memoryOf(pid) ?? []);
        if (!readings.length) continue;
        if (readings.some((r) => r.source === 'rss')) fellBack.add(n);
        samples.get(n)!.push({ rss: sum(readings.map((r) => r.rssMb)), pss: sum(readings.map((r) => r.pssMb)) });
      }
    };
    sample(true);
    const every = Math.max(1, Math.round(this.pssIntervalMs / this.intervalMs));
    let ticks = 0;
    const timer = setInterval(() => sample(++ticks % every === 0), this.intervalMs);
    try {
      const result = await work(mark);
      const cpuAtEnd = cpuEnd ?? cpuNow();
      sample(true);
      const usage: Record<string, ProcessUsage> = {};
      for (const n of names) {
        const rss = samples.get(n)!.map((m) => m.rss);
        const pss = samples.get(n)!.flatMap((m) => (m.pss === undefined ? [] : [m.pss]));
        usage[n] = {
          rssMaxMb: rss.length ? Math.max(...rss) : NaN,
          rssMeanMb: rss.length ? rss.reduce((a, b) => a + b, 0) / rss.length : NaN,
          pssMaxMb: pss.length ? Math.max(...pss) : NaN,
          pssMeanMb: pss.length ? pss.reduce((a, b) => a + b, 0) / pss.length : NaN,
          memory: fellBack.has(n) ? 'rss' : 'pss',
          cpuMs: sum([...cpuAtEnd.get(n)!].map(([pid, ms]) => ms - (cpuStart.get(n)!.get(pid) ?? 0))),
        };
      }
      return { result, usage };
    } finally {
      clearInterval(timer);
    }
  }
}

/** NaN when nothing could be read (the process is gone); a process of a group gone meanwhile counts 0. */
function sum(values: number[]): number {
  const read = values.filter((v) => !Number.isNaN(v));
  return read.length ? read.reduce((a, b) => a + b, 0) : NaN;
}

/**
 * Runs one load (bench/load.js, its spec at `${base}.spec.json`) in a process of its own while
 * `sampler` watches: each process is charged the CPU of the measured operations only, between the
 * marks the load prints (its warm-up not counted). The spec goes once read: it holds the run's tokens.
 */
export async function sampledLoad(
  sampler: UsageSampler,
  base: string,
  env: Record<string, string>,
): Promise<{ usage: Record<string, ProcessUsage>; result: LoadResult }> {
  try {
    const { usage } = await sampler.during((mark) =>
      runScript('bench/load.js', [`${base}.spec.json`, `${base}.result.json`], env, [], (line) => {
        if (line === MEASURE_MARKS.measuring) mark('start');
        if (line === MEASURE_MARKS.measured) mark('end');
      }),
    );
    return { usage, result: JSON.parse(fs.readFileSync(`${base}.result.json`, 'utf8')) as LoadResult };
  } finally {
    fs.rmSync(`${base}.spec.json`, { force: true });
  }
}
