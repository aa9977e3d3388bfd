import type { Pair, Side } from './phases';
import type { BenchResult, NotifierPair } from './result';
import { cpuPerOpAtRate } from './regimes';
import { spreadOf, type Spread } from './support/rounds';

/**
 * The headline figures: for each, the median over the rounds of the system's and the baseline's
 * figure, and the median of the rounds' ratios with their spread (lowest and highest), so a round
 * that noise spoiled on either side shows as spread instead of choosing the figure.
 */
export interface Headline {
  name: string;
  system: number;
  baseline: number;
  ratio: Spread;
  digits: number;
  target: string;
}

const ops = (s: Side) => s.summary.opsPerSec;
const p50 = (s: Side) => s.summary.p50;
const p99 = (s: Side) => s.summary.p99;

function figure<T>(name: string, rounds: T[], system: (t: T) => number, baseline: (t: T) => number, digits: number, target = ''): Headline {
  return {
    name,
    system: spreadOf(rounds.map(system)).median,
    baseline: spreadOf(rounds.map(baseline)).median,
    ratio: spreadOf(rounds.map((t) => system(t) / baseline(t))),
    digits,
    target,
  };
}

const sides = (name: string, rounds: Pair[], pick: (s: Side) => number, digits: number, target = '') =>
  figure(
    name,
    rounds,
    (p) => pick(p.system),
    (p) => pick(p.bare),
    digits,
    target,
  );

/** Throughput, p50 and p99 of applies and stage changes over `rounds`, each name followed by `regime`. */
function transitions(apply: Pair[], stageChange: Pair[], regime: string, targets: boolean): Headline[] {
  return [
    sides(`apply throughput (ops/s) vs bare update-with-start${regime}`, apply, ops, 1, targets ? '>= 0.9x (done: >= 0.8x)' : ''),
    sides(`apply p50 (ms)${regime}`, apply, p50, 1),
    sides(`apply p99 (ms)${regime}`, apply, p99, 1, targets ? 'system < 200 ms' : ''),
    sides(`stage change throughput (ops/s) vs bare executeUpdate${regime}`, stageChange, ops, 1, '>= 0.8x'),
    sides(`stage change p50 (ms)${regime}`, stageChange, p50, 1, '<= 1.3x'),
    sides(`stage change p99 (ms)${regime}`, stageChange, p99, 1, targets ? 'system < 200 ms' : ''),
  ];
}

export function headlineOf(r: BenchResult): Headline[] {
  const of = <T>(rounds: T[] | undefined, only: T) => (rounds?.length ? rounds : [only]);
  const rows = transitions(of(r.rounds?.apply, r.apply), of(r.rounds?.stageChange, r.stageChange), r.cached ? ', not cached' : '', true);
  if (r.cached) rows.push(...transitions(r.cached.apply, r.cached.stageChange, `, ${r.cached.maxCachedWorkflows} cached`, false));
  if (r.atRest)
    rows.push(
      sides('apply p50 at 1 client (ms)', r.atRest.apply, p50, 1, 'system <= bare + 3 ms'),
      sides('apply p99 at 1 client (ms)', r.atRest.apply, p99, 1),
      sides('stage change p50 at 1 client (ms)', r.atRest.stageChange, p50, 1, 'system <= bare + 3 ms'),
      sides('stage change p99 at 1 client (ms)', r.atRest.stageChange, p99, 1),
    );
  const regimes = [
    [r.atRate?.cached ? ', not cached' : '', r.atRate],
    [`, ${r.atRate?.cached?.maxCachedWorkflows} cached`, r.atRate?.cached],
  ] as const;
  for (const [regime, rated] of regimes) {
    if (!rated || !r.atRate) continue;
    for (const [name, rounds, rate] of [
      ['apply', rated.apply, rated.applyRate],
      ['stage change', rated.stageChange, rated.stageChangeRate],
    ] as const) {
      const cpu = cpuPerOpAtRate(rounds, r.atRate.sides);
      rows.push({
        name: `CPU ms per ${name} at ${rate.toFixed(1)}/s, every process of each side${regime}`,
        system: cpu.system.median,
        baseline: cpu.bare.median,
        ratio: cpu.ratio,
        digits: 2,
        target: '',
      });
    }
  }
  const list = of(r.rounds?.list, r.list);
  rows.push(
    sides(`list throughput (req/s), ${r.list.rows} applications, vs bare Koa route`, list, ops, 0),
    sides('list p50 (ms)', list, p50, 2),
    sides('list p99 (ms)', list, p99, 2, '<= 1.5x'),
    figure(
      `notifier (jobs/s${r.notifier.system.outboxRows ? ', outbox rows marked sent' : ', no outbox rows'}) vs raw BullMQ + nodemailer`,
      of<NotifierPair>(r.rounds?.notifier, r.notifier),
      (n) => n.system.jobsPerSec,
      (n) => n.raw.jobsPerSec,
      0,
      '>= 0.9x',
    ),
  );
  return rows;
}
