import type { Pair, Side } from './phases';
import { roundRatios, type BenchResult } from './result';
import type { RateRounds } from './regimes';
import { spreadOf, type Spread } from './support/rounds';
import { cpuPerOp, SIDE_PROCESSES, sumOfPartsOver } from './support/sides';

/**
 * Issue 25's "done when", one row per figure: the median over the rounds with their spread (lowest
 * and highest round), the target, and whether the run met it. CPU per transition is read at the
 * fixed offered rate, in both cache regimes; p50 at 1 client against the minimal and the matched
 * bare engine, and against the matched engine plus the CRUD route (the product's synchronous steps
 * without an engine: HTTP, authentication, the SQL); memory during the applies and stage changes (the highest round is judged, as any
 * moment over the bound misses it); the CRUD side's figures stand beside them, without a target.
 */
export const DONE_WHEN = {
  maxCpuOverMatchedSum: 1.15,
  maxCpuOverMinimalSum: 1.3,
  maxRestP50OverBareMs: 3,
  maxListP99: 1.5,
  minNotifier: 0.9,
  maxApiPssMb: 150,
  maxWorkerPssMb: 250,
};

export interface DoneWhenRow {
  figure: string;
  value: Spread;
  /** How the value reads: a ratio (`x`), a difference in ms (`+ms`), or a figure in `unit`. */
  format: 'x' | '+ms' | 'ms' | 'MB' | 'ops/s';
  target: string;
  /** Null where the row has no target, or the run did not measure it. */
  ok: boolean | null;
  /** What qualifies the figure: at the fixed rate, a system that fell behind the rate it was offered. */
  note?: string;
}

const NONE: Spread = { median: NaN, min: NaN, max: NaN };

/** Rounds of a measure: every round where the result keeps them, else its one figure. */
const roundsOr = <T>(rounds: T[] | undefined, only: T | undefined): T[] => (rounds?.length ? rounds : only ? [only] : []);

function judged(
  figure: string,
  value: Spread,
  format: DoneWhenRow['format'],
  target: string,
  ok: (v: Spread) => boolean,
  note?: string,
): DoneWhenRow {
  return { figure, value, format, target, ok: Number.isFinite(value.median) ? ok(value) : null, ...(note ? { note } : {}) };
}

/** The share of the offered rate below which the system is said to have fallen behind it (its median round). */
const BEHIND = 0.9;

/** System CPU per transition over each sum of bare parts, at the fixed rate, in one cache regime. */
function cpuRows(rated: RateRounds | undefined, regime: string): DoneWhenRow[] {
  return (['apply', 'stage change'] as const).flatMap((name) => {
    const rounds = rated ? (name === 'apply' ? rated.apply : rated.stageChange) : [];
    const rate = rated ? (name === 'apply' ? rated.applyRate : rated.stageChangeRate) : NaN;
    const sums = sumOfPartsOver(rounds);
    const at = Number.isFinite(rate) ? ` at ${rate.toFixed(1)}/s` : '';
    // An open loop the system cannot keep up with measures it saturated, not at the rate offered.
    const achieved = spreadOf(rounds.map((p) => p.system.summary.opsPerSec)).median;
    const note = sums && achieved < BEHIND * rate ? `the system fell behind: ${achieved.toFixed(1)}/s achieved` : undefined;
    const engines = [
      ['matched', sums?.toMatchedSum, DONE_WHEN.maxCpuOverMatchedSum],
      ['minimal', sums?.toMinimalSum, DONE_WHEN.maxCpuOverMinimalSum],
    ] as const;
    return engines.map(([engine, ratio, most]) =>
      judged(
        `CPU per ${name} / (${engine} engine + bare route + raw notifier)${at}, ${regime}`,
        ratio ?? NONE,
        'x',
        `<= ${most}x`,
        (v) => v.median <= most,
        note,
      ),
    );
  });
}

/** The system's p50 at 1 client less a bare engine's, per round. */
function restRows(r: BenchResult): DoneWhenRow[] {
  const over = (rounds: Pair[], bare: (p: Pair) => Side | undefined) =>
    spreadOf(rounds.map((p) => p.system.summary.p50 - (bare(p)?.summary.p50 ?? NaN)));
  return (['apply', 'stage change'] as const).flatMap((name) => {
    const rounds = (name === 'apply' ? r.atRest?.apply : r.atRest?.stageChange) ?? [];
    const target = `<= +${DONE_WHEN.maxRestP50OverBareMs} ms`;
    const ok = (v: Spread) => v.median <= DONE_WHEN.maxRestP50OverBareMs;
    const engines = [
      ['minimal', (p: Pair) => p.bare],
      ['matched', (p: Pair) => p.matched],
    ] as const;
    // "The bare engine plus the synchronous product steps": the matched engine's p50 and the CRUD route's
    // (HTTP, authentication, the same SQL, no engine), each measured at 1 client in the same round.
    const composed = spreadOf(
      rounds.map((p) => p.system.summary.p50 - (p.matched && p.crud ? p.matched.summary.p50 + p.crud.summary.p50 : NaN)),
    );
    return [
      ...engines.map(([engine, bare]) =>
        judged(`${name} p50 at 1 client over the ${engine} bare engine's`, over(rounds, bare), '+ms', target, ok),
      ),
      judged(`${name} p50 at 1 client over the matched bare engine's + the CRUD route's`, composed, '+ms', target, ok),
    ];
  });
}

/** Each round's peak of `process` over its applies and stage changes (the default cache's rounds). */
function peaksDuringWrites(r: BenchResult, process: string): Spread {
  const apply = roundsOr(r.rounds?.apply, r.apply);
  const stageChange = roundsOr(r.rounds?.stageChange, r.stageChange);
  const peak = (s: Side | undefined) => s?.usage[process]?.pssMaxMb ?? s?.usage[process]?.rssMaxMb ?? NaN;
  const highest = (values: number[]) => Math.max(...values.filter((v) => !Number.isNaN(v)));
  return spreadOf(apply.map((p, k) => highest([peak(p.system), peak(stageChange[k]?.system)])));
}

/** The CRUD side (bare route + raw notifier, no Temporal): throughput and p50 at the rounds' clients, CPU per operation at the fixed rate. */
function crudRows(r: BenchResult): DoneWhenRow[] {
  const clients = r.options.clients;
  return (['apply', 'stage change'] as const).flatMap((name) => {
    const closed = roundsOr(name === 'apply' ? r.rounds?.apply : r.rounds?.stageChange, name === 'apply' ? r.apply : r.stageChange);
    const rated = (name === 'apply' ? r.atRate?.apply : r.atRate?.stageChange) ?? [];
    const rate = name === 'apply' ? r.atRate?.applyRate : r.atRate?.stageChangeRate;
    const crud = (pairs: Pair[], fn: (s: Side) => number) => spreadOf(pairs.map((p) => (p.crud ? fn(p.crud) : NaN)));
    const row = (figure: string, value: Spread, format: DoneWhenRow['format']): DoneWhenRow => ({
      figure,
      value,
      format,
      target: '',
      ok: null,
    });
    return [
      row(
        `CRUD ${name} throughput, ${clients} clients`,
        crud(closed, (s) => s.summary.opsPerSec),
        'ops/s',
      ),
      row(
        `CRUD ${name} p50, ${clients} clients`,
        crud(closed, (s) => s.summary.p50),
        'ms',
      ),
      row(
        `CRUD ${name} CPU per operation${rate ? ` at ${rate.toFixed(1)}/s` : ''}`,
        crud(rated, (s) => cpuPerOp(s, SIDE_PROCESSES.crud)),
        'ms',
      ),
    ];
  });
}

export function doneWhenOf(r: BenchResult): DoneWhenRow[] {
  const memory = r.pss?.source === 'rss' || !r.pss ? 'RSS' : 'PSS';
  const list = roundsOr(r.rounds?.list, r.list);
  const notifier = roundsOr(r.rounds?.notifier, r.notifier);
  const cached = r.atRate?.cached;
  return [
    ...cpuRows(r.atRate, 'not cached'),
    ...cpuRows(cached, cached ? `${cached.maxCachedWorkflows} cached` : 'cached'),
    ...restRows(r),
    judged(
      `list p99 / bare route, ${r.list.rows} applications`,
      spreadOf(list.map(roundRatios.list)),
      'x',
      `<= ${DONE_WHEN.maxListP99}x`,
      (v) => v.median <= DONE_WHEN.maxListP99,
    ),
    judged(
      'notifier / raw BullMQ + nodemailer',
      spreadOf(notifier.map(roundRatios.notifier)),
      'x',
      `>= ${DONE_WHEN.minNotifier}x`,
      (v) => v.median >= DONE_WHEN.minNotifier,
    ),
    ...(
      [
        ['API', 'api', DONE_WHEN.maxApiPssMb],
        ['worker', 'worker', DONE_WHEN.maxWorkerPssMb],
      ] as const
    ).map(([label, process, most]) =>
      judged(
        `${label} ${memory} during the applies and stage changes`,
        peaksDuringWrites(r, process),
        'MB',
        `< ${most} MB, every round`,
        (v) => v.max < most,
      ),
    ),
    ...crudRows(r),
  ];
}
