import { spawn } from 'node:child_process';
import nodemailer from 'nodemailer';
import { freePort } from '../../src/dev/engines';
import { firstIn, inOrder, spreadOf } from '../../bench/support/rounds';
import { memoryOf, parseSmapsRollup } from '../../bench/support/memory';
import { runOpenLoop, scheduleOf } from '../../bench/support/open-loop';
import { serveSmtpCounter } from '../../bench/support/smtp-counter';
import { UsageSampler } from '../../bench/support/sampler';

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
    expect(Math.min(...result.latenciesMs)).toBeGreaterThanOrEqual(99);
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
