import { applyRound, stageChanges, warmupFor, type BenchContext, type Pair, type Side } from './phases';
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

/** Applies (and one stage change each) at rest: few enough to stay within any cache, enough for a p99. */
const restOps = (opts: BenchOptions) => Math.min(opts.applies, 100);

/** Candidates the regimes' applies take, beyond the headline rounds'. */
export function candidatesFor(opts: BenchOptions): number {
  return opts.rounds * (2 * movedPerRound(opts) + warmupFor(1) + restOps(opts));
}

type Say = (line: string) => void;

/**
 * The rounds of applies and stage changes again with every worker (the system's and the bare ones)
 * restarted with a cache of `cachedWorkflowsFor` workflows, then the latency at rest in the same
 * regime; the workers go back to their default cache afterwards.
 */
export async function cachedRegime(
  ctx: BenchContext,
  say: Say,
): Promise<{ cached: { maxCachedWorkflows: number; apply: Pair[]; stageChange: Pair[] }; atRest: { apply: Pair[]; stageChange: Pair[] } }> {
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
      const applied = await applyRound(round, `cached-${k}`, opts.clients, false);
      cached.apply.push(applied.pair);
      cached.stageChange.push(await stageChanges(round, applied));
    }
    const atRest = { apply: [] as Pair[], stageChange: [] as Pair[] };
    for (let k = 1; k <= opts.rounds; k++) {
      say(`round ${k} of ${opts.rounds}: applies and one stage change each at 1 client`);
      const round = { ...ctx, first: firstIn(k), opts: { ...opts, applies: restOps(opts) } };
      const applied = await applyRound(round, `rest-${k}`, 1, false);
      atRest.apply.push(applied.pair);
      atRest.stageChange.push(await stageChanges(round, applied, 1, 1));
    }
    return { cached, atRest };
  } finally {
    await restart({});
  }
}

/**
 * The processes whose CPU makes up each side's cost at a fixed rate: the system's every part with
 * the SMTP sink that receives its mail, the bare engine's worker and engine. The load's own CPU is
 * reported apart. A baseline of more parts is another list of sampled processes.
 */
export const RATE_SIDES = { system: [...SIDE_PROCESSES.system], bare: [...SIDE_PROCESSES.minimal] };

/**
 * Applies, then one stage change of each, started at a fixed rate (an open loop) on both sides:
 * half the bare engine's closed-loop throughput in `closedLoop`'s rounds, so neither side saturates
 * the cores and both do the same work in the same time.
 */
export async function atRate(
  ctx: BenchContext,
  say: Say,
  closedLoop: { apply: Pair[]; stageChange: Pair[] },
): Promise<{
  applyRate: number;
  stageChangeRate: number;
  sides: { system: string[]; bare: string[] };
  apply: Pair[];
  stageChange: Pair[];
}> {
  const half = (pairs: Pair[]) => spreadOf(pairs.map((p) => p.bare.summary.opsPerSec)).median / 2;
  const [applyRate, stageChangeRate] = [half(closedLoop.apply), half(closedLoop.stageChange)];
  const result = { applyRate, stageChangeRate, sides: RATE_SIDES, apply: [] as Pair[], stageChange: [] as Pair[] };
  for (let k = 1; k <= ctx.opts.rounds; k++) {
    say(`round ${k} of ${ctx.opts.rounds}: applies at ${applyRate.toFixed(1)}/s and stage changes at ${stageChangeRate.toFixed(1)}/s`);
    const applied = await applyRound({ ...ctx, first: firstIn(k), ratePerSec: applyRate }, `rate-${k}`, ctx.opts.clients, false);
    result.apply.push(applied.pair);
    result.stageChange.push(await stageChanges({ ...ctx, first: firstIn(k), ratePerSec: stageChangeRate }, applied, ctx.opts.clients, 1));
  }
  return result;
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
