import {
  applyRound,
  RATE_WARMUP,
  stageChanges,
  SUM_OF_PARTS,
  warmupFor,
  type BenchContext,
  type Part,
  type Pair,
  type Side,
} from './phases';
import type { BenchOptions } from './options';
import { firstIn, spreadOf, type Spread } from './support/rounds';
import { cpuPerOp, SIDE_PROCESSES } from './support/sides';

/**
 * The measures that take the system and its baseline in like conditions beyond the headline rounds:
 * with the workflow cache holding every application a round moves, at rest (1 client), and at the
 * same offered rate. Each runs `--rounds` times, the side that goes first alternating.
 */

/** Applications a round of applies starts, so the most its stage changes move. */
const movedPerRound = (opts: BenchOptions) => warmupFor(opts.clients) + opts.applies;

/** The workers' cache in the cached regime: every application a round moves, and a client's worth to spare. */
export const cachedWorkflowsFor = (opts: BenchOptions) => movedPerRound(opts) + opts.clients;

/** The workers' default cache (WORKER_MAX_CACHED_WORKFLOWS), which the "not cached" regime runs with. */
export const DEFAULT_CACHED_WORKFLOWS = 200;

/**
 * The workers' cache outside the cached regime: their default, or a third of a round's applications
 * when that is smaller (the quick sizes), so a round's stage changes miss it there too.
 */
export const uncachedWorkflowsFor = (opts: BenchOptions) => Math.min(DEFAULT_CACHED_WORKFLOWS, Math.floor(movedPerRound(opts) / 3));

/** Applies (and one stage change each) at rest: few enough to stay within any cache, enough for a p99. */
const restOps = (opts: BenchOptions) => Math.min(opts.applies, opts.quick ? 50 : 100);

/**
 * Applies (and one stage change each) per side at the fixed rate: an open loop takes as long on
 * every side, and a round runs four sides in each regime, so fewer than the closed loop's; more
 * than the default cache holds in the full run, so its stage changes there miss it.
 */
const rateOps = (opts: BenchOptions) => Math.min(opts.applies, opts.quick ? 50 : 300);

/**
 * Candidates the regimes' applies take, beyond the headline rounds': the cached rounds' system, the
 * system's at the fixed rate in both regimes and the CRUD side's in one, and the system's and the
 * CRUD side's at rest.
 */
export function candidatesFor(opts: BenchOptions): number {
  return opts.rounds * (movedPerRound(opts) + 3 * (RATE_WARMUP + rateOps(opts)) + 2 * (warmupFor(1) + restOps(opts)));
}

type Say = (line: string) => void;

/** Applies, then one stage change of each, every side at the same offered rate (an open loop), in rounds. */
export interface RateRounds {
  applyRate: number;
  stageChangeRate: number;
  apply: Pair[];
  stageChange: Pair[];
}

export type Rates = Pick<RateRounds, 'applyRate' | 'stageChangeRate'>;

/**
 * The rates every side is offered, in both cache regimes: half the minimal bare engine's closed-loop
 * throughput over `closedLoop`'s rounds (the workers' default cache). With its working set cached the
 * bare engine runs further ahead, and half of that would saturate the system, so the cached regime is
 * offered the same rates: the two regimes' costs then compare directly too.
 */
export function offeredRates(closedLoop: { apply: Pair[]; stageChange: Pair[] }): Rates {
  const half = (pairs: Pair[]) => spreadOf(pairs.map((p) => p.bare.summary.opsPerSec)).median / 2;
  return { applyRate: half(closedLoop.apply), stageChangeRate: half(closedLoop.stageChange) };
}

/**
 * The rounds of applies and stage changes again with every worker (the system's and the bare ones)
 * restarted with a cache of `cachedWorkflowsFor` workflows, then every side at the fixed `rates` in
 * the same regime, then the latency at rest (the system, the minimal and the matched bare engine, the CRUD route);
 * the workers go back to their default cache afterwards.
 */
export async function cachedRegime(
  ctx: BenchContext,
  say: Say,
  rates: Rates,
): Promise<{
  cached: { maxCachedWorkflows: number; apply: Pair[]; stageChange: Pair[] };
  atRate: RateRounds;
  atRest: { apply: Pair[]; stageChange: Pair[] };
}> {
  const { opts } = ctx;
  const maxCachedWorkflows = cachedWorkflowsFor(opts);
  const restart = async (env: Record<string, string>) => {
    for (const p of await ctx.system.restartWorkers(env)) ctx.sampler.track(p.name, p.pid);
  };
  await restart({ WORKER_MAX_CACHED_WORKFLOWS: String(maxCachedWorkflows) });
  try {
    const cached = { maxCachedWorkflows, apply: [] as Pair[], stageChange: [] as Pair[] };
    for (let k = 1; k <= opts.rounds; k++) {
      say(`round ${k} of ${opts.rounds}, ${maxCachedWorkflows} workflows cached: applies and stage changes`);
      const round = { ...ctx, first: firstIn(k) };
      const applied = await applyRound(round, `cached-${k}`, opts.clients, []);
      cached.apply.push(applied.pair);
      cached.stageChange.push(await stageChanges(round, applied));
    }
    // The CRUD side has no workflow cache: its rounds at the rate with the default one stand here too.
    const rated = await atRate(ctx, say, rates, 'cached-rate', ['matched']);
    const atRest = { apply: [] as Pair[], stageChange: [] as Pair[] };
    for (let k = 1; k <= opts.rounds; k++) {
      say(
        `round ${k} of ${opts.rounds}: applies and one stage change each at 1 client, beside the minimal and the matched bare engine and the CRUD route`,
      );
      const round = { ...ctx, first: firstIn(k), opts: { ...opts, applies: restOps(opts) } };
      // The CRUD route at rest too: the product's synchronous steps (HTTP, authentication, the SQL) without an engine.
      const applied = await applyRound(round, `rest-${k}`, 1, SUM_OF_PARTS);
      atRest.apply.push(applied.pair);
      atRest.stageChange.push(await stageChanges(round, applied, 1, 1));
    }
    return { cached, atRate: rated, atRest };
  } finally {
    await restart({});
  }
}

/**
 * The processes whose CPU makes up each side's cost at a fixed rate (`SIDE_PROCESSES`): the system's
 * every part with the SMTP sink that receives its mail; each bare engine's worker, engine and
 * Temporal client (the API's part on the system's side); the CRUD side's bare route, raw notifier,
 * Redis and SMTP sink. An HTTP load client counts on no side: its CPU is reported apart.
 */
export const RATE_SIDES = {
  system: [...SIDE_PROCESSES.system],
  bare: [...SIDE_PROCESSES.minimal],
  matched: [...SIDE_PROCESSES.matched],
  crud: [...SIDE_PROCESSES.crud],
};

/**
 * Applies, then one stage change of each, started at the fixed `rates` (an open loop) on the system,
 * the minimal bare engine and the `parts` (by default every side that makes up the sums of bare
 * parts: the matched bare engine and the CRUD side). None saturates the cores, so all do the same
 * work in the same time.
 */
export async function atRate(
  ctx: BenchContext,
  say: Say,
  rates: Rates,
  label = 'rate',
  parts: readonly Part[] = SUM_OF_PARTS,
): Promise<RateRounds> {
  const { applyRate, stageChangeRate } = rates;
  const result: RateRounds = { applyRate, stageChangeRate, apply: [], stageChange: [] };
  for (let k = 1; k <= ctx.opts.rounds; k++) {
    say(
      `round ${k} of ${ctx.opts.rounds}${label.startsWith('cached') ? ', cached' : ''}: applies at ${applyRate.toFixed(1)}/s and stage changes at ${stageChangeRate.toFixed(1)}/s, every side`,
    );
    const opts = { ...ctx.opts, applies: rateOps(ctx.opts) };
    const applied = await applyRound({ ...ctx, opts, first: firstIn(k), ratePerSec: applyRate }, `${label}-${k}`, opts.clients, parts);
    result.apply.push(applied.pair);
    result.stageChange.push(await stageChanges({ ...ctx, opts, first: firstIn(k), ratePerSec: stageChangeRate }, applied, opts.clients, 1));
  }
  return result;
}

/**
 * The cached regime's rounds at the rate, each with the CRUD side of the same round with the default
 * cache where it ran none of its own: the bare route and the raw notifier have no workflow cache.
 */
export function withCrudOf(cached: RateRounds, uncached: RateRounds): RateRounds {
  const fill = (pairs: Pair[], from: Pair[]) => pairs.map((p, k) => (p.crud || !from[k]?.crud ? p : { ...p, crud: from[k].crud }));
  return { ...cached, apply: fill(cached.apply, uncached.apply), stageChange: fill(cached.stageChange, uncached.stageChange) };
}

/** CPU ms per operation of each side summed over its processes, and the system's over the bare one's, over the rounds. */
export function cpuPerOpAtRate(
  rounds: Pair[],
  sides: { system: string[]; bare: string[] },
): { system: Spread; bare: Spread; ratio: Spread; load: { system: number; bare: number } } {
  const of = (s: Side, processes: readonly string[]) => cpuPerOp(s, processes);
  return {
    system: spreadOf(rounds.map((p) => of(p.system, sides.system))),
    bare: spreadOf(rounds.map((p) => of(p.bare, sides.bare))),
    ratio: spreadOf(rounds.map((p) => of(p.system, sides.system) / of(p.bare, sides.bare))),
    load: {
      system: spreadOf(rounds.map((p) => of(p.system, ['load']))).median,
      bare: spreadOf(rounds.map((p) => of(p.bare, ['load']))).median,
    },
  };
}
