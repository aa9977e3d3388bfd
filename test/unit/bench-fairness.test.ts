import { spawn } from 'node:child_process';
import nodemailer from 'nodemailer';
import { freePort } from '../../src/dev/engines';
import { firstIn, inOrder, spreadOf } from '../../bench/support/rounds';
import { memoryOf, parseSmapsRollup } from '../../bench/support/memory';
import { runOpenLoop, scheduleOf } from '../../bench/support/open-loop';
import { serveSmtpCounter } from '../../bench/support/smtp-counter';
import { UsageSampler } from '../../bench/support/sampler';
import { cpuPerOpAtRate } from '../../bench/regimes';
import { checkBounds } from '../../bench/bounds';

/** What makes the bench's comparisons fair: rounds read as medians with their spread, PSS, open-loop loads, a sink of its own. */
describe('bench fairness', () => {
  test.each([
    ['three rounds', [0.7, 0.5, 0.9], { median: 0.7, min: 0.5, max: 0.9 }],
    ['two rounds: their mean, not the better', [0.5, 0.9], { median: 0.7, min: 0.5, max: 0.9 }],
    ['four unsorted rounds', [3, 1, 2, 10], { median: 2.5, min: 1, max: 10 }],
    ['one round', [1.2], { median: 1.2, min: 1.2, max: 1.2 }],
    ['a round that measured nothing is left out', [NaN, 2, Infinity, 4], { median: 3, min: 2, max: 4 }],
  ])('spread of the rounds: %s', (_, values, expected) => {
    expect(spreadOf(values)).toEqual(expected);
  });

  test('no rounds: no figure', () => {
    expect(spreadOf([])).toEqual({ median: NaN, min: NaN, max: NaN });
  });

  test('the side that goes first alternates from round to round, and both sides run either way', async () => {
    expect([1, 2, 3, 4].map(firstIn)).toEqual(['bare', 'system', 'bare', 'system']);
    for (const first of ['bare', 'system'] as const) {
      const ran: string[] = [];
      const both = await inOrder(
        first,
        async () => ran.push('bare') && 'b',
        async () => ran.push('system') && 's',
      );
      expect(both).toEqual({ bare: 'b', system: 's' });
      expect(ran[0]).toBe(first);
    }
  });

  test('PSS and RSS are read from smaps_rollup; text without them is no reading', () => {
    const text = [
      '55d0c0a00000-7ffd5b9ff000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:              204800 kB',
      'Pss:              153600 kB',
      'Pss_Dirty:         90000 kB',
      'Shared_Clean:      51200 kB',
    ].join('\n');
    expect(parseSmapsRollup(text)).toEqual({ rssKb: 204800, pssKb: 153600 });
    expect(parseSmapsRollup('Pss_Dirty:  90000 kB\nRss:  1 kB')).toBeNull();
  });

  test('a process shares the Node binary with its children: its PSS is below its RSS, and a process gone reads nothing', () => {
    const self = memoryOf(process.pid)!;
    expect(self.source).toBe('pss');
    expect(self.pssMb).toBeGreaterThan(0);
    expect(self.pssMb).toBeLessThanOrEqual(self.rssMb);
    expect(memoryOf(2 ** 22 + 1)).toBeNull();
  });

  test('the sampler reports peak PSS beside RSS, summed over a group', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const sampler = new UsageSampler(5);
      sampler.track('one', process.pid);
      sampler.track('group', () => [process.pid, child.pid!]);
      const { usage } = await sampler.during(() => new Promise((r) => setTimeout(r, 30)));
      expect(usage.one.memory).toBe('pss');
      expect(usage.one.pssMaxMb).toBeLessThanOrEqual(usage.one.rssMaxMb);
      // Two Node processes share the binary's pages: their PSS sums to less than their RSS does.
      expect(usage.group.pssMaxMb! - usage.one.pssMaxMb!).toBeLessThan(usage.group.rssMaxMb - usage.one.rssMaxMb);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('an open loop schedules operations at the rate', () => {
    expect(scheduleOf(4, 50)).toEqual([0, 20, 40, 60]);
  });

  test('an open loop starts operations on schedule whatever the answers take, and times them from when they were due', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const t0 = performance.now();
    // 20 operations of 100 ms each at 100/s: a closed loop of one client would take 2 s.
    const result = await runOpenLoop(
      20,
      100,
      2,
      () => undefined,
      async () => {
        started.push(performance.now() - t0);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 100));
        inFlight--;
      },
    );
    expect(result.ok).toBe(18);
    expect(most).toBeGreaterThanOrEqual(8);
    expect(started[19]).toBeGreaterThanOrEqual(185);
    expect(started[19]).toBeLessThan(600);
    expect(result.elapsedMs).toBeLessThan(800);
    // Node's timers may fire a little before performance.now() reaches their time.
    expect(Math.min(...result.latenciesMs)).toBeGreaterThanOrEqual(97);
  });

  test('an open loop never overlaps operations of one key, and a late start counts in the latency', async () => {
    const busy = new Set<string>();
    let overlaps = 0;
    const result = await runOpenLoop(
      6,
      200,
      0,
      () => 'one application',
      async () => {
        if (busy.has('one application')) overlaps++;
        busy.add('one application');
        await new Promise((r) => setTimeout(r, 30));
        busy.delete('one application');
      },
    );
    expect(overlaps).toBe(0);
    // The sixth was due at 25 ms and could start only after five others of 30 ms each.
    expect(Math.max(...result.latenciesMs)).toBeGreaterThanOrEqual(150);
    expect(result.lagMs).toBeGreaterThanOrEqual(100);
  });

  test('the SMTP sink counts the messages it receives and answers a wait once they are in', async () => {
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    const sink = await serveSmtpCounter(smtpPort, httpPort);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    try {
      const count = async () => ((await (await fetch(`http://127.0.0.1:${httpPort}/count`)).json()) as { received: number }).received;
      expect(await count()).toBe(0);
      const waited = fetch(`http://127.0.0.1:${httpPort}/wait?total=2&timeoutMs=10000`);
      for (const n of [1, 2]) await transport.sendMail({ from: 'a@bench.example', to: 'b@bench.example', subject: `m${n}`, text: 'x' });
      expect((await waited).status).toBe(200);
      expect(await count()).toBe(2);
      const late = await fetch(`http://127.0.0.1:${httpPort}/wait?total=3&timeoutMs=50`);
      expect(late.status).toBe(408);
      expect(await late.json()).toEqual({ received: 2 });
    } finally {
      transport.close();
      await sink.close();
    }
  });
});

describe('bench fairness figures', () => {
  const side = (opsPerSec: number, p50: number, cpu: Record<string, number>, ops = 100) => ({
    summary: { ops, errors: 0, opsPerSec, p50, p99: 2 * p50, max: 2 * p50, mean: p50 },
    firstError: null,
    usage: Object.fromEntries(Object.entries(cpu).map(([p, cpuMs]) => [p, { cpuMs, rssMaxMb: 100, rssMeanMb: 100, pssMaxMb: 60 }])),
  });
  const sides = { system: ['api', 'worker', 'smtp'], bare: ['bare-worker', 'temporal'] };

  test('CPU per operation at a rate sums only the processes listed for each side, the load apart', () => {
    const rounds = [1, 2, 3].map((k) => ({
      system: side(50, 10, { api: 300 * k, worker: 500, smtp: 200, redis: 10_000, load: 100 }),
      bare: side(50, 8, { 'bare-worker': 400, temporal: 600, api: 10_000, load: 50 }),
    }));
    const cpu = cpuPerOpAtRate(rounds as never, sides);
    // The system: api 3, 6 or 9 ms + worker 5 + smtp 2 per operation; redis is not in its list.
    expect(cpu.system).toEqual({ median: 13, min: 10, max: 16 });
    expect(cpu.bare).toEqual({ median: 10, min: 10, max: 10 });
    expect(cpu.ratio.median).toBeCloseTo(1.3);
    expect(cpu.load).toEqual({ system: 1, bare: 0.5 });
  });

  test('the regression check bounds the cached regime, the latency at rest and the CPU at a rate by their median rounds', () => {
    const pair = (systemCpu: number, systemP50: number) => ({
      system: side(40, systemP50, { api: systemCpu, worker: 0, smtp: 0 }),
      bare: side(100, 10, { 'bare-worker': 100, temporal: 0 }),
    });
    const result = (systemCpu: number, systemP50: number) =>
      ({
        cached: { maxCachedWorkflows: 130, apply: [], stageChange: [pair(1, 1), pair(1, 1), pair(1, 1)] },
        atRest: { apply: [pair(1, systemP50), pair(1, systemP50), pair(1, 1000)], stageChange: [pair(1, 12)] },
        atRate: { applyRate: 25, stageChangeRate: 25, sides, apply: [pair(systemCpu, 1)], stageChange: [pair(200, 1)] },
      }) as never;
    // The verdicts of these three measures, by name, that missed their bound.
    const missed = (r: never) =>
      checkBounds({ ...baseRun(), ...(r as object) } as never)
        .filter((v) => /cached|1 client|fixed rate/.test(v.name))
        .filter((v) => !v.ok)
        .map((v) => v.name);
    expect(missed(result(200, 20))).toEqual([]);
    expect(missed(result(500, 40))).toEqual(['apply p50 at 1 client / bare', 'apply: CPU per operation at a fixed rate / bare']);
  });

  /** The headline rounds of a run near its baselines, for the checks that need them. */
  function baseRun() {
    const near = { system: side(90, 11, {}), bare: side(100, 10, {}) };
    const work = { events: 5, workflowTasks: 1, activityTasks: 0, timersStarted: 0, timersCanceled: 0, searchAttributeUpserts: 0 };
    return {
      options: { clients: 10 },
      apply: near,
      stageChange: near,
      list: { ...near, rows: 100 },
      notifier: { system: { jobsPerSec: 90 }, raw: { jobsPerSec: 100 } },
      rss: { apiMax: 100, workerMax: 100 },
      engineWork: { system: { apply: work, stageChange: work }, bare: { apply: work, stageChange: work } },
    };
  }
});
