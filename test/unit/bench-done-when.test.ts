import { doneWhenOf, DONE_WHEN } from '../../bench/done-when';
import { BOUNDS, checkBounds } from '../../bench/bounds';
import {
  cachedWorkflowsFor,
  candidatesFor,
  offeredRates,
  RATE_SIDES,
  uncachedWorkflowsFor,
  withCrudOf,
  type RateRounds,
} from '../../bench/regimes';
import { parseOptions } from '../../bench/options';
import { markdownOf, tablesOf } from '../../bench/report';
import { SIDE_PROCESSES, sumOfPartsOver } from '../../bench/support/sides';
import type { BenchResult } from '../../bench/result';
import type { Pair, Side } from '../../bench/phases';

/** Issue 25's "done when" as the bench reads it: every side at the fixed rate, in both regimes, the latency at rest, memory. */
describe('bench done when', () => {
  const side = (cpu: Record<string, number>, s: { ops?: number; opsPerSec?: number; p50?: number; pss?: number } = {}): Side => ({
    summary: {
      ops: s.ops ?? 100,
      errors: 0,
      opsPerSec: s.opsPerSec ?? 50,
      p50: s.p50 ?? 10,
      p99: 20,
      max: 20,
      mean: 11,
    } as Side['summary'],
    firstError: null,
    usage: Object.fromEntries(
      Object.entries(cpu).map(([p, cpuMs]) => [
        p,
        { cpuMs, rssMaxMb: 300, rssMeanMb: 300, pssMaxMb: s.pss ?? 100, memory: 'pss' as const },
      ]),
    ),
  });

  /**
   * One round at the fixed rate, per operation: the system `system` ms; the matched engine 8 ms
   * (its Temporal client included), the minimal 5, the CRUD side 4; HTTP load clients count nowhere.
   */
  const rated = (system: number): Pair => ({
    system: side({ api: 100 * system - 500, worker: 250, temporal: 250, load: 9_000 }),
    bare: side({ 'bare-worker': 200, temporal: 250, load: 50, api: 7_000 }),
    matched: side({ 'matched-worker': 300, temporal: 400, load: 100 }),
    crud: side({ 'bare-route': 250, 'raw-notifier': 100, redis: 30, smtp: 20, load: 9_000, temporal: 5_000 }),
  });

  test('the sums of bare parts over the rounds: medians and spreads of the rounds’ own ratios, rounds without the parts left out', () => {
    const { crud: _crud, ...noParts } = rated(12);
    const sums = sumOfPartsOver([rated(12), rated(18), noParts, rated(15)])!;
    expect(sums.toMatchedSum).toEqual({ median: 15 / 12, min: 1, max: 18 / 12 });
    expect(sums.toMinimalSum).toEqual({ median: 15 / 9, min: 12 / 9, max: 2 });
    expect(sums.crud).toEqual({ median: 4, min: 4, max: 4 });
    expect(sumOfPartsOver([noParts])).toBeNull();
  });

  test('the fixed rate is half the minimal bare engine’s closed-loop throughput, and every side of the sums is sampled', () => {
    const closed = (bare: number) => ({ system: side({}), bare: side({}, { opsPerSec: bare }) });
    expect(offeredRates({ apply: [closed(40), closed(60), closed(50)], stageChange: [closed(100)] })).toEqual({
      applyRate: 25,
      stageChangeRate: 50,
    });
    expect(RATE_SIDES).toEqual({
      system: [...SIDE_PROCESSES.system],
      bare: [...SIDE_PROCESSES.minimal],
      matched: [...SIDE_PROCESSES.matched],
      crud: [...SIDE_PROCESSES.crud],
    });
    // Fresh candidates: the cached rounds' system, the system's at the rate in both regimes and the CRUD side's in one, the system's and the CRUD side's at rest.
    const opts = parseOptions(['--quick'], {});
    expect(candidatesFor(opts)).toBe(3 * (120 + 3 * (10 + 50) + 2 * (2 + 50)));
  });

  test('"not cached" misses the cache at every size, and the cached regime holds a whole round', () => {
    for (const argv of [['--quick'], [], ['--applies', '1000']]) {
      const opts = parseOptions(argv, {});
      const moved = opts.applies + 2 * opts.clients;
      expect(uncachedWorkflowsFor(opts)).toBeLessThan(moved / 2);
      expect(uncachedWorkflowsFor(opts)).toBeLessThanOrEqual(200);
      expect(cachedWorkflowsFor(opts)).toBeGreaterThan(moved);
    }
    // The full sizes keep the workers' default.
    expect(uncachedWorkflowsFor(parseOptions([], {}))).toBe(200);
  });

  test("the cached regime's rounds at the rate take the CRUD side of the same round with the default cache", () => {
    const { crud: _crud, ...withoutCrud } = rated(10);
    const uncached = { applyRate: 10, stageChangeRate: 20, apply: [rated(12), rated(13)], stageChange: [rated(12)] };
    const cached: RateRounds = {
      applyRate: 10,
      stageChangeRate: 20,
      apply: [withoutCrud, withoutCrud, rated(11)],
      stageChange: [withoutCrud],
    };
    const filled = withCrudOf(cached, uncached);
    expect(filled.apply.map((p) => p.crud)).toEqual([uncached.apply[0].crud, uncached.apply[1].crud, cached.apply[2].crud]);
    expect(filled.apply[0].crud).toBe(uncached.apply[0].crud);
    expect(filled.stageChange[0].crud).toBe(uncached.stageChange[0].crud);
    expect(filled.apply[0].matched).toBe(withoutCrud.matched);
    expect(cached.apply[0]).not.toHaveProperty('crud');
  });

  function run(
    opts: { system?: number; cachedSystem?: number; restOverMatched?: number; apiPss?: number[]; matchedAtRest?: boolean } = {},
  ) {
    const { system = 13, cachedSystem = 10, restOverMatched = 2, apiPss = [120, 140, 130], matchedAtRest = true } = opts;
    const closed = (k: number): Pair => ({
      system: side({ api: 1 }, { pss: apiPss[k], opsPerSec: 20, p50: 400 }),
      bare: side({}, { opsPerSec: 40 }),
      crud: side({ 'bare-route': 300, 'raw-notifier': 100 }, { opsPerSec: 200 + k, p50: 30 + k }),
    });
    const rest = (minimal: number, matched: number, crud = 1): Pair => ({
      system: side({}, { p50: 20 }),
      bare: side({}, { p50: minimal }),
      ...(matchedAtRest ? { matched: side({}, { p50: matched }) } : {}),
      crud: side({}, { p50: crud }),
    });
    const transition = { events: 5, workflowTasks: 1, activityTasks: 0, timersStarted: 0, timersCanceled: 0, searchAttributeUpserts: 0 };
    const work = { workflows: 1, apply: transition, stageChange: transition, example: [] };
    const worker = (pss: number) => ({ cpuMs: 1, rssMaxMb: 300, rssMeanMb: 300, pssMaxMb: pss, memory: 'pss' as const });
    const apply = [0, 1, 2].map(closed);
    apply.forEach((p, k) => (p.system.usage.worker = worker(200 + 20 * k)));
    return {
      options: parseOptions(['--quick'], {}),
      apply: apply[0],
      stageChange: apply[0],
      list: { system: side({}), bare: side({}), rows: 20_000 },
      notifier: { system: { jobsPerSec: 95 }, raw: { jobsPerSec: 100 } },
      rounds: {
        apply,
        stageChange: [0, 1, 2].map(closed),
        // The bare route's p99 is 20 ms: 1.2x, 1.4x, 1.6x.
        list: [24, 28, 32].map((p99) => {
          const p = { system: side({}), bare: side({}) };
          p.system.summary.p99 = p99;
          return p;
        }),
        notifier: [0.95, 0.8, 1].map((x) => ({ system: { jobsPerSec: 100 * x }, raw: { jobsPerSec: 100 } })),
      },
      atRest: {
        apply: [rest(18, 20 - restOverMatched, 1), rest(19, 20 - restOverMatched, 0.5), rest(10, 20 - restOverMatched, 3)],
        stageChange: [rest(18, 17)],
      },
      atRate: {
        applyRate: 10,
        stageChangeRate: 20,
        sides: RATE_SIDES,
        apply: [rated(system), rated(system), rated(system + 3)],
        stageChange: [rated(system)],
        cached: {
          maxCachedWorkflows: 130,
          applyRate: 10,
          stageChangeRate: 20,
          apply: [rated(cachedSystem)],
          stageChange: [rated(cachedSystem)],
        },
      },
      rss: { apiDuringWrites: 300, workerDuringWrites: 300, apiDuringList: 300, apiMax: 300, workerMax: 300, notifierMax: 100 },
      pss: { source: 'pss', apiDuringWrites: 140, workerDuringWrites: 240, apiDuringList: 1, apiMax: 140, workerMax: 240, notifierMax: 1 },
      engineWork: { system: work, bare: work },
      machine: { cpus: 2, cpuModel: 'test', memoryGb: 8, node: '24', kernel: '6' },
      startedAt: '2026-12-07T10:00:00.000Z',
      finishedAt: '2026-12-07T10:05:00.000Z',
      command: 'npm run bench -- --quick',
      curves: { workers: [], clients: [], list: [] },
    } as unknown as BenchResult;
  }
  const row = (r: BenchResult, figure: RegExp) => {
    const rows = doneWhenOf(r).filter((x) => figure.test(x.figure));
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  test('CPU per transition over each sum of parts, at the rate, in both regimes, judged on the median round', () => {
    // 13 ms per apply over matched 8 + CRUD 4: 1.083x, met; over minimal 5 + 4: 1.44x, missed.
    const r = run();
    expect(row(r, /^CPU per apply \/ \(matched.*not cached/)).toMatchObject({
      value: { median: 13 / 12, min: 13 / 12, max: 16 / 12 },
      target: `<= ${DONE_WHEN.maxCpuOverMatchedSum}x`,
      ok: true,
    });
    expect(row(r, /^CPU per apply \/ \(minimal.*not cached/)).toMatchObject({ value: { median: 13 / 9 }, ok: false });
    expect(row(r, /^CPU per stage change \/ \(minimal.*at 20\.0\/s, not cached/).ok).toBe(false);
    // Cached: 10 ms, under both sums.
    expect(row(r, /^CPU per stage change \/ \(matched.*130 cached/)).toMatchObject({ value: { median: 10 / 12 }, ok: true });
    expect(row(r, /^CPU per apply \/ \(minimal.*130 cached/)).toMatchObject({ value: { median: 10 / 9 }, ok: true });
    expect(row(run({ system: 14 }), /^CPU per apply \/ \(matched.*not cached/).ok).toBe(false);
  });

  test('a system that fell behind the rate it was offered is said to have, beside its figure', () => {
    const r = run();
    expect(row(r, /^CPU per apply \/ \(matched.*not cached/).note).toBeUndefined();
    for (const p of r.atRate!.apply) p.system.summary.opsPerSec = 8;
    expect(row(r, /^CPU per apply \/ \(matched.*not cached/)).toMatchObject({ ok: true, note: 'the system fell behind: 8.0/s achieved' });
    expect(tablesOf(r)[0].rows.find((x) => /^CPU per apply \/ \(matched.*not cached/.test(x[0]))?.[4]).toBe(
      'met (the system fell behind: 8.0/s achieved)',
    );
  });

  test('p50 at 1 client over the minimal and the matched bare engine, each the median of the rounds’ differences', () => {
    const r = run();
    expect(row(r, /^apply p50 at 1 client over the minimal/)).toMatchObject({ value: { median: 2, min: 1, max: 10 }, ok: true });
    expect(row(r, /^apply p50 at 1 client over the matched bare engine's$/)).toMatchObject({ value: { median: 2 }, ok: true });
    expect(row(run({ restOverMatched: 4 }), /^apply p50 at 1 client over the matched bare engine's$/).ok).toBe(false);
    expect(row(r, /^stage change p50 at 1 client over the matched bare engine's$/)).toMatchObject({ value: { median: 3 }, ok: true });
    // A run that measured no matched engine at rest says so rather than passing.
    expect(row(run({ matchedAtRest: false }), /^apply p50 at 1 client over the matched bare engine's$/)).toMatchObject({ ok: null });
  });

  test("p50 at 1 client over the bare engine plus the synchronous product steps: the matched engine's p50 and the CRUD route's, per round", () => {
    // Rounds: 20 - (18 + 1), 20 - (18 + 0.5), 20 - (18 + 3).
    const r = run();
    expect(row(r, /^apply p50 at 1 client over the matched bare engine's \+ the CRUD route's$/)).toMatchObject({
      value: { median: 1, min: -1, max: 1.5 },
      target: '<= +3 ms',
      ok: true,
    });
    expect(row(run({ restOverMatched: 5 }), /^apply p50 at 1 client over the matched bare engine's \+ the CRUD route's$/)).toMatchObject({
      value: { median: 4 },
      ok: false,
    });
    expect(row(run({ matchedAtRest: false }), /^stage change p50 at 1 client over the matched bare engine's \+/)).toMatchObject({
      ok: null,
    });
  });

  test('list and notifier by their rounds’ ratios; memory judged on every round’s peak; the CRUD side without a target', () => {
    const r = run();
    expect(row(r, /^list p99/)).toMatchObject({ value: { median: 1.4, min: 1.2, max: 1.6 }, ok: true });
    expect(row(r, /^notifier/)).toMatchObject({ value: { median: 0.95 }, ok: true });
    expect(row(r, /^API PSS/)).toMatchObject({ value: { median: 130, min: 120, max: 140 }, ok: true });
    expect(row(run({ apiPss: [120, 150, 130] }), /^API PSS/).ok).toBe(false);
    // Worker peaks 200, 220, 240 MB: under 250 in every round.
    expect(row(r, /^worker PSS/)).toMatchObject({ value: { median: 220, max: 240 }, ok: true });
    expect(row(r, /^CRUD apply throughput/)).toMatchObject({ value: { median: 201, min: 200, max: 202 }, ok: null, target: '' });
    expect(row(r, /^CRUD stage change p50/)).toMatchObject({ value: { median: 31 }, format: 'ms' });
    expect(row(r, /^CRUD apply CPU per operation at 10\.0\/s/)).toMatchObject({ value: { median: 4 } });
  });

  test('the report prints the done-when table first, in the terminal and inside the README markers', () => {
    const r = run();
    const [first, second] = tablesOf(r);
    expect(first.title).toMatch(/^Done when \(issue 25\): medians of 3 rounds,/);
    expect(first.rows.map((x) => x[0])).toEqual(doneWhenOf(r).map((x) => x.figure));
    expect(first.rows.find((x) => x[0].startsWith('apply p50 at 1 client over the minimal'))?.slice(1)).toEqual([
      '+2.0 ms',
      '+1.0 ms – +10.0 ms',
      '<= +3 ms',
      'met',
    ]);
    expect(second.title).toMatch(/^Measures/);
    expect(markdownOf(r).startsWith('**Done when (issue 25)')).toBe(true);
  });

  test('the regression check bounds each sum of parts at the rate from both sides, in both regimes, and the rest over the matched engine', () => {
    const verdicts = (r: BenchResult) => checkBounds(r).filter((v) => /fixed rate \/ sum|matched bare$/.test(v.name));
    expect(verdicts(run()).map((v) => [v.name, v.ok])).toEqual([
      ['apply p50 at 1 client / matched bare', true],
      ['stage change p50 at 1 client / matched bare', true],
      ['apply, not cached: system CPU at a fixed rate / sum of bare parts (matched engine)', true],
      ['apply, not cached: system CPU at a fixed rate / sum of bare parts (minimal engine)', true],
      ['stage change, not cached: system CPU at a fixed rate / sum of bare parts (matched engine)', true],
      ['stage change, not cached: system CPU at a fixed rate / sum of bare parts (minimal engine)', true],
      ['apply, cached: system CPU at a fixed rate / sum of bare parts (matched engine)', true],
      ['apply, cached: system CPU at a fixed rate / sum of bare parts (minimal engine)', true],
      ['stage change, cached: system CPU at a fixed rate / sum of bare parts (matched engine)', true],
      ['stage change, cached: system CPU at a fixed rate / sum of bare parts (minimal engine)', true],
    ]);
    const missed = (r: BenchResult) =>
      verdicts(r)
        .filter((v) => !v.ok)
        .map((v) => v.name);
    // The system's cost doubled (and more) in the cached regime: both sums crossed.
    expect(missed(run({ cachedSystem: 12 * BOUNDS.maxCpuOverMatchedSumAtRate + 1 }))).toEqual([
      'apply, cached: system CPU at a fixed rate / sum of bare parts (matched engine)',
      'apply, cached: system CPU at a fixed rate / sum of bare parts (minimal engine)',
      'stage change, cached: system CPU at a fixed rate / sum of bare parts (matched engine)',
      'stage change, cached: system CPU at a fixed rate / sum of bare parts (minimal engine)',
    ]);
    // A baseline that counts far more than its work (or a system that does none): the lower bound.
    expect(missed(run({ system: 12 * BOUNDS.minCpuOverSumOfPartsAtRate - 1 }))).toEqual([
      'apply, not cached: system CPU at a fixed rate / sum of bare parts (matched engine)',
      'stage change, not cached: system CPU at a fixed rate / sum of bare parts (matched engine)',
    ]);
    expect(missed(run({ restOverMatched: 20 - 20 / (BOUNDS.maxRestP50OverMatched + 0.5) }))).toEqual([
      'apply p50 at 1 client / matched bare',
    ]);
  });
});
