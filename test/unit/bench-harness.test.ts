import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MEASURE_MARKS, percentile, runPool, summarize } from '../../bench/support/stats';
import { runOpenLoop } from '../../bench/support/open-loop';
import { segmentsOf, typeOf } from '../../bench/support/history';
import { parseOptions } from '../../bench/options';
import { checkBounds } from '../../bench/bounds';
import { medianRound, targetsOf, type BenchResult } from '../../bench/result';
import { UsageSampler } from '../../bench/support/sampler';
import { cpuMs, rssMb, runScript } from '../../bench/support/processes';
import { parseStepTotals, readStepTotals, stepsBetween } from '../../bench/support/step-metrics';

/** The benchmark harness's own arithmetic: what its figures mean depends on it. */
describe('bench harness', () => {
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  test.each([
    ['one sample, p50', [5], 50, 5],
    ['one sample, p99', [5], 99, 5],
    ['four samples, p50', [1, 2, 3, 4], 50, 2],
    ['four unsorted samples, p99', [4, 3, 2, 1], 99, 4],
    ['1…100, p50', ramp(100), 50, 50],
    ['1…100, p99', ramp(100), 99, 99],
    ['1000…1, p99', ramp(1000).reverse(), 99, 990],
  ])('percentile (nearest rank): %s', (_, samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  test('throughput counts measured operations over the measured time only', () => {
    expect(summarize({ ok: 50, errors: { 500: 2 }, firstError: 'x', latenciesMs: [1, 2, 3], elapsedMs: 2000, cpuMs: 10 })).toMatchObject({
      ops: 50,
      errors: 2,
      opsPerSec: 25,
      p50: 2,
      p99: 3,
      max: 3,
    });
  });

  test('runPool keeps to its concurrency, never overlaps operations of one key, and leaves warm-up out', async () => {
    let inFlight = 0;
    let most = 0;
    const busyKeys = new Set<string>();
    let overlaps = 0;
    const keyOf = (i: number) => `app-${i % 3}`;
    const result = await runPool(30, 4, 6, keyOf, async (i) => {
      if (busyKeys.has(keyOf(i))) overlaps++;
      busyKeys.add(keyOf(i));
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      busyKeys.delete(keyOf(i));
      if (i === 20) throw Object.assign(new Error('refused'), { code: '409' });
    });
    expect(overlaps).toBe(0);
    expect(most).toBeLessThanOrEqual(3);
    expect(result.ok).toBe(23);
    expect(result.latenciesMs).toHaveLength(23);
    expect(result.errors).toEqual({ 409: 1 });
    expect(result.firstError).toBe('refused');
  });

  test('runPool runs unkeyed operations at full concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    await runPool(
      20,
      5,
      0,
      () => undefined,
      async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
      },
    );
    expect(most).toBe(5);
  });

  test('runPool reports its own CPU over the measured operations, not the warm-up', async () => {
    // Spins until this process has used `ms` of CPU, so other processes sharing the cores change nothing.
    const spin = (ms: number) => {
      const start = process.cpuUsage();
      const used = () => {
        const { user, system } = process.cpuUsage(start);
        return (user + system) / 1000;
      };
      while (used() < ms);
    };
    // Warm-up burns 200 ms, the measured operations 10 × 5 ms.
    const result = await runPool(
      12,
      1,
      2,
      () => undefined,
      async (i) => spin(i < 2 ? 100 : 5),
    );
    expect(result.cpuMs).toBeGreaterThanOrEqual(45);
    expect(result.cpuMs).toBeLessThan(150);
  });

  const ev = (type: string) => ({ [`${type}EventAttributes`]: {} });

  test('a history splits at each accepted update, with the workflow task that carried it', () => {
    const history = [
      'workflowExecutionStarted',
      'workflowTaskScheduled',
      'workflowTaskStarted',
      'workflowTaskCompleted',
      'workflowExecutionUpdateAccepted',
      'workflowExecutionUpdateCompleted',
      'activityTaskScheduled',
      'timerStarted',
      'activityTaskStarted',
      'activityTaskCompleted',
      'workflowTaskScheduled',
      'workflowTaskStarted',
      'workflowTaskCompleted',
      'workflowTaskScheduled',
      'workflowTaskStarted',
      'workflowTaskCompleted',
      'workflowExecutionUpdateAccepted',
      'workflowExecutionUpdateCompleted',
      'timerCanceled',
      'timerStarted',
    ].map(ev);
    const segments = segmentsOf(history as never);
    expect(segments.map((s) => s.length)).toEqual([13, 7]);
    expect(segments[1].map(typeOf)[0]).toBe('workflowTaskScheduled');
    expect(segments[1].map(typeOf)).toContain('timerCanceled');
    expect(segmentsOf([ev('workflowExecutionStarted')] as never)).toEqual([]);
  });

  test('options: full sizes by default, small ones with --quick or BENCH_QUICK, and bad input refused', () => {
    expect(parseOptions([], {})).toMatchObject({
      quick: false,
      clients: 10,
      applies: 600,
      listRows: 100_000,
      check: false,
      workerCurve: [],
      listCurve: [],
    });
    expect(parseOptions(['--quick'], {})).toMatchObject({ quick: true, check: true, applies: 100 });
    expect(parseOptions([], { BENCH_QUICK: '1' })).toMatchObject({ quick: true });
    expect(
      parseOptions(['--worker-curve', '1,2,4', '--list-curve', '10_000,100000', '--clients-curve', '1,5', '--clients', '4'], {}),
    ).toMatchObject({ workerCurve: [1, 2, 4], listCurve: [10_000, 100_000], clientsCurve: [1, 5], clients: 4, warmup: 8 });
    expect(parseOptions(['--temporal', '127.0.0.1:7233'], {})).toMatchObject({ temporalAddress: '127.0.0.1:7233', temporalServer: false });
    expect(parseOptions(['--temporal-server', '--quick'], {})).toMatchObject({ temporalServer: true, quick: true });
    expect(() => parseOptions(['--temporal-server', '--temporal', '127.0.0.1:7233'], {})).toThrow(/exclude each other/);
    expect(() => parseOptions(['--clients', '0'], {})).toThrow(/--clients must be an integer >= 1/);
    expect(() => parseOptions(['--clients'], {})).toThrow(/needs a value/);
    expect(() => parseOptions(['--fast'], {})).toThrow(/unknown option --fast/);
    expect(() => parseOptions(['--worker-curve', '1,x'], {})).toThrow(/positive integers/);
  });

  /** A run whose system is `factor` times its baselines' throughput and `1 / factor` their latency. */
  function run(
    factor: number,
    failed = 0,
    work: { events: number; workflowTasks: number; activityTasks: number } = { events: 6, workflowTasks: 1, activityTasks: 0 },
  ): BenchResult {
    const engine = (w: typeof work) => ({
      events: w.events,
      workflowTasks: w.workflowTasks,
      activityTasks: w.activityTasks,
      timersStarted: 0,
      timersCanceled: 0,
      searchAttributeUpserts: 0,
    });
    const bareWork = { events: 5, workflowTasks: 1, activityTasks: 0 };
    const side = (opsPerSec: number, p50: number, p99: number, errors = 0, rss: Record<string, number> = {}) => ({
      summary: { ops: 100, errors, opsPerSec, p50, p99, max: p99 },
      firstError: null,
      usage: Object.fromEntries(Object.entries(rss).map(([p, mb]) => [p, { rssMaxMb: mb, rssMeanMb: mb, cpuMs: 1 }])),
    });
    const pair = (errors = 0) => ({
      system: side(100 * factor, 10 / factor, 20 / factor, errors, { api: 120, worker: 200 }),
      bare: side(100, 10, 20),
    });
    return {
      options: parseOptions(['--quick'], {}),
      apply: pair(failed),
      stageChange: pair(),
      list: { ...pair(), rows: 100_000 },
      notifier: {
        system: { jobs: 10, elapsedMs: 1, jobsPerSec: 100 * factor, usage: {} },
        raw: { jobs: 10, elapsedMs: 1, jobsPerSec: 100, usage: {} },
      },
      rss: { apiDuringWrites: 120, workerDuringWrites: 200, apiDuringList: 120, apiMax: 120, workerMax: 200, notifierMax: 100 },
      engineWork: {
        system: { workflows: 1, apply: engine(work), stageChange: engine(work), example: [] },
        bare: { workflows: 1, apply: engine(bareWork), stageChange: engine(bareWork), example: [] },
      },
    } as unknown as BenchResult;
  }

  test('the regression check passes a run near its baselines and fails one far off, or with a failed operation', () => {
    expect(checkBounds(run(0.9)).filter((v) => !v.ok)).toEqual([]);
    expect(
      checkBounds(run(0.05))
        .filter((v) => !v.ok)
        .map((v) => v.name),
    ).toEqual([
      'apply throughput / bare',
      'stage change throughput / bare',
      'stage change p50 / bare',
      'list p99 / bare Koa',
      'notifier / raw',
    ]);
    expect(checkBounds(run(0.9, 3)).filter((v) => !v.ok)).toEqual([expect.objectContaining({ name: 'failed operations', value: 3 })]);
  });

  test('the regression check fails engine work beyond the bounds: an activity and a second workflow task per transition, or more events', () => {
    // What applications cost before the API recorded its own transitions: 14 events, 2 workflow tasks, 1 activity.
    expect(
      checkBounds(run(0.9, 0, { events: 14, workflowTasks: 2, activityTasks: 1 }))
        .filter((v) => !v.ok)
        .map((v) => v.name),
    ).toEqual([
      'apply: history events over bare',
      'apply: workflow tasks',
      'apply: activity tasks',
      'stage change: history events over bare',
      'stage change: workflow tasks',
      'stage change: activity tasks',
    ]);
    expect(checkBounds(run(0.9, 0, { events: 7, workflowTasks: 1, activityTasks: 0 })).filter((v) => !v.ok)).toEqual([]);
    expect(checkBounds(run(0.9, 0, { events: 8, workflowTasks: 1, activityTasks: 0 })).map((v) => v.ok)).toContain(false);
  });

  test('targets are ratios: apply 0.9x, stage change p50 1.3x, list p99 1.5x, notifier 0.9x', () => {
    const verdict = (r: BenchResult, prefix: string) => targetsOf(r).find((v) => v.name.startsWith(prefix))!;
    expect(verdict(run(0.95), 'apply throughput').ok).toBe(true);
    expect(verdict(run(0.85), 'apply throughput').ok).toBe(false);
    expect(verdict(run(0.85), 'earlier target: apply throughput').ok).toBe(true);
    expect(verdict(run(1 / 1.25), 'stage change p50').ok).toBe(true);
    expect(verdict(run(1 / 1.35), 'stage change p50').ok).toBe(false);
    expect(verdict(run(1 / 1.6), 'list p99').ok).toBe(false);
  });

  test('the reported round is the median by its ratio, the better of the middle two when even', () => {
    const id = (x: number) => x;
    expect(medianRound([0.5, 0.9, 0.7], id, true)).toBe(0.7);
    expect(medianRound([0.5, 0.9], id, true)).toBe(0.9);
    expect(medianRound([3, 1.2], id, false)).toBe(1.2);
    expect(medianRound([3, 1.2, 2, 9], id, false)).toBe(2);
    expect(medianRound([4], id, false)).toBe(4);
  });

  test('the step metric is read by operation and step in either label order, and differenced between two readings', () => {
    const text = (applyRecord: number) =>
      [
        '# HELP ats_transition_step_seconds x',
        'ats_transition_step_seconds_bucket{le="0.005",operation="apply",step="record"} 1',
        `ats_transition_step_seconds_sum{operation="apply",step="record"} ${applyRecord / 1000}`,
        `ats_transition_step_seconds_count{operation="apply",step="record"} ${applyRecord === 3 ? 2 : 5}`,
        'ats_transition_step_seconds_sum{step="journal",operation="stage_change"} 0.5',
        'ats_transition_step_seconds_count{step="journal",operation="stage_change"} 4',
      ].join('\n');
    const before = parseStepTotals(text(3));
    expect(before.get('stage_change/journal')).toEqual({ ms: 500, n: 4 });
    expect(stepsBetween(before, parseStepTotals(text(9)), 'apply')).toEqual({ record: { ms: 6, n: 3 } });
    expect(stepsBetween(before, parseStepTotals(text(9)), 'stage_change')).toEqual({});
  });

  test("a load's marks bound the CPU each process is charged: its start and its warm-up count in nothing", async () => {
    const spin = (ms: number) => {
      const start = process.cpuUsage();
      const used = () => (process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000;
      while (used() < ms);
    };
    const sampler = new UsageSampler(5);
    sampler.track('one', process.pid);
    const { usage } = await sampler.during(async (mark) => {
      spin(200);
      mark('start');
      spin(50);
      mark('end');
      spin(200);
    });
    expect(usage.one.cpuMs).toBeGreaterThanOrEqual(40);
    expect(usage.one.cpuMs).toBeLessThan(150);
    const unmarked = await sampler.during(async () => spin(100));
    expect(unmarked.usage.one.cpuMs).toBeGreaterThanOrEqual(90);
  });

  test('the marks come from the load as lines of its output, whole however the pipe splits them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-marks-'));
    const script = path.join(dir, 'load.js');
    fs.writeFileSync(
      script,
      `process.stdout.write(${JSON.stringify(MEASURE_MARKS.measuring.slice(0, 8))});
       setTimeout(() => process.stdout.write(${JSON.stringify(`${MEASURE_MARKS.measuring.slice(8)}\nsomething else\n${MEASURE_MARKS.measured}\n`)}), 50);`,
    );
    const lines: string[] = [];
    try {
      await runScript(script, [], {}, [], (line) => lines.push(line));
      expect(lines).toEqual([MEASURE_MARKS.measuring, 'something else', MEASURE_MARKS.measured]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  test('a closed and an open loop call onMeasuring once, as the warm-up ends', async () => {
    for (const drive of [
      (op: (i: number) => Promise<void>, onMeasuring: () => void) => runPool(10, 3, 4, () => undefined, op, onMeasuring),
      (op: (i: number) => Promise<void>, onMeasuring: () => void) => runOpenLoop(10, 1000, 4, () => undefined, op, undefined, onMeasuring),
    ]) {
      const started: number[] = [];
      const marks: number[] = [];
      await drive(
        async (i) => {
          started.push(i);
          await new Promise((r) => setTimeout(r, 1));
        },
        () => marks.push(started.length),
      );
      expect(marks).toEqual([4]);
    }
  });

  test('a server of several processes is sampled as their sum; one that is gone counts nothing', async () => {
    const child = spawn('sleep', ['10'], { stdio: 'ignore' });
    try {
      const gone = 2 ** 22 + 1; // above the kernel's largest pid: no such process
      const sampler = new UsageSampler(5);
      sampler.track('one', process.pid);
      sampler.track('group', () => [process.pid, child.pid!, gone]);
      const before = cpuMs(process.pid);
      const { usage } = await sampler.during(async () => {
        const until = Date.now() + 60;
        while (Date.now() < until) Math.sqrt(Math.random());
        await new Promise((r) => setTimeout(r, 20));
      });
      expect(usage.one.cpuMs).toBeGreaterThan(0);
      expect(usage.one.cpuMs).toBeLessThanOrEqual(cpuMs(process.pid) - before);
      // The sleeping child adds its memory and next to no CPU; the missing pid adds nothing. The kernel
      // counts CPU time in clock ticks (10 ms), and the two are read one after the other while this
      // process spins: their readings of it may differ by a tick.
      const tickMs = 10;
      expect(usage.group.cpuMs).toBeGreaterThanOrEqual(usage.one.cpuMs - tickMs);
      expect(usage.group.cpuMs).toBeLessThan(usage.one.cpuMs + 20);
      expect(usage.group.rssMaxMb).toBeGreaterThan(usage.one.rssMaxMb);
      expect(usage.group.rssMaxMb).toBeLessThan(usage.one.rssMaxMb + rssMb(child.pid!) + 5);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('bench metrics reading', () => {
  test('reads the step totals from a metrics listener, and refuses to read a refusal as no steps', async () => {
    let answer = {
      status: 200,
      text: 'ats_transition_step_seconds_sum{operation="apply",step="record"} 0.25\nats_transition_step_seconds_count{operation="apply",step="record"} 5\n',
    };
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.text);
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await readStepTotals(base)).toEqual(new Map([['apply/record', { ms: 250, n: 5 }]]));
      expect(paths).toEqual(['/metrics']);
      answer = { status: 401, text: '{"status":401}' };
      await expect(readStepTotals(base)).rejects.toThrow(/401.*METRICS_PORT/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
