import type { BenchOptions } from './options';
import type { NotifierSide, Pair, Side } from './phases';

export interface NotifierPair {
  system: NotifierSide;
  raw: NotifierSide;
}
import type { WorkPerTransition } from './support/history';

/** One run's figures, as written to var/bench/*.json and read back for bench/README.md. */
export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; kernel: string };
  options: BenchOptions;
  apply: Pair;
  stageChange: Pair;
  list: Pair & { rows: number };
  notifier: NotifierPair;
  engineWork: { system: WorkPerTransition; bare: WorkPerTransition; matched?: WorkPerTransition };
  /** Every round of the headline measures; the figures above are each measure's median round. */
  rounds: { apply: Pair[]; stageChange: Pair[]; list: Pair[]; notifier: NotifierPair[] };
  /** Highest RSS of each system process over the phases named. */
  rss: {
    apiDuringWrites: number;
    workerDuringWrites: number;
    apiDuringList: number;
    apiMax: number;
    workerMax: number;
    notifierMax: number;
  };
  curves: {
    workers: { workers: number; apply: Pair }[];
    /** Applies, then one stage change of each (p50 is a latency: unloaded at 1 client, saturated at 10). */
    clients: { clients: number; apply: Pair; stageChange?: Pair }[];
    list: ({ rows: number } & Pair)[];
  };
}

export interface Ratios {
  applyThroughput: number;
  stageChangeThroughput: number;
  stageChangeP50: number;
  listP99: number;
  notifierThroughput: number;
}

export function ratiosOf(r: BenchResult): Ratios {
  return {
    applyThroughput: r.apply.system.summary.opsPerSec / r.apply.bare.summary.opsPerSec,
    stageChangeThroughput: r.stageChange.system.summary.opsPerSec / r.stageChange.bare.summary.opsPerSec,
    stageChangeP50: r.stageChange.system.summary.p50 / r.stageChange.bare.summary.p50,
    listP99: r.list.system.summary.p99 / r.list.bare.summary.p99,
    notifierThroughput: r.notifier.system.jobsPerSec / r.notifier.raw.jobsPerSec,
  };
}

export function maxRss(sides: Side[], process: string): number {
  return Math.max(...sides.map((s) => s.usage[process]?.rssMaxMb ?? NaN).filter((v) => !Number.isNaN(v)));
}

/** A figure beside its bound: the issue's targets, or the regression check's looser bounds. */
export interface Verdict {
  name: string;
  value: number;
  bound: string;
  ok: boolean;
}

const atLeast = (name: string, value: number, min: number, unit = ''): Verdict => ({
  name,
  value,
  bound: `>= ${min}${unit}`,
  ok: value >= min,
});
const atMost = (name: string, value: number, max: number, unit = ''): Verdict => ({
  name,
  value,
  bound: `<= ${max}${unit}`,
  ok: value <= max,
});
const below = (name: string, value: number, max: number, unit = ''): Verdict => ({
  name,
  value,
  bound: `< ${max}${unit}`,
  ok: value < max,
});

/** The performance targets and the "done when" line of the performance work, as measured by this run. */
export function targetsOf(r: BenchResult): Verdict[] {
  const x = ratiosOf(r);
  return [
    atLeast('apply throughput / bare update-with-start', x.applyThroughput, 0.9),
    atMost('stage change p50 / bare executeUpdate', x.stageChangeP50, 1.3),
    atMost(`list p99 / bare Koa route (${r.list.rows} applications)`, x.listP99, 1.5),
    atLeast('notifier throughput / raw BullMQ + nodemailer', x.notifierThroughput, 0.9),
    below('API RSS under the list load (MB)', r.rss.apiDuringList, 150),
    atLeast(`done when: apply throughput / bare (${r.options.clients} clients)`, x.applyThroughput, 0.8),
    atLeast(`done when: stage change throughput / bare (${r.options.clients} clients)`, x.stageChangeThroughput, 0.8),
    below('done when: apply p99 (ms)', r.apply.system.summary.p99, 200),
    below('done when: stage change p99 (ms)', r.stageChange.system.summary.p99, 200),
    below('done when: API RSS during applies and stage changes (MB)', r.rss.apiDuringWrites, 200),
    below('done when: worker RSS during applies and stage changes (MB)', r.rss.workerDuringWrites, 300),
  ];
}

/**
 * The median round by a ratio: with an even number of rounds, the better of the two middle ones
 * (a burst of other work on a shared machine spoils a round, it never improves one).
 */
export function medianRound<T>(rounds: T[], ratio: (t: T) => number, higherIsBetter: boolean): T {
  const sorted = [...rounds].sort((a, b) => (higherIsBetter ? ratio(b) - ratio(a) : ratio(a) - ratio(b)));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export const roundRatios = {
  apply: (p: Pair) => p.system.summary.opsPerSec / p.bare.summary.opsPerSec,
  stageChange: (p: Pair) => p.system.summary.p50 / p.bare.summary.p50,
  list: (p: Pair) => p.system.summary.p99 / p.bare.summary.p99,
  notifier: (p: NotifierPair) => p.system.jobsPerSec / p.raw.jobsPerSec,
};
