import { ratiosOf, type BenchResult, type Verdict } from './result';
import { sumOfParts } from './support/sides';

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
  maxApiRssMb: 300,
  maxWorkerRssMb: 450,
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
  /** History events per transition over the feature-matched bare workflow's: the same messages, timers and upserts. */
  maxExtraEventsOverMatched: 0,
};

export function checkBounds(r: BenchResult): Verdict[] {
  const x = ratiosOf(r);
  const failed = [r.apply, r.stageChange, r.list]
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
    { name: 'API RSS max (MB)', value: r.rss.apiMax, bound: `<= ${BOUNDS.maxApiRssMb}`, ok: r.rss.apiMax <= BOUNDS.maxApiRssMb },
    {
      name: 'worker RSS max (MB)',
      value: r.rss.workerMax,
      bound: `<= ${BOUNDS.maxWorkerRssMb}`,
      ok: r.rss.workerMax <= BOUNDS.maxWorkerRssMb,
    },
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
