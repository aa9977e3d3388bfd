import { cpuMs, rssMb } from './processes';

export interface ProcessUsage {
  /** Highest and mean resident memory seen while the phase ran, MB. */
  rssMaxMb: number;
  rssMeanMb: number;
  /** CPU time the process used during the phase, ms. */
  cpuMs: number;
}

/**
 * Samples the resident memory (VmRSS) of the run's processes every `intervalMs` while a phase runs,
 * and their CPU time at its start and end (/proc/<pid>/status and /proc/<pid>/stat).
 */
export class UsageSampler {
  private readonly pids = new Map<string, number>();

  constructor(private readonly intervalMs = 200) {}

  track(name: string, pid: number): void { this.pids.set(name, pid); }
  untrack(name: string): void { this.pids.delete(name); }

  async during<T>(work: () => Promise<T>): Promise<{ result: T; usage: Record<string, ProcessUsage> }> {
    const names = [...this.pids.keys()];
    const cpuStart = new Map(names.map((n) => [n, cpuMs(this.pids.get(n)!)]));
    const samples = new Map<string, number[]>(names.map((n) => [n, []]));
    const sample = () => { for (const n of names) { const mb = rssMb(this.pids.get(n)!); if (!Number.isNaN(mb)) samples.get(n)!.push(mb); } };
    sample();
    const timer = setInterval(sample, this.intervalMs);
    try {
      const result = await work();
      sample();
      const usage: Record<string, ProcessUsage> = {};
      for (const n of names) {
        const s = samples.get(n)!;
        usage[n] = {
          rssMaxMb: s.length ? Math.max(...s) : NaN,
          rssMeanMb: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN,
          cpuMs: cpuMs(this.pids.get(n)!) - cpuStart.get(n)!,
        };
      }
      return { result, usage };
    } finally {
      clearInterval(timer);
    }
  }
}
