import { ratiosOf, type BenchResult, type Verdict } from './result';

/**
 * The regression check (`npm run bench -- --quick`, or `--check`): ratios to the baselines measured
 * in the same run, never absolute times, with bounds several times looser than the targets, so a
 * shared CI machine's noise passes and a real regression (a design that doubles the engine work, a
 * list that stops using its index, a notifier that stops pooling) does not. Every load must also
 * finish without a failed operation.
 */
export const BOUNDS = {
  minApplyThroughput: 0.1,
  minStageChangeThroughput: 0.1,
  maxStageChangeP50: 10,
  maxListP99: 6,
  minNotifierThroughput: 0.4,
  maxApiRssMb: 350,
  maxWorkerRssMb: 600,
};

export function checkBounds(r: BenchResult): Verdict[] {
  const x = ratiosOf(r);
  const failed = [r.apply, r.stageChange, r.list].flatMap((p) => [p.system, p.bare]).reduce((n, s) => n + s.summary.errors, 0);
  return [
    { name: 'apply throughput / bare', value: x.applyThroughput, bound: `>= ${BOUNDS.minApplyThroughput}`, ok: x.applyThroughput >= BOUNDS.minApplyThroughput },
    { name: 'stage change throughput / bare', value: x.stageChangeThroughput, bound: `>= ${BOUNDS.minStageChangeThroughput}`, ok: x.stageChangeThroughput >= BOUNDS.minStageChangeThroughput },
    { name: 'stage change p50 / bare', value: x.stageChangeP50, bound: `<= ${BOUNDS.maxStageChangeP50}`, ok: x.stageChangeP50 <= BOUNDS.maxStageChangeP50 },
    { name: 'list p99 / bare Koa', value: x.listP99, bound: `<= ${BOUNDS.maxListP99}`, ok: x.listP99 <= BOUNDS.maxListP99 },
    { name: 'notifier / raw', value: x.notifierThroughput, bound: `>= ${BOUNDS.minNotifierThroughput}`, ok: x.notifierThroughput >= BOUNDS.minNotifierThroughput },
    { name: 'API RSS max (MB)', value: r.rss.apiMax, bound: `<= ${BOUNDS.maxApiRssMb}`, ok: r.rss.apiMax <= BOUNDS.maxApiRssMb },
    { name: 'worker RSS max (MB)', value: r.rss.workerMax, bound: `<= ${BOUNDS.maxWorkerRssMb}`, ok: r.rss.workerMax <= BOUNDS.maxWorkerRssMb },
    { name: 'failed operations', value: failed, bound: '= 0', ok: failed === 0 },
  ];
}
