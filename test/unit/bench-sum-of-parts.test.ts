import Database from 'better-sqlite3';
import { cpuPerOp, SIDE_PROCESSES, sumOfParts } from '../../bench/support/sides';
import { checkBounds, BOUNDS } from '../../bench/bounds';
import { parseOptions } from '../../bench/options';
import type { BenchResult } from '../../bench/result';
import type { Pair, Side } from '../../bench/phases';
import { twinOutbox } from '../../bench/baselines/bare-route';
import { matchedStart, matchedChange } from '../../bench/baselines/matched-messages';
import { isSealed } from '../../src/crypto/personal-fields';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';

/** The sum of bare parts: each side's CPU over its own processes, the ratios, and the baselines' messages and tables. */
describe('bench sum of parts', () => {
  const side = (cpu: Record<string, number>, ops = 100, errors = 0): Side => ({
    summary: { ops, errors, opsPerSec: 50, p50: 10, p99: 20, max: 20, mean: 11 } as Side['summary'],
    firstError: null,
    usage: Object.fromEntries(Object.entries(cpu).map(([p, cpuMs]) => [p, { cpuMs, rssMaxMb: 100, rssMeanMb: 100 }])),
  });

  test("a side's CPU per operation sums its own processes only", () => {
    const s = side({ api: 300, worker: 200, temporal: 500, 'bare-worker': 9_000, smtp: 100, load: 100, 'bare-route': 9_000 });
    // The system counts the SMTP sink, not its HTTP load client; the bare engine counts its Temporal client.
    expect(cpuPerOp(s, SIDE_PROCESSES.system)).toBe(11);
    expect(cpuPerOp(s, SIDE_PROCESSES.minimal)).toBe(96);
    expect(cpuPerOp(side({ api: 1 }, 0), SIDE_PROCESSES.system)).toBeNaN();
  });

  // system 20 ms per op; matched engine 8, minimal 5, CRUD 4 (the HTTP load clients count on neither side).
  const pair = (errors = 0): Pair => ({
    system: side({ api: 500, worker: 400, notifier: 200, temporal: 700, redis: 100, smtp: 100, load: 9_000 }),
    bare: side({ 'bare-worker': 200, temporal: 250, load: 50 }),
    matched: side({ 'matched-worker': 300, temporal: 400, load: 100, api: 5_000 }),
    crud: side({ 'bare-route': 250, 'raw-notifier': 100, redis: 30, smtp: 20, load: 9_000, temporal: 5_000 }, 100, errors),
  });

  test('the system over the sum of its bare parts, with the matched and the minimal engine', () => {
    expect(sumOfParts(pair())).toEqual({ system: 20, matched: 8, minimal: 5, crud: 4, toMatchedSum: 20 / 12, toMinimalSum: 20 / 9 });
    const { matched: _matched, ...withoutParts } = pair();
    expect(sumOfParts(withoutParts)).toBeNull();
  });

  function result(system: Pair, matchedEvents: number): BenchResult {
    const engine = (events: number) => ({
      events,
      workflowTasks: 1,
      activityTasks: 0,
      timersStarted: 0,
      timersCanceled: 0,
      searchAttributeUpserts: 1,
    });
    const work = (events: number) => ({ workflows: 1, apply: engine(events), stageChange: engine(events), example: [] });
    return {
      options: parseOptions(['--quick'], {}),
      apply: system,
      stageChange: system,
      list: { system: side({}), bare: side({}), rows: 100 },
      notifier: {
        system: { jobs: 10, elapsedMs: 1, jobsPerSec: 100, usage: {} },
        raw: { jobs: 10, elapsedMs: 1, jobsPerSec: 100, usage: {} },
      },
      rss: { apiDuringWrites: 120, workerDuringWrites: 200, apiDuringList: 120, apiMax: 120, workerMax: 200, notifierMax: 100 },
      engineWork: { system: work(7), bare: work(6), matched: work(matchedEvents) },
    } as unknown as BenchResult;
  }
  const verdict = (r: BenchResult, name: string) => checkBounds(r).find((v) => v.name === name);

  test('the regression check bounds the system over its sum of parts, its engine work over the matched, and counts their failures', () => {
    expect(verdict(result(pair(), 7), 'stage change: system CPU / sum of bare parts')).toMatchObject({ value: 20 / 12, ok: true });
    expect(verdict(result(pair(), 7), 'apply: history events over matched bare')).toMatchObject({ value: 0, ok: true });
    expect(verdict(result(pair(), 6), 'apply: history events over matched bare')).toMatchObject({ value: 1, ok: false });
    const heavy = pair();
    heavy.system.usage.api.cpuMs = 100 * 12 * BOUNDS.maxCpuOverSumOfParts;
    expect(verdict(result(heavy, 7), 'apply: system CPU / sum of bare parts')?.ok).toBe(false);
    expect(verdict(result(pair(3), 7), 'failed operations')).toMatchObject({ value: 6, ok: false });
  });

  test("the bare route's outbox is a twin of notification_outbox, made again without harm", () => {
    const db = new Database(':memory:');
    db.exec(`create table notification_outbox (id text not null primary key, subject text not null, data text not null,
      status text not null, created_at text not null, sent_at text null)`);
    db.exec('create index notification_outbox_status_index on notification_outbox (status, created_at)');
    db.exec('alter table notification_outbox add column lease_until text');
    twinOutbox(db);
    twinOutbox(db);
    const columns = (table: string) => db.prepare(`select name, type, "notnull", pk from pragma_table_info('${table}')`).all();
    expect(columns('bench_notification_outbox')).toEqual(columns('notification_outbox'));
    expect(columns('bench_notification_outbox').map((c) => (c as { name: string }).name)).toContain('lease_until');
    const indexes = db.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'bench_notification_outbox'").all();
    expect(indexes).toContainEqual({ name: 'bench_notification_outbox_status_index' });
    db.close();
  });

  test("the matched workflow's start carries what the API's does: sealed content, the pinned pipeline, every start attribute, the summary", () => {
    const start = matchedStart('matched-1', 0, {
      timers: { stageSlaSeconds: 60, offerExpirySeconds: 120, reopenWindowSeconds: 30 },
    } as never);
    const [input] = start.args;
    expect(isSealed(input.coverLetter)).toBe(true);
    expect(isSealed(input.resumeUrl)).toBe(true);
    expect(input).toMatchObject({ applicationId: 'matched-1', stageSlaSeconds: 60, offerExpirySeconds: 120, reopenWindowSeconds: 30 });
    expect(input.pipeline?.stages.map((s) => s.id)).toEqual(['applied', 'screening', 'interview', 'offer', 'hired']);
    const keys = (start.typedSearchAttributes as { key: { name: string } }[]).map((a) => a.key.name).sort();
    expect(keys).toEqual(
      Object.keys(SEARCH_ATTRIBUTES)
        .filter((k) => k !== 'NeedsDecision')
        .sort(),
    );
    expect(start.staticSummary).toMatch(/^Application: .+ at .+$/);
    expect(matchedChange({ workflowId: 'matched-1', stage: 'screening' })).toMatchObject({
      applicationId: 'matched-1',
      stage: 'screening',
      reason: null,
    });
  });
});
