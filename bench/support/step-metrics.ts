/**
 * Reads the API's own account of its transition requests, `ats_transition_step_seconds{operation,step}`
 * (src/metrics.ts), out of its `/metrics` text (from the METRICS_PORT listener: on the API's port it
 * is for admins). The bench and the test of the metric both read it this way: two readings taken
 * around some requests give each step's time and count in between.
 */
export interface StepTotal {
  ms: number;
  n: number;
}

/** Each `operation/step` pair's running sum (ms) and count. */
export type StepTotals = Map<string, StepTotal>;

export function parseStepTotals(metricsText: string): StepTotals {
  const totals: StepTotals = new Map();
  for (const [, part, labels, value] of metricsText.matchAll(/^ats_transition_step_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];
    const key = `${label('operation')}/${label('step')}`;
    const total = totals.get(key) ?? { ms: 0, n: 0 };
    if (part === 'sum') total.ms = Number(value) * 1000;
    else total.n = Number(value);
    totals.set(key, total);
  }
  return totals;
}

/** Reads the totals from `metricsUrl`'s `/metrics`; a refusal is an error, never a reading of nothing. */
export async function readStepTotals(metricsUrl: string): Promise<StepTotals> {
  const res = await fetch(`${metricsUrl}/metrics`);
  if (!res.ok)
    throw new Error(`GET ${metricsUrl}/metrics answered ${res.status}: the bench reads the API's metrics listener (METRICS_PORT)`);
  return parseStepTotals(await res.text());
}

/** The steps of `operation` recorded between two readings, by step: their time (ms) and count. */
export function stepsBetween(before: StepTotals, after: StepTotals, operation: string): Record<string, StepTotal> {
  const steps: Record<string, StepTotal> = {};
  for (const [key, total] of after) {
    const [op, step] = key.split('/');
    const was = before.get(key) ?? { ms: 0, n: 0 };
    if (op === operation && total.n > was.n) steps[step] = { ms: total.ms - was.ms, n: total.n - was.n };
  }
  return steps;
}
