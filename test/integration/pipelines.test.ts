import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';
import { responseValidator } from '../support/openapi-validator';
import type { PipelineMigrationRecord } from '../../src/jobs/pipeline-migrations';
import { recordMigrationProgress } from '../../src/jobs/pipeline-migrations';

type Actor = Awaited<ReturnType<TestStack['user']>>;
type Stage = { id: string; name: string; kind: string; slaSeconds?: number | null };

const DEFAULT = ['applied', 'screening', 'interview', 'offer', 'hired'];
const stage = (id: string, kind: string, extra: Partial<Stage> = {}): Stage => ({ id, name: `Stage ${id}`, kind, ...extra });
/** A valid second version: a phone screen before the default's screening, the offer gone. */
const V2 = [
  stage('applied', 'applied'),
  stage('phone', 'screening', { slaSeconds: 3600 }),
  stage('screening', 'screening'),
  stage('interview', 'interview'),
  stage('hired', 'hired'),
];

/**
 * A job's pipeline (API.md "Stages and pipelines"): versions published by its recruiters under the
 * rules every version keeps, read by whoever sees the job, and migrations of running applications
 * from one version to another, counted by a dry run.
 */
describe('pipelines', () => {
  let stack: TestStack;
  let creator: Actor;
  let admin: Actor;
  let manager: Actor;
  let offTeam: Actor;
  let candidate: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack();
    [creator, admin, manager, offTeam, candidate] = [
      await stack.user('recruiter'),
      await stack.user('admin'),
      await stack.user('hiring_manager'),
      await stack.user('recruiter'),
      await stack.user('candidate'),
    ];
    expectDocumented = await responseValidator(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const call = async (method: string, template: string, path: string, who: Actor | undefined, body?: unknown, headers = {}) => {
    const res = await stack.http(method, path, { token: who?.token, body, headers });
    expectDocumented(method, template, res);
    return res;
  };
  const read = (jobId: string, who?: Actor, query = '') =>
    call('GET', '/api/jobs/{id}/pipeline', `/api/jobs/${jobId}/pipeline${query}`, who);
  const publish = (jobId: string, stages: unknown, who: Actor = creator) =>
    call('PUT', '/api/jobs/{id}/pipeline', `/api/jobs/${jobId}/pipeline`, who, { stages });
  const migrate = (jobId: string, body: unknown, who: Actor = creator, headers = {}) =>
    call('POST', '/api/jobs/{id}/pipeline/migrations', `/api/jobs/${jobId}/pipeline/migrations`, who, body, headers);
  const migration = (jobId: string, id: string, who: Actor = creator) =>
    call('GET', '/api/jobs/{id}/pipeline/migrations/{migrationId}', `/api/jobs/${jobId}/pipeline/migrations/${id}`, who);

  async function newJob(status = 'open'): Promise<{ id: string; createdAt: string }> {
    const res = await call('POST', '/api/jobs', '/api/jobs', creator, {
      title: 'Platform Engineer',
      company: `Pipes ${randomUUID().slice(0, 8)}`,
      status,
    });
    expect(res.status).toBe(201);
    const add = await call('POST', '/api/jobs/{id}/team', `/api/jobs/${res.body.id}/team`, creator, {
      userId: String(manager.user.id),
      teamRole: 'hiring_manager',
    });
    expect(add.status).toBe(201);
    return res.body;
  }

  /** Applications inserted as the projection holds them: pinned to `version`, in `stage`. */
  async function insertApplications(jobId: string, rows: Array<{ version: number; stage: string; kind: string }>) {
    const em = stack.services.orm.em.fork();
    for (const r of rows) {
      const user = await stack.user('candidate');
      const now = new Date().toISOString();
      await em.execute(
        `insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at, pipeline_version, stage_kind)
          values (?, ?, ?, ?, 1, ?, ?, ?, ?)`,
        [`application-job${jobId}-candidate${user.user.id}`, Number(jobId), user.user.id, r.stage, now, now, r.version, r.kind],
      );
    }
  }

  test('a job never edited has the default pipeline as version 1, dated and signed as the job, for whoever sees the job', async () => {
    const job = await newJob();
    const res = await read(job.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jobId: job.id,
      version: 1,
      stages: DEFAULT.map((id) => ({ id, name: id[0].toUpperCase() + id.slice(1), kind: id, slaSeconds: null })),
      createdAt: job.createdAt,
      createdBy: String(creator.user.id),
    });
    for (const who of [candidate, offTeam, manager, admin]) expect((await read(job.id, who)).body).toEqual(res.body);
    expect((await read(job.id, undefined, '?version=2')).status).toBe(404);
    expect((await read(job.id, undefined, '?version=0')).status).toBe(422);

    const draft = await newJob('draft');
    expect((await read(draft.id)).status).toBe(404);
    expect((await read(draft.id, candidate)).status).toBe(404);
    expect((await read(draft.id, offTeam)).status).toBe(200);
    expect((await read('999999999')).status).toBe(404);
  });

  test("admins and the job's recruiter team members publish; everyone else is refused before the body is read", async () => {
    const job = await newJob();
    for (const who of [manager, offTeam, candidate]) {
      const res = await publish(job.id, [], who);
      expect({ who: who.user.role, status: res.status, code: res.body.code }).toEqual({
        who: who.user.role,
        status: 403,
        code: 'not_job_owner',
      });
    }
    expect((await call('PUT', '/api/jobs/{id}/pipeline', `/api/jobs/${job.id}/pipeline`, undefined, { stages: V2 })).status).toBe(401);
    expect((await publish('999999999', V2, admin)).status).toBe(404);
    const draft = await newJob('draft');
    expect((await publish(draft.id, V2, candidate)).status).toBe(404);
    expect((await read(job.id)).body.version).toBe(1);
    const byAdmin = await publish(job.id, V2, admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ jobId: job.id, version: 2, createdBy: String(admin.user.id) });
  });

  test.each([
    ['fewer than 2 stages', [stage('applied', 'applied')], 'stages'],
    [
      'more than 20 stages',
      [stage('applied', 'applied'), ...Array.from({ length: 20 }, (_, i) => stage(`s${i}`, 'screening')), stage('hired', 'hired')],
      'stages',
    ],
    ['an id outside a-z0-9_-', [stage('applied', 'applied'), stage('Phone Screen', 'screening'), stage('hired', 'hired')], 'stages.1.id'],
    ['the reserved id', [stage('applied', 'applied'), stage('rejected', 'screening'), stage('hired', 'hired')], 'stages.1.id'],
    [
      'a repeated id',
      [stage('applied', 'applied'), stage('phone', 'screening'), stage('phone', 'screening'), stage('hired', 'hired')],
      'stages.2.id',
    ],
    ['a first stage not of kind applied', [stage('new', 'screening'), stage('hired', 'hired')], 'stages.0.kind'],
    ['a last stage not of kind hired', [stage('applied', 'applied'), stage('offer', 'offer')], 'stages.1.kind'],
    ['hired before the last stage', [stage('applied', 'applied'), stage('hired', 'hired'), stage('done', 'hired')], 'stages.1.kind'],
    [
      'an id that changes its kind',
      [stage('applied', 'applied'), stage('screening', 'interview'), stage('hired', 'hired')],
      'stages.1.kind',
    ],
    ['a blank name', [stage('applied', 'applied', { name: '  ' }), stage('hired', 'hired')], 'stages.0.name'],
    ['a name over 100 characters', [stage('applied', 'applied', { name: 'x'.repeat(101) }), stage('hired', 'hired')], 'stages.0.name'],
    ['an SLA under a minute', [stage('applied', 'applied', { slaSeconds: 59 }), stage('hired', 'hired')], 'stages.0.slaSeconds'],
    [
      'an SLA that is not whole seconds',
      [stage('applied', 'applied', { slaSeconds: 90.5 }), stage('hired', 'hired')],
      'stages.0.slaSeconds',
    ],
    ['an unknown kind', [stage('applied', 'applied'), stage('chat', 'coffee'), stage('hired', 'hired')], 'stages.1.kind'],
  ])('422 for %s, naming where', async (_, stages, path) => {
    const job = await newJob();
    const res = await publish(job.id, stages);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await read(job.id)).body.version).toBe(1);
  });

  test('versions increase, the current stages answer unchanged, older versions stay readable, and an id keeps its kind in every later version', async () => {
    const job = await newJob();
    const same = await publish(
      job.id,
      DEFAULT.map((id) => stage(id, id, { name: id[0].toUpperCase() + id.slice(1) })),
    );
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    expect((await read(job.id, undefined, '?version=2')).status).toBe(404);

    const v2 = await publish(job.id, V2);
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, createdBy: String(creator.user.id) });
    expect(v2.body.stages).toEqual(V2.map((s) => ({ ...s, slaSeconds: s.slaSeconds ?? null })));
    expect((await publish(job.id, V2)).body).toEqual(v2.body);
    expect((await read(job.id)).body).toEqual(v2.body);
    const v1 = await read(job.id, undefined, '?version=1');
    expect(v1.body.stages.map((s: Stage) => s.id)).toEqual(DEFAULT);

    // `offer` left in version 2; it may come back, but only as an offer.
    const back = await publish(job.id, [stage('applied', 'applied'), stage('offer', 'interview'), stage('hired', 'hired')]);
    expect(back.status).toBe(422);
    expect(back.body.errors).toEqual([expect.objectContaining({ path: 'stages.1.kind', message: expect.stringContaining('offer') })]);
    const v3 = await publish(job.id, [stage('applied', 'applied'), stage('offer', 'offer'), stage('hired', 'hired')]);
    expect(v3.body.version).toBe(3);
  });

  test('two edits at once take successive versions', async () => {
    const job = await newJob();
    const [a, b] = await Promise.all([publish(job.id, V2), publish(job.id, [stage('applied', 'applied'), stage('hired', 'hired')])]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.version, b.body.version].sort()).toEqual([2, 3]);
    const versions = await stack.services.orm.em
      .fork()
      .execute<{ version: number }[]>('select version from job_pipelines where job_id = ? order by version', [Number(job.id)]);
    expect(versions.map((v) => Number(v.version))).toEqual([1, 2, 3]);
  });

  test('a dry run counts the running applications of the version, per stage; a bad stage map is a 422 naming each stage', async () => {
    const job = await newJob();
    expect((await publish(job.id, V2)).status).toBe(200);
    await insertApplications(job.id, [
      { version: 1, stage: 'applied', kind: 'applied' },
      { version: 1, stage: 'applied', kind: 'applied' },
      { version: 1, stage: 'offer', kind: 'offer' },
      { version: 1, stage: 'hired', kind: 'hired' },
      { version: 1, stage: 'rejected', kind: 'rejected' },
      { version: 2, stage: 'phone', kind: 'screening' },
    ]);
    const stageMap = { applied: 'applied', screening: 'screening', interview: 'interview', offer: 'interview' };
    const dry = await migrate(job.id, { fromVersion: 1, toVersion: 2, stageMap, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ fromVersion: 1, toVersion: 2, total: 3, byStage: { applied: 2, screening: 0, interview: 0, offer: 1 } });
    const back = await migrate(job.id, {
      fromVersion: 2,
      toVersion: 1,
      stageMap: { applied: 'applied', phone: 'screening', screening: 'screening', interview: 'interview' },
      dryRun: true,
    });
    expect(back.body).toEqual({ fromVersion: 2, toVersion: 1, total: 1, byStage: { applied: 0, phone: 1, screening: 0, interview: 0 } });

    const refused = async (body: object, paths: string[]) => {
      const res = await migrate(job.id, { dryRun: true, ...body });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([...paths].sort());
    };
    await refused({ fromVersion: 1, toVersion: 2, stageMap: { applied: 'applied', screening: 'screening' } }, [
      'stageMap.interview',
      'stageMap.offer',
    ]);
    await refused({ fromVersion: 1, toVersion: 2, stageMap: { ...stageMap, offer: 'hired' } }, ['stageMap.offer']);
    await refused({ fromVersion: 1, toVersion: 2, stageMap: { ...stageMap, offer: 'nowhere' } }, ['stageMap.offer']);
    await refused({ fromVersion: 1, toVersion: 2, stageMap: { ...stageMap, hired: 'interview' } }, ['stageMap.hired']);
    await refused({ fromVersion: 1, toVersion: 1, stageMap }, ['toVersion']);
    await refused({ fromVersion: 1, toVersion: 9, stageMap }, ['toVersion']);
    await refused({ fromVersion: 7, toVersion: 2, stageMap }, ['fromVersion']);
    await refused({ fromVersion: 1, toVersion: 2, stageMap, extra: true }, ['extra']);
    for (const who of [manager, offTeam])
      expect((await migrate(job.id, { fromVersion: 1, toVersion: 2, stageMap, dryRun: true }, who)).status).toBe(403);
  });

  test('a migration is recorded running and handed to its workflow once, even when sent again with its key; without one to run it, 503', async () => {
    const job = await newJob();
    expect((await publish(job.id, V2)).status).toBe(200);
    await insertApplications(job.id, [
      { version: 1, stage: 'screening', kind: 'screening' },
      { version: 1, stage: 'interview', kind: 'interview' },
    ]);
    const body = {
      fromVersion: 1,
      toVersion: 2,
      stageMap: { applied: 'applied', screening: 'phone', interview: 'interview', offer: 'interview' },
    };
    // The stack wires the real workflow starter; this test stands in its own, and none at first.
    const wired = stack.services.pipelineMigrations;
    try {
      delete stack.services.pipelineMigrations;
      const unavailable = await migrate(job.id, body);
      expect(unavailable.status).toBe(503);
      expect(unavailable.body.code).toBe('try_again');

      const started: PipelineMigrationRecord[] = [];
      stack.services.pipelineMigrations = { start: async (m) => void started.push(m) };
      const key = { 'Idempotency-Key': randomUUID() };
      const res = await migrate(job.id, body, creator, key);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^migration-[a-z2-7]{10}$/),
        jobId: job.id,
        ...body,
        status: 'running',
        total: 2,
        migrated: 0,
        failed: 0,
        createdAt: expect.any(String),
      });
      const again = await migrate(job.id, body, creator, key);
      expect(again.status).toBe(202);
      expect(again.headers.get('Idempotent-Replayed')).toBe('true');
      expect(again.body).toEqual(res.body);
      expect(started.map((m) => m.id)).toEqual([res.body.id]);
      expect(started[0]).toMatchObject({ jobId: Number(job.id), fromVersion: 1, toVersion: 2, total: 2, createdBy: creator.user.id });

      await recordMigrationProgress(stack.services.orm.em.fork(), res.body.id, { migrated: 1, failed: 1, status: 'completed' });
      const read = await migration(job.id, res.body.id, admin);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ ...res.body, migrated: 1, failed: 1, status: 'completed' });
      expect((await migration(job.id, res.body.id, manager)).status).toBe(403);
      expect((await migration(job.id, 'migration-aaaaaaaaaa')).status).toBe(404);
      const other = await newJob();
      expect((await migration(other.id, res.body.id)).status).toBe(404);
    } finally {
      stack.services.pipelineMigrations = wired;
    }
  });
});
