import { ratiosOf, type BenchResult, type Verdict } from './result';
import { sumOfParts, sumOfPartsOver } from './support/sides';
import { spreadOf } from './support/rounds';
import { cpuPerOpAtRate } from './regimes';

/**
 * The regression check (`npm run bench -- --quick`, or `--check`): ratios to the baselines measured
 * in the same run, never absolute times, with bounds well below the targets (set from runs on the
 * 2-core CI machine: apply 0.5-0.7x, stage change 0.4-0.45x and p50 2.3-2.6x, list p99 1.7-2.7x,
 * notifier 0.7-0.9x), so a shared CI machine's noise passes and a real regression (a design that
 * doubles the engine work, a list that stops using its index, a notifier that stops pooling) does not. Every load must also
 * finish without a failed operation.
 */
export const BOUNDS = {
  minApplyThroughput: 0.35,
  minStageChangeThroughput: 0.25,
  maxStageChangeP50: 4,
  maxListP99: 4,
  minNotifierThroughput: 0.5,
  /**
   * PSS: the Node binary's shared pages count a share in each process (bench/support/memory.ts);
   * a quick run on the shared 2-core machine: API 118 MB, worker 188 MB.
   */
  maxApiPssMb: 250,
  maxWorkerPssMb: 350,
  /** With every worker's cache holding the applications moved, the bare engine runs further ahead. */
  minCachedStageChangeThroughput: 0.2,
  /**
   * The latency at rest, at 1 client: p50 over the bare engine's, as a ratio (CI's timings are noisy).
   * The cached stage change, the rest and the CPU at a rate, in a quick run on the shared 2-core
   * machine: 0.49x, 1.73x and 1.73x, 1.69x and 2.14x.
   */
  maxRestP50: 3,
  /** CPU per operation summed over each side's processes, at the same offered rate. */
  maxCpuAtRate: 4,
  /**
   * Engine work is counted, not timed, so its bounds are tight: one workflow task and no activity
   * per apply and per stage change, and at most two history events more than the bare workflow's
   * (an apply's stage clock, a stage change's search attribute, one to spare).
   */
  maxExtraEvents: 2,
  maxWorkflowTasks: 1,
  maxActivityTasks: 0,
  /**
   * The system's CPU per apply and per stage change over the sum of bare parts doing the same work
   * (the matched bare engine, the bare route and the raw notifier): what the system's own code costs
   * on top of its parts, whatever the machine's speed.
   */
  maxCpuOverSumOfParts: 2.5,
  /**
   * The same over each sum of bare parts at the fixed offered rate, in both cache regimes (the done
   * when's figures: 1.15x the matched sum, 1.3x the minimal one). Quick runs on the shared 2-core
   * machine, medians of three rounds: 1.02-1.18x the matched sum (rounds 0.94-1.29x), 1.21-1.29x the
   * minimal one (rounds 1.05-1.37x). The system's CPU doubled crosses the upper bounds; a baseline
   * that stops doing its work crosses them too, and one that counts its processes twice the lower.
   */
  maxCpuOverMatchedSumAtRate: 1.8,
  maxCpuOverMinimalSumAtRate: 2,
  minCpuOverSumOfPartsAtRate: 0.7,
  /** The latency at rest over the matched bare engine's, as a ratio of p50s (quick runs: 1.25-1.54x). */
  maxRestP50OverMatched: 2.5,
  /** History events per transition over the feature-matched bare workflow's: the same messages, timers and upserts. */
  maxExtraEventsOverMatched: 0,
  /**
   * The reports' p50 at the list's applications, one request at a time: an absolute bound, as the
   * requirement is (200 ms at 100,000 applications, for every job and for one job).
   */
  maxReportP50Ms: 200,
};

const atMost = (name: string, value: number, max: number): Verdict => ({ name, value, bound: `<= ${max}`, ok: value <= max });

/** Peak PSS of the API and the worker over the run, with the workers' default cache. */
function memoryBounds(r: BenchResult): Verdict[] {
  const pss = r.pss ?? { ...r.rss, source: 'rss' };
  const unit = pss.source === 'pss' ? 'PSS' : 'RSS';
  return [
    atMost(`API ${unit} max (MB)`, pss.apiMax, BOUNDS.maxApiPssMb),
    atMost(`worker ${unit} max (MB)`, pss.workerMax, BOUNDS.maxWorkerPssMb),
  ];
}

/** Each report's p50, and no failed request; absent from results of runs before the reports were measured. */
function reportBounds(r: BenchResult): Verdict[] {
  if (!r.reports) return [];
  const figures = Object.entries(r.reports.figures);
  const failed = figures.reduce((n, [, v]) => n + v.errors, 0);
  return [
    ...figures.map(([name, v]) => atMost(`${name}: report p50 (ms)`, v.p50, BOUNDS.maxReportP50Ms)),
    { name: 'reports: failed requests', value: failed, bound: '= 0', ok: failed === 0 },
  ];
}

/** The cached regime, the latency at rest and the CPU at a fixed rate, each the median of its rounds. */
function fairnessBounds(r: BenchResult): Verdict[] {
  const verdicts: Verdict[] = [];
  if (r.cached) {
    const value = spreadOf(r.cached.stageChange.map((p) => p.system.summary.opsPerSec / p.bare.summary.opsPerSec)).median;
    verdicts.push({
      name: 'stage change throughput / bare, working set cached',
      value,
      bound: `>= ${BOUNDS.minCachedStageChangeThroughput}`,
      ok: value >= BOUNDS.minCachedStageChangeThroughput,
    });
  }
  if (r.atRest) {
    for (const [label, rounds] of [
      ['apply', r.atRest.apply],
      ['stage change', r.atRest.stageChange],
    ] as const)
      verdicts.push(
        atMost(
          `${label} p50 at 1 client / bare`,
          spreadOf(rounds.map((p) => p.system.summary.p50 / p.bare.summary.p50)).median,
          BOUNDS.maxRestP50,
        ),
      );
  }
  if (r.atRate) {
    for (const [label, rounds] of [
      ['apply', r.atRate.apply],
      ['stage change', r.atRate.stageChange],
    ] as const) {
      const { ratio } = cpuPerOpAtRate(rounds, r.atRate.sides);
      verdicts.push(atMost(`${label}: CPU per operation at a fixed rate / bare`, ratio.median, BOUNDS.maxCpuAtRate));
    }
  }
  if (r.atRest)
    for (const [label, rounds] of [
      ['apply', r.atRest.apply],
      ['stage change', r.atRest.stageChange],
    ] as const) {
      const matched = rounds.filter((p) => p.matched);
      if (matched.length)
        verdicts.push(
          atMost(
            `${label} p50 at 1 client / matched bare`,
            spreadOf(matched.map((p) => p.system.summary.p50 / p.matched!.summary.p50)).median,
            BOUNDS.maxRestP50OverMatched,
          ),
        );
    }
  return [...verdicts, ...sumsAtRate(r)];
}

/** The system's CPU per transition over each sum of bare parts at the fixed rate, in each cache regime that ran the parts. */
function sumsAtRate(r: BenchResult): Verdict[] {
  const regimes = [
    ['not cached', r.atRate],
    ['cached', r.atRate?.cached],
  ] as const;
  return regimes.flatMap(([regime, rated]) =>
    !rated
      ? []
      : (
          [
            ['apply', rated.apply],
            ['stage change', rated.stageChange],
          ] as const
        ).flatMap(([label, rounds]) => {
          const sums = sumOfPartsOver(rounds);
          if (!sums) return [];
          const name = `${label}, ${regime}: system CPU at a fixed rate / sum of bare parts`;
          const matched = sums.toMatchedSum.median;
          return [
            {
              name: `${name} (matched engine)`,
              value: matched,
              bound: `${BOUNDS.minCpuOverSumOfPartsAtRate}-${BOUNDS.maxCpuOverMatchedSumAtRate}`,
              ok: matched >= BOUNDS.minCpuOverSumOfPartsAtRate && matched <= BOUNDS.maxCpuOverMatchedSumAtRate,
            },
            atMost(`${name} (minimal engine)`, sums.toMinimalSum.median, BOUNDS.maxCpuOverMinimalSumAtRate),
          ];
        }),
  );
}

export function checkBounds(r: BenchResult): Verdict[] {
  const x = ratiosOf(r);
  const failed = [
    r.apply,
    r.stageChange,
    r.list,
    ...(r.cached ? [...r.cached.apply, ...r.cached.stageChange] : []),
    ...(r.atRest ? [...r.atRest.apply, ...r.atRest.stageChange] : []),
    ...(r.atRate ? [...r.atRate.apply, ...r.atRate.stageChange] : []),
    ...(r.atRate?.cached ? [...r.atRate.cached.apply, ...r.atRate.cached.stageChange] : []),
  ]
    .flatMap((p) => [p.system, p.bare, ...(p.matched ? [p.matched] : []), ...(p.crud ? [p.crud] : [])])
    .reduce((n, s) => n + s.summary.errors, 0);
  const sums = (['apply', 'stageChange'] as const).flatMap((t) => {
    const parts = sumOfParts(r[t]);
    const label = t === 'apply' ? 'apply' : 'stage change';
    const matched = r.engineWork.matched?.[t];
    const extra = matched ? r.engineWork.system[t].events - matched.events : NaN;
    return [
      ...(parts
        ? [
            {
              name: `${label}: system CPU / sum of bare parts`,
              value: parts.toMatchedSum,
              bound: `<= ${BOUNDS.maxCpuOverSumOfParts}`,
              ok: parts.toMatchedSum <= BOUNDS.maxCpuOverSumOfParts,
            },
          ]
        : []),
      ...(matched
        ? [
            {
              name: `${label}: history events over matched bare`,
              value: extra,
              bound: `<= ${BOUNDS.maxExtraEventsOverMatched}`,
              ok: extra <= BOUNDS.maxExtraEventsOverMatched,
            },
          ]
        : []),
    ];
  });
  return [
    {
      name: 'apply throughput / bare',
      value: x.applyThroughput,
      bound: `>= ${BOUNDS.minApplyThroughput}`,
      ok: x.applyThroughput >= BOUNDS.minApplyThroughput,
    },
    {
      name: 'stage change throughput / bare',
      value: x.stageChangeThroughput,
      bound: `>= ${BOUNDS.minStageChangeThroughput}`,
      ok: x.stageChangeThroughput >= BOUNDS.minStageChangeThroughput,
    },
    {
      name: 'stage change p50 / bare',
      value: x.stageChangeP50,
      bound: `<= ${BOUNDS.maxStageChangeP50}`,
      ok: x.stageChangeP50 <= BOUNDS.maxStageChangeP50,
    },
    { name: 'list p99 / bare Koa', value: x.listP99, bound: `<= ${BOUNDS.maxListP99}`, ok: x.listP99 <= BOUNDS.maxListP99 },
    {
      name: 'notifier / raw',
      value: x.notifierThroughput,
      bound: `>= ${BOUNDS.minNotifierThroughput}`,
      ok: x.notifierThroughput >= BOUNDS.minNotifierThroughput,
    },
    ...memoryBounds(r),
    ...fairnessBounds(r),
    ...reportBounds(r),
    { name: 'failed operations', value: failed, bound: '= 0', ok: failed === 0 },
    ...sums,
    ...(['apply', 'stageChange'] as const).flatMap((t) => {
      const system = r.engineWork.system[t];
      const bare = r.engineWork.bare[t];
      const label = t === 'apply' ? 'apply' : 'stage change';
      return [
        {
          name: `${label}: history events over bare`,
          value: system.events - bare.events,
          bound: `<= ${BOUNDS.maxExtraEvents}`,
          ok: system.events - bare.events <= BOUNDS.maxExtraEvents,
        },
        {
          name: `${label}: workflow tasks`,
          value: system.workflowTasks,
          bound: `<= ${BOUNDS.maxWorkflowTasks}`,
          ok: system.workflowTasks <= BOUNDS.maxWorkflowTasks,
        },
        {
          name: `${label}: activity tasks`,
          value: system.activityTasks,
          bound: `<= ${BOUNDS.maxActivityTasks}`,
          ok: system.activityTasks <= BOUNDS.maxActivityTasks,
        },
      ];
    }),
  ];
}
