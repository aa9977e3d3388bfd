import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type TestStack } from '../support/stack';
import { createJob } from '../support/applications';
import { responseValidator } from '../support/openapi-validator';
import { addToTeam } from '../../src/jobs/hiring-team';
import { publishPipeline } from '../../src/jobs/pipelines';
import { funnel, funnelStatements, waitingInStage, waitingStatement } from '../../src/applications/reports';
import { writeProjection } from '../../src/applications/application-projection';
import { writeInterview } from '../../src/applications/interviews';
import { FILL_APPLICATION_STAYS } from '../../migrations/Migration20261207160000_application_stays';
import { FILL_APPLICATION_STAYS as FILL_ON_POSTGRESQL } from '../../migrations/postgresql/Migration20261207160000_application_stays';
import { FILL_APPLICATION_STAY_COUNTS } from '../../migrations/Migration20261207170000_application_stay_counts';
import type { HistoryEntry } from '../../workflows/messages';
import { DEFAULT_PIPELINE, type PipelineStage } from '../../src/domain/pipelines';
import { migrateUp, openOrm } from '../../src/db/orm';

type Actor = Awaited<ReturnType<TestStack['user']>>;

const HOUR = 3_600_000;
/** Every time is hours after T0, two hundred hours ago; the direct calls measure at hour 100. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 200 * HOUR;
const h = (n: number) => new Date(T0 + n * HOUR).toISOString();
const NOW = new Date(T0 + 100 * HOUR);

/** Job B's pipeline: other stage ids of the same kinds, no offer. */
const B_STAGES: PipelineStage[] = [
  { id: 'new', name: 'New', kind: 'applied' },
  { id: 'phone', name: 'Phone screen', kind: 'screening', slaSeconds: 1_000_000_000 },
  { id: 'onsite', name: 'On site', kind: 'interview' },
  { id: 'hired', name: 'Hired', kind: 'hired' },
];
const KIND: Record<string, string> = { new: 'applied', phone: 'screening', onsite: 'interview', rejected: 'rejected' };
const kindOf = (stage: string) => KIND[stage] ?? stage;

/**
 * The funnel and time-in-stage reports on a set of applications written straight into SQL with
 * chosen times, so every number has a known answer (worked out in the comments), and who may read them.
 */
describe('reports', () => {
  let stack: TestStack;
  let creator: Actor;
  let admin: Actor;
  let manager: Actor;
  let interviewer: Actor;
  let offTeam: Actor;
  let candidate: Actor;
  let jobA: number;
  let jobB: number;
  const ids: Record<string, string> = {};
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  /**
   * One application, written by the projection as a transition's recording writes it: its events
   * `[stage, hour]` in order (a third element: the kind, when the stage id is not the default's); it is
   * where the last one put it.
   */
  async function insert(name: string, jobId: number, version: number, created: number, events: Array<[string, number, string?]>) {
    const who = await stack.user('candidate', { fullName: `Candidate ${name}` });
    const id = `application-job${jobId}-candidate${who.user.id}`;
    ids[name] = id;
    const history: HistoryEntry[] = events.map(([stage, hour, kind], i) => ({
      seq: i + 1,
      from: i ? events[i - 1][0] : null,
      to: stage,
      at: h(hour),
      by: 'system',
      reason: null,
      toKind: (kind ?? kindOf(stage)) as HistoryEntry['toKind'],
    }));
    const application = { id, jobId: String(jobId), candidateId: String(who.user.id), coverLetter: null, resumeUrl: null };
    expect(
      await writeProjection(stack.services.orm, {
        application: { ...application, createdAt: h(created), pipelineVersion: version },
        history,
      }),
    ).toBe('written');
  }

  beforeAll(async () => {
    stack = await startStack();
    [creator, admin, manager, interviewer, offTeam, candidate] = [
      await stack.user('recruiter'),
      await stack.user('admin'),
      await stack.user('hiring_manager'),
      await stack.user('recruiter'),
      await stack.user('recruiter'),
      await stack.user('candidate'),
    ];
    expectDocumented = await responseValidator(stack);
    const em = stack.services.orm.em.fork();
    jobA = (await createJob(stack, creator.user.id)).id;
    jobB = (await createJob(stack, creator.user.id)).id;
    await addToTeam(em, jobA, manager.user.id, creator.user.id, 'hiring_manager');
    await addToTeam(em, jobA, interviewer.user.id, creator.user.id, 'interviewer');
    await publishPipeline(em, jobB, B_STAGES, creator.user.id);
    // Job A's version 2 gives `applied` a long SLA; its applications stay on version 1's default.
    await publishPipeline(
      em,
      jobA,
      DEFAULT_PIPELINE.stages.map((s) => (s.id === 'applied' ? { ...s, slaSeconds: 1_000_000_000 } : s)),
      creator.user.id,
    );
    await insert('a1', jobA, 1, 0, [
      ['applied', 0],
      ['screening', 10],
      ['interview', 30],
      ['offer', 40],
      ['hired', 50],
    ]);
    await insert('a2', jobA, 1, 0, [
      ['applied', 0],
      ['screening', 20],
      ['rejected', 25],
    ]);
    await insert('a3', jobA, 1, 1, [['applied', 1]]);
    // Back from interview to screening: it advanced out of screening once, and not out of interview.
    await insert('a4', jobA, 1, 2, [
      ['applied', 2],
      ['screening', 4],
      ['interview', 8],
      ['screening', 10],
    ]);
    await insert('a5', jobA, 1, 3, [
      ['applied', 3],
      ['rejected', 5],
    ]);
    await insert('b1', jobB, 2, 0, [
      ['new', 0],
      ['phone', 6],
      ['onsite', 12],
      ['hired', 24],
    ]);
    await insert('b2', jobB, 2, 0, [
      ['new', 0],
      ['phone', 2],
    ]);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const get = async (template: string, query: string, who: Actor | undefined) => {
    const res = await stack.http('GET', `${template}${query}`, { token: who?.token });
    expectDocumented('GET', template, res);
    return res;
  };
  const stage = (
    kind: string,
    stageIds: string[],
    entered: number,
    current: number,
    advanced: number,
    rejected: number,
    conversion: number,
    p50?: number,
    p90?: number,
  ) => ({
    kind,
    stageIds,
    entered,
    current,
    advanced,
    rejected,
    conversion,
    timeInStage: { p50Seconds: p50 === undefined ? null : p50 * 3600, p90Seconds: p90 === undefined ? null : p90 * 3600 },
  });

  test("one job's funnel: every count, conversion, percentile and the hires", async () => {
    const expected = {
      stages: [
        // Hours in applied: a1 10, a2 20, a3 99 (until hour 100), a4 2, a5 2: p50 is the 3rd of 5, p90 the 5th.
        stage('applied', ['applied'], 5, 1, 3, 1, 0.6, 10, 99),
        // In screening: a1 20, a2 5, a4 4 + 90 = 94.
        stage('screening', ['screening'], 3, 1, 2, 1, 0.6667, 20, 94),
        // In interview: a1 10, a4 2; a4 went back, so only a1 advanced.
        stage('interview', ['interview'], 2, 0, 1, 0, 0.5, 2, 10),
        stage('offer', ['offer'], 1, 0, 1, 0, 1, 10, 10),
        stage('hired', ['hired'], 1, 0, 0, 0, 0),
      ],
      hires: 1,
      // a1: hired 50 hours after it was created.
      medianDaysToHire: 2.08,
    };
    expect(await funnel(stack.services.orm.em.fork(), { jobId: jobA }, NOW)).toEqual(expected);

    for (const who of [creator, manager, interviewer, admin]) {
      const res = await get('/api/reports/funnel', `?jobId=${jobA}`, who);
      expect(res.status).toBe(200);
      // Over HTTP the stays still going run until the real now: only the closed kinds' times are fixed.
      expect({ ...res.body, stages: res.body.stages.map(({ timeInStage, ...rest }: { timeInStage: unknown }) => rest) }).toEqual({
        ...expected,
        stages: expected.stages.map(({ timeInStage, ...rest }) => rest),
      });
      expect(res.body.stages.slice(2).map((s: { timeInStage: unknown }) => s.timeInStage)).toEqual(
        expected.stages.slice(2).map((s) => s.timeInStage),
      );
    }
  });

  test('across jobs (admins), kinds add up whatever the stage ids', async () => {
    const expected = {
      stages: [
        // Hours in applied: a1 10, a2 20, a3 99, a4 2, a5 2, b1 6, b2 2: the 4th of 7, and the 7th.
        stage('applied', ['applied', 'new'], 7, 1, 5, 1, 0.7143, 6, 99),
        // In screening: a1 20, a2 5, a4 94, b1 6, b2 98.
        stage('screening', ['phone', 'screening'], 5, 2, 3, 1, 0.6, 20, 98),
        // In interview: a1 10, a4 2, b1 12.
        stage('interview', ['interview', 'onsite'], 3, 0, 2, 0, 0.6667, 10, 12),
        stage('offer', ['offer'], 1, 0, 1, 0, 1, 10, 10),
        stage('hired', ['hired'], 2, 0, 0, 0, 0),
      ],
      hires: 2,
      // 50 and 24 hours: 37 hours.
      medianDaysToHire: 1.54,
    };
    expect(await funnel(stack.services.orm.em.fork(), {}, NOW)).toEqual(expected);
    const res = await get('/api/reports/funnel', '', admin);
    expect(res.status).toBe(200);
    expect(res.body.hires).toBe(2);
    expect(res.body.stages.map((s: { entered: number }) => s.entered)).toEqual([7, 5, 3, 1, 2]);
  });

  test('from and to keep the applications created in [from, to)', async () => {
    const scoped = await funnel(stack.services.orm.em.fork(), { jobId: jobA, from: h(1), to: h(3) }, NOW);
    // a3 (created at hour 1) and a4 (hour 2): a5, created at hour 3, is out.
    expect(scoped.stages.map((s) => [s.kind, s.entered, s.current, s.advanced, s.rejected])).toEqual([
      ['applied', 2, 1, 1, 0],
      ['screening', 1, 1, 1, 0],
      ['interview', 1, 0, 0, 0],
      ['offer', 0, 0, 0, 0],
      ['hired', 0, 0, 0, 0],
    ]);
    expect(scoped).toMatchObject({ hires: 0, medianDaysToHire: null });
    expect(scoped.stages[3].timeInStage).toEqual({ p50Seconds: null, p90Seconds: null });
    const res = await get('/api/reports/funnel', `?jobId=${jobA}&from=${encodeURIComponent(h(1))}&to=${encodeURIComponent(h(3))}`, creator);
    expect(res.body.stages.map((s: { entered: number }) => s.entered)).toEqual([2, 1, 1, 0, 0]);
    const offset = new Date(T0 + HOUR).toISOString().replace('Z', '+00:00');
    expect((await get('/api/reports/funnel', `?jobId=${jobA}&from=${encodeURIComponent(offset)}`, creator)).body.stages[0].entered).toBe(3);
  });

  test('time in stage: running applications longest waiting first, past the SLA of the version each is pinned to', async () => {
    const before = Date.now();
    const res = await get('/api/reports/time-in-stage', `?jobId=${jobA}`, manager);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { applicationId: string }) => i.applicationId)).toEqual([ids.a3, ids.a4]);
    const [a3] = res.body.items;
    expect(a3).toMatchObject({ stage: 'applied', since: h(1), overSla: true, candidate: { fullName: 'Candidate a3' } });
    expect(a3.candidate.email).toMatch(/@example\.com$/);
    expect(Math.abs(a3.seconds - Math.floor((before - (T0 + HOUR)) / 1000))).toBeLessThan(5);

    const all = await waitingInStage(stack.services.orm.em.fork(), {}, 259_200, NOW);
    expect(all.map((i) => [i.applicationId, i.stage, i.seconds, i.overSla])).toEqual([
      [ids.a3, 'applied', 99 * 3600, true],
      // Job B's version 2 gives `phone` a long SLA.
      [ids.b2, 'phone', 98 * 3600, false],
      [ids.a4, 'screening', 90 * 3600, true],
    ]);
    const admins = await get('/api/reports/time-in-stage', '', admin);
    expect(admins.body.items.map((i: { applicationId: string }) => i.applicationId)).toEqual([ids.a3, ids.b2, ids.a4]);
  });

  test('admins, and team members of that job whatever their team role; jobId is required of everyone else', async () => {
    for (const template of ['/api/reports/funnel', '/api/reports/time-in-stage']) {
      expect((await get(template, `?jobId=${jobA}`, offTeam)).status).toBe(403);
      expect((await get(template, `?jobId=${jobB}`, manager)).status).toBe(403);
      expect((await get(template, `?jobId=${jobA}`, candidate)).status).toBe(403);
      expect((await get(template, `?jobId=${jobA}`, undefined)).status).toBe(401);
      // Every job's figures are an admin's alone: anyone else names a job.
      const missing = await get(template, '', creator);
      expect(missing.status).toBe(403);
      expect(missing.body.code).toBe('job_required');
      expect((await get(template, '?jobId=999999999', admin)).status).toBe(404);
      expect((await get(template, '?jobId=abc', admin)).status).toBe(422);
    }
    expect((await get('/api/reports/funnel', `?jobId=${jobA}&from=yesterday`, admin)).status).toBe(422);
  });

  test("an interviewer's time in stage lists only the applications they interview, as everywhere else", async () => {
    // On job A's team as `interviewer` with no interview yet: no candidate of the job is theirs to see.
    const none = await get('/api/reports/time-in-stage', `?jobId=${jobA}`, interviewer);
    expect(none.status).toBe(200);
    expect(none.body.items).toEqual([]);
    await writeInterview(stack.services.orm.em.fork(), ids.a4, {
      id: `interview-reports-${Date.now().toString(36)}`,
      title: 'Technical interview',
      startsAt: h(9),
      endsAt: h(10),
      location: null,
      interviewerIds: [String(interviewer.user.id)],
      status: 'scheduled',
      revision: 0,
      submittedBy: [],
      completedAt: null,
      scheduledBy: String(creator.user.id),
      createdAt: h(8),
      updatedAt: h(8),
    });
    const theirs = await get('/api/reports/time-in-stage', `?jobId=${jobA}`, interviewer);
    expect(theirs.body.items.map((i: { applicationId: string }) => i.applicationId)).toEqual([ids.a4]);
    // The rest of the team still sees every running application.
    const all = await get('/api/reports/time-in-stage', `?jobId=${jobA}`, manager);
    expect(all.body.items.map((i: { applicationId: string }) => i.applicationId)).toEqual([ids.a3, ids.a4]);
  });

  test('a period that ends before it begins is refused, naming `to`', async () => {
    const res = await get('/api/reports/funnel', `?jobId=${jobA}&from=${encodeURIComponent(h(3))}&to=${encodeURIComponent(h(1))}`, creator);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'to' })]);
    // An empty period, from and to the same instant, is well formed and counts nothing.
    const empty = await get(
      '/api/reports/funnel',
      `?jobId=${jobA}&from=${encodeURIComponent(h(1))}&to=${encodeURIComponent(h(1))}`,
      creator,
    );
    expect(empty.status).toBe(200);
    expect(empty.body.stages[0].entered).toBe(0);
  });

  // Last: its job's applications would change the figures across jobs above.
  test("the rows the projection keeps are the migration's reading of the same events", async () => {
    const jobC = (await createJob(stack, creator.user.id)).id;
    // Rejected, reopened into another stage id of the same kind, then a new stage id of a later kind
    // (a migration's move), sitting there now.
    await insert('c1', jobC, 1, 0, [
      ['applied', 0],
      ['screening', 3],
      ['rejected', 5],
      ['phone', 9, 'screening'],
      ['tech', 20, 'interview'],
    ]);
    // Hired after going back once.
    await insert('c2', jobC, 1, 1, [
      ['applied', 1],
      ['offer', 4],
      ['interview', 6],
      ['offer', 8],
      ['hired', 11],
    ]);
    const em = stack.services.orm.em.fork();
    const rows = async () =>
      (
        await em.execute<Record<string, unknown>[]>(
          `select application_id, kind, job_id, created_at, stage_ids, first_at, closed_ms, open_since, advanced, rejected_here, order_ms
            from application_stays order by application_id, kind`,
        )
      ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])));
    const kept = await rows();
    expect(kept.filter((r) => r.application_id === ids.c1)).toEqual([
      expect.objectContaining({ kind: 'applied', stage_ids: 'applied', closed_ms: 3 * HOUR, open_since: null, advanced: 1 }),
      expect.objectContaining({ kind: 'interview', stage_ids: 'tech', closed_ms: 0, open_since: h(20), order_ms: -(T0 + 20 * HOUR) }),
      expect.objectContaining({ kind: 'screening', stage_ids: 'phone,screening', closed_ms: 13 * HOUR, rejected_here: 1, advanced: 1 }),
    ]);
    expect(kept.find((r) => r.application_id === ids.c2 && r.kind === 'hired')).toMatchObject({ order_ms: 10 * HOUR, closed_ms: 0 });
    expect(kept.find((r) => r.application_id === ids.c2 && r.kind === 'interview')).toMatchObject({ advanced: 1, closed_ms: 2 * HOUR });
    // The counts the projection moved with each write are those of the rows it kept.
    const counts = async () =>
      (
        await em.execute<Record<string, unknown>[]>(
          `select job_id, kind, stage_ids, entered, advanced, rejected_here, open_now from application_stay_counts
            where entered > 0 order by job_id, kind, stage_ids`,
        )
      ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isNaN(Number(v)) ? v : Number(v)])));
    const moved = await counts();
    expect(moved.find((c) => c.job_id === jobC && c.kind === 'screening')).toEqual({
      job_id: jobC,
      kind: 'screening',
      stage_ids: 'phone,screening',
      entered: 1,
      advanced: 1,
      rejected_here: 1,
      open_now: 0,
    });
    await em.execute('delete from application_stay_counts');
    await em.execute('delete from application_stays');
    await em.execute(process.env.ATS_TEST_DATABASE === 'postgresql' ? FILL_ON_POSTGRESQL : FILL_APPLICATION_STAYS);
    await em.execute(FILL_APPLICATION_STAY_COUNTS);
    expect(await rows()).toEqual(kept);
    expect(await counts()).toEqual(moved);
  });
});

/**
 * Both reports at 100,000 applications on SQLite, the summary filled by its migration's statement:
 * each query's plan reads through the reports' indexes, and the times for one job and for every job
 * are logged (no timed assertion, which would flake on a busy machine).
 */
const sqliteOnly = process.env.ATS_TEST_DATABASE === 'postgresql' ? describe.skip : describe;
sqliteOnly('reports at 100,000 applications', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-reports-'));
  let orm: Awaited<ReturnType<typeof openOrm>>;

  beforeAll(async () => {
    orm = await openOrm(path.join(dir, 'ats.db'));
    await migrateUp(orm);
    const run = (sql: string) => orm.em.getConnection().execute(sql, [], 'run');
    const t = "'2026-01-01T00:00:00.000Z'";
    await run(
      `insert into users (id, email, password_hash, role, full_name, active, created_at, updated_at) values (1, 'r@example.com', 'x', 'recruiter', 'R', 1, ${t}, ${t})`,
    );
    await run(`insert into companies (id, name, created_at) values (1, 'Seeded', ${t})`);
    await run(`insert into jobs (title, company_id, status, created_by, created_at, updated_at)
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 50) select 'Job ' || i, 1, 'open', 1, ${t}, ${t} from n`);
    await run(`insert into users (id, email, password_hash, role, full_name, active, created_at, updated_at)
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000)
      select 1000 + i, 'c' || i || '@example.com', 'x', 'candidate', 'Candidate ' || i, 1, ${t}, ${t} from n`);
    // Application i is in job 1 + i % 50, (i % 5) stages in, one in seven then rejected; a day per stage.
    const n = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000)';
    const kind = (d: string) =>
      `case ${d} when 0 then 'applied' when 1 then 'screening' when 2 then 'interview' when 3 then 'offer' else 'hired' end`;
    const day = (days: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-06-01', '+' || (${days}) || ' days')`;
    const rejected = '(i % 7 = 0)';
    await run(`insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at, pipeline_version, stage_kind)
      ${n}, a as (select i, case when ${rejected} then 'rejected' else ${kind('i % 5')} end as stage from n)
      select 'app-' || i, 1 + i % 50, 1000 + i, stage, i % 5 + 1 + ${rejected}, ${day('i % 1000')}, ${day(`i % 1000 + i % 5 + ${rejected}`)}, 1, stage from a`);
    await run(`insert into stage_events (application_id, seq, from_stage, to_stage, at, to_kind)
      ${n}, depth(d) as (select 0 union all select d + 1 from depth where d < 4)
      select 'app-' || i, d + 1, null, ${kind('d')}, ${day('i % 1000 + d')}, ${kind('d')} from n join depth on d <= i % 5`);
    await run(`insert into stage_events (application_id, seq, from_stage, to_stage, at, to_kind)
      ${n} select 'app-' || i, i % 5 + 2, null, 'rejected', ${day('i % 1000 + i % 5 + 1')}, 'rejected' from n where ${rejected}`);
    await run(FILL_APPLICATION_STAYS);
    await run(FILL_APPLICATION_STAY_COUNTS);
    await run('analyze');
  }, 120_000);
  afterAll(async () => {
    await orm?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const plan = async (statement: { sql: string; params: unknown[] }) =>
    (await orm.em.getConnection().execute<{ detail: string }[]>(`explain query plan ${statement.sql}`, statement.params, 'all')).map(
      (r) => r.detail,
    );

  test('the plans read through the indexes, and the reports answer within a few dozen milliseconds', async () => {
    const em = orm.em.fork();
    expect((await em.getConnection().execute<{ n: number }[]>('select count(*) as n from applications'))[0].n).toBe(100_000);
    for (const [scope, index, range] of [
      [{ jobId: 7 }, 'application_stays_job_index', 'job_id=? AND kind=?'],
      [{}, 'application_stays_kind_index', 'kind=?'],
    ] as const) {
      const { counts, nth, hires } = funnelStatements(em, scope);
      // Whole jobs: the per-job counts. A range of creation times: the rows in the index's order, the
      // distinct stage ids collected per kind in a small tree.
      expect((await plan(counts)).join('\n')).toContain('application_stay_counts');
      expect(await plan(funnelStatements(em, { ...scope, from: '2026-01-01T00:00:00.000Z' }).counts)).toEqual([
        expect.stringContaining(`USING COVERING INDEX ${index}`),
        'USE TEMP B-TREE FOR group_concat(DISTINCT)',
      ]);
      // A percentile walks each side of its kind in order from the index; only the rows that can hold it are sorted.
      const percentile = await plan(
        nth({ kind: 'screening', rank: 500, few: { side: 'open', count: 100 }, many: { side: 'closed', count: 900 }, nowMs: Date.now() }),
      );
      // (Across jobs, SQLite may read the few through the job index, skipping from job to job.)
      expect(percentile).toContainEqual(expect.stringContaining(`USING COVERING INDEX ${index} (${range} AND order_ms>?)`));
      expect(percentile).toContainEqual(
        expect.stringMatching(/USING COVERING INDEX application_stays_\w+_index \(.*kind=\? AND order_ms<\?\)/),
      );
      expect(percentile.join('\n')).not.toContain('SCAN application_stays');
      expect(await plan(hires(10, 2))).toEqual([expect.stringContaining(`USING COVERING INDEX ${index} (${range})`)]);
    }
    const waitingPlan = await plan(waitingStatement({ jobId: 7 }));
    expect(waitingPlan).toContainEqual(expect.stringContaining('USING INDEX applications_job_waiting_index (job_id=?)'));
    expect(waitingPlan.join('\n')).not.toContain('TEMP B-TREE');
    const everyJob = await plan(waitingStatement({}));
    expect(everyJob).toContainEqual(expect.stringContaining('USING INDEX applications_waiting_index'));
    expect(everyJob.join('\n')).not.toContain('TEMP B-TREE');

    const timed = async <T>(what: string, run: () => Promise<T>) => {
      await run();
      const start = performance.now();
      const result = await run();
      console.log(`${what} at 100,000 applications: ${(performance.now() - start).toFixed(1)} ms`);
      return result;
    };
    const report = await timed('funnel of one job (2,000 applications)', () => funnel(em, { jobId: 7 }));
    expect(report.stages[0].entered).toBe(2000);
    const all = await timed('funnel of every job', () => funnel(em, {}));
    expect(all.stages.map((s) => s.entered)).toEqual([100_000, 80_000, 60_000, 40_000, 20_000]);
    const waiting = await timed('time in stage of one job', () => waitingInStage(em, { jobId: 7 }, 259_200));
    expect(waiting).toHaveLength(100);
    expect(await timed('time in stage of every job', () => waitingInStage(em, {}, 259_200))).toHaveLength(100);
  }, 60_000);
});
