import type { Pair, Side } from '../phases';
import { spreadOf, type Spread } from './rounds';

/**
 * A side of a transition measure is the processes that serve it: CPU per operation is summed over
 * those, and any other process's CPU meanwhile is idle noise. Every process doing the product's work
 * counts, the SMTP sink too (it receives the mails); an HTTP load client does not (it stands for the
 * users, and is reported apart). For the bare engines the load process is the Temporal client, the
 * work the API does on the system's side, so it counts there.
 */
export const SIDE_PROCESSES = {
  system: ['api', 'worker', 'notifier', 'temporal', 'postgres', 'redis', 'smtp'],
  /** The minimal bare workflow (bare.workflow.ts), with its Temporal client. */
  minimal: ['bare-worker', 'temporal', 'postgres', 'load'],
  /** The feature-matched bare workflow (matched.workflow.ts), with its Temporal client. */
  matched: ['matched-worker', 'temporal', 'postgres', 'load'],
  /** The bare route and the raw notifier sending its mails: the API's and the notifier's work without the engine. */
  crud: ['bare-route', 'raw-notifier', 'redis', 'smtp'],
} as const;

/** CPU ms per measured operation, summed over `processes` (those the run did not sample count nothing). */
export function cpuPerOp(side: Side, processes: readonly string[]): number {
  const ms = processes.reduce((sum, p) => sum + (side.usage[p]?.cpuMs ?? 0), 0);
  return side.summary.ops ? ms / side.summary.ops : NaN;
}

/**
 * The system's CPU per transition beside the sum of bare parts doing the same work: the engine (the
 * matched workflow, or the minimal one) plus the CRUD side (the bare route's SQL, authentication and
 * queueing, and the raw notifier's mail). Null when the pair did not run the parts.
 */
export interface SumOfParts {
  system: number;
  matched: number;
  minimal: number;
  crud: number;
  /** system / (matched engine + bare route + raw notifier) */
  toMatchedSum: number;
  /** system / (minimal engine + bare route + raw notifier) */
  toMinimalSum: number;
}

export function sumOfParts(pair: Pair): SumOfParts | null {
  if (!pair.matched || !pair.crud) return null;
  const system = cpuPerOp(pair.system, SIDE_PROCESSES.system);
  const matched = cpuPerOp(pair.matched, SIDE_PROCESSES.matched);
  const minimal = cpuPerOp(pair.bare, SIDE_PROCESSES.minimal);
  const crud = cpuPerOp(pair.crud, SIDE_PROCESSES.crud);
  return { system, matched, minimal, crud, toMatchedSum: system / (matched + crud), toMinimalSum: system / (minimal + crud) };
}

/** Each figure of `sumOfParts` over the rounds that ran the parts: the median of the rounds' figures, with their spread. */
export type SumsOverRounds = { [K in keyof SumOfParts]: Spread };

export function sumOfPartsOver(rounds: Pair[]): SumsOverRounds | null {
  const sums = rounds.map(sumOfParts).filter((s): s is SumOfParts => s !== null);
  if (!sums.length) return null;
  const over = (k: keyof SumOfParts) => spreadOf(sums.map((s) => s[k]));
  return {
    system: over('system'),
    matched: over('matched'),
    minimal: over('minimal'),
    crud: over('crud'),
    toMatchedSum: over('toMatchedSum'),
    toMinimalSum: over('toMinimalSum'),
  };
}
