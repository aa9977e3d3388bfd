import type { BenchOptions } from './options';
import type { NotifierSide, Pair, ReportFigure, ReportMeasure, Side } from './phases';

export interface NotifierPair {
  system: NotifierSide;
  raw: NotifierSide;
}
import type { WorkPerTransition } from './support/history';
import type { RateRounds } from './regimes';
import { spreadOf } from './support/rounds';

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
  /**
   * Every round of the headline measures, the baseline going first in odd rounds and the system in
   * even ones; the figures above are each measure's median round, the headline figures the medians
   * of the rounds' ratios. Applies and stage changes here run with the workers' default workflow
   * cache (WORKER_MAX_CACHED_WORKFLOWS), smaller than the applications a round moves.
   */
  rounds: { apply: Pair[]; stageChange: Pair[]; list: Pair[]; notifier: NotifierPair[] };
  /** The same rounds of applies and stage changes with every worker's cache holding the applications moved. */
  cached?: { maxCachedWorkflows: number; apply: Pair[]; stageChange: Pair[] };
  /**
   * Applies and one stage change each at 1 client, the latency at rest, in rounds (with the working
   * set cached), beside the minimal and (`matched`, in runs since it was measured) the matched bare engine.
   */
  atRest?: { apply: Pair[]; stageChange: Pair[] };
  /**
   * Applies and one stage change each at a fixed offered rate (an open loop), half the bare engine's
   * closed-loop throughput of the rounds above, in rounds: every side of the sums of bare parts (the
   * system, the minimal and the matched bare engine, the CRUD side), with the workers' default cache
   * and (`cached`) with the cached regime's, at the same rates. `sides` names the processes whose CPU
   * makes up each side's cost per operation (an HTTP load client's is reported apart).
   */
  atRate?: RateRounds & {
    sides: { system: string[]; bare: string[]; matched?: string[]; crud?: string[] };
    cached?: RateRounds & { maxCachedWorkflows: number };
  };
  /** The funnel and time in stage at the list's applications, one request at a time (bench/phases.ts, reportLoads): medians of the rounds. */
  reports?: { rows: number; figures: Record<ReportMeasure, ReportFigure>; rounds: Record<ReportMeasure, Side>[] };
  /**
   * Highest PSS (proportional memory, smaps_rollup) of each system process over the phases named;
   * `source` is `rss` when some sample could not read smaps_rollup and counted RSS instead.
   */
  pss?: {
    source: 'pss' | 'rss';
    apiDuringWrites: number;
    workerDuringWrites: number;
    apiDuringList: number;
    apiMax: number;
    workerMax: number;
    notifierMax: number;
  };
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

/** The median over the rounds of each round's ratio (a run without rounds: its one pair). */
const medianOf = <T>(rounds: T[] | undefined, only: T, ratio: (t: T) => number) =>
  spreadOf((rounds?.length ? rounds : [only]).map(ratio)).median;

export function ratiosOf(r: BenchResult): Ratios {
  const throughput = (p: Pair) => p.system.summary.opsPerSec / p.bare.summary.opsPerSec;
  return {
    applyThroughput: medianOf(r.rounds?.apply, r.apply, throughput),
    stageChangeThroughput: medianOf(r.rounds?.stageChange, r.stageChange, throughput),
    stageChangeP50: medianOf(r.rounds?.stageChange, r.stageChange, roundRatios.stageChange),
    listP99: medianOf(r.rounds?.list, r.list, roundRatios.list),
    notifierThroughput: medianOf(r.rounds?.notifier, r.notifier, roundRatios.notifier),
  };
}

export function maxRss(sides: Side[], process: string): number {
  return Math.max(...sides.map((s) => s.usage[process]?.rssMaxMb ?? NaN).filter((v) => !Number.isNaN(v)));
}

/** Highest PSS of `process` over the sides (its RSS where a reading had no PSS). */
export function maxPss(sides: Side[], process: string): number {
  return Math.max(...sides.map((s) => s.usage[process]?.pssMaxMb ?? s.usage[process]?.rssMaxMb ?? NaN).filter((v) => !Number.isNaN(v)));
}

/** `rss` when any reading of the sides' processes fell back to RSS. */
export function memorySource(sides: Side[]): 'pss' | 'rss' {
  return sides.some((s) => Object.entries(s.usage).some(([name, u]) => name !== 'load' && u.memory !== 'pss')) ? 'rss' : 'pss';
}

/** The median over the rounds of the system's p50 less the baseline's, ms: the latency at rest's target is a difference. */
export function p50Over(rounds: Pair[]): number {
  return spreadOf(rounds.map((p) => p.system.summary.p50 - p.bare.summary.p50)).median;
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
  const pss = r.pss ?? { ...r.rss, source: 'rss' as const };
  const unit = pss.source === 'pss' ? 'PSS' : 'RSS (smaps_rollup unreadable)';
  const cached = r.cached && {
    throughput: spreadOf(r.cached.stageChange.map((p) => p.system.summary.opsPerSec / p.bare.summary.opsPerSec)).median,
    p50: spreadOf(r.cached.stageChange.map(roundRatios.stageChange)).median,
  };
  return [
    atLeast('apply throughput / bare update-with-start', x.applyThroughput, 0.9),
    atMost('stage change p50 / bare executeUpdate', x.stageChangeP50, 1.3),
    atMost(`list p99 / bare Koa route (${r.list.rows} applications)`, x.listP99, 1.5),
    atLeast('notifier throughput / raw BullMQ + nodemailer', x.notifierThroughput, 0.9),
    below(`API ${unit} under the list load (MB)`, pss.apiDuringList, 150),
    ...(cached
      ? [
          atMost('stage change p50 / bare executeUpdate, working set cached', cached.p50, 1.3),
          atLeast('stage change throughput / bare, working set cached', cached.throughput, 0.8),
        ]
      : []),
    ...(r.atRest
      ? [
          atMost('apply p50 at 1 client over bare update-with-start (ms)', p50Over(r.atRest.apply), 3),
          atMost('stage change p50 at 1 client over bare executeUpdate (ms)', p50Over(r.atRest.stageChange), 3),
        ]
      : []),
    atLeast(`earlier target: apply throughput / bare (${r.options.clients} clients)`, x.applyThroughput, 0.8),
    atLeast(`earlier target: stage change throughput / bare (${r.options.clients} clients)`, x.stageChangeThroughput, 0.8),
    below('earlier target: apply p99 (ms)', r.apply.system.summary.p99, 200),
    below('earlier target: stage change p99 (ms)', r.stageChange.system.summary.p99, 200),
    below(`API ${unit} during applies and stage changes (MB)`, pss.apiDuringWrites, 150),
    below(`worker ${unit} during applies and stage changes (MB)`, pss.workerDuringWrites, 250),
  ];
}

/**
 * The round whose ratio is the median, the one whose figures stand for the measure in the tables
 * of resources and steps; with an even number of rounds, the better of the middle two.
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
