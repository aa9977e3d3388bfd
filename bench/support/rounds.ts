/**
 * How rounds are taken and read. Noise on a shared machine can spoil either side of a round, so
 * the side that goes first alternates from round to round, and each figure is the median of its
 * rounds' ratios with their spread beside it, never the best round.
 */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median (the mean of the middle two when even) and the range of the values that are numbers. */
export function spreadOf(values: number[]): Spread {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return { median: NaN, min: NaN, max: NaN };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export type First = 'bare' | 'system';

/** Which side runs first in round `k` (from 1): the baseline in odd rounds, the system in even ones. */
export const firstIn = (k: number): First => (k % 2 === 1 ? 'bare' : 'system');

/** Runs the two sides of one measure in the round's order; returns both whichever ran first. */
export async function inOrder<B, S>(first: First, bare: () => Promise<B>, system: () => Promise<S>): Promise<{ bare: B; system: S }> {
  if (first === 'bare') {
    const b = await bare();
    return { bare: b, system: await system() };
  }
  const s = await system();
  return { system: s, bare: await bare() };
}
