import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, eventually, expectSqlMatchesWorkflow } from '../support/applications';
import { createRedis } from '../../src/redis';
import { createApplicationWorker } from '../../src/main/application-worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/** More than two of the migration's batches (50 each), so its worker can be stopped between them. */
const APPLICATIONS = 120;

/** Version 2 of the default pipeline: a phone screen before screening and a take-home before the interview. */
const VERSION_2 = [
  { id: 'applied', name: 'Applied', kind: 'applied' },
  { id: 'phone_screen', name: 'Phone screen', kind: 'screening' },
  { id: 'screening', name: 'Screening', kind: 'screening' },
  { id: 'take_home', name: 'Take-home', kind: 'interview' },
  { id: 'interview', name: 'Interview', kind: 'interview' },
  { id: 'offer', name: 'Offer', kind: 'offer' },
  { id: 'hired', name: 'Hired', kind: 'hired' },
];

/**
 * Pipelines per job, pinned per application, against the real engines: each application keeps the
 * rules of the version it applied under; moves back and reopening; and a migration that survives its
 * worker being stopped in the middle, moving every application of the old version once.
 */
describe('pipelines: pinning, moves back, reopening and migration', () => {
  let stack: TestStack;
  let bundle: WorkflowBundleWithSourceMap;
  let recruiter: Actor;
  let worker: { stop(): Promise<void> };

  async function startWorker() {
    const redis = createRedis(stack.config.redisUrl, { forWorker: true });
    const w = await createApplicationWorker({
      config: stack.config,
      logger: stack.services.logger,
      orm: stack.services.orm,
      redis,
      workflowBundle: bundle,
    });
    const running = w.run();
    running.catch(() => undefined);
    return {
      async stop() {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running.catch(() => undefined);
        await w.connection?.close();
        redis.disconnect();
      },
    };
  }

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack({ REOPEN_WINDOW_SECONDS: '3600' });
    worker = await startWorker();
    recruiter = await stack.user('recruiter');
  }, 90_000);
  afterAll(async () => {
    await worker?.stop();
    await stack?.close();
  });

  const job = async () => {
    const res = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Pipeline Engineer', company: 'Pipes Ltd' },
    });
    expect(res.status).toBe(201);
    return String(res.body.id);
  };
  const apply = async (jobId: string) => {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, candidate, body: res.body };
  };
  const move = (id: string, body: Record<string, unknown>, token = recruiter.token) =>
    stack.http('PATCH', `/api/applications/${id}/stage`, { token, body });
  const publish = (jobId: string) =>
    stack.http('PUT', `/api/jobs/${jobId}/pipeline`, { token: recruiter.token, body: { stages: VERSION_2 } });

  test('an application keeps the version it applied under; new ones follow the new version; moves back need a reason; a rejection reopens', async () => {
    const jobId = await job();
    const old = await apply(jobId);
    expect(old.body.pipelineVersion).toBe(1);
    const published = await publish(jobId);
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(2);

    const fresh = await apply(jobId);
    expect(fresh.body.pipelineVersion).toBe(2);
    // Version 2's rules for the new one, version 1's for the old.
    expect((await move(fresh.id, { stage: 'phone_screen' })).status).toBe(200);
    const refused = await move(old.id, { stage: 'phone_screen' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'invalid_transition', allowed: ['screening', 'rejected'], allowedBack: [] });
    expect((await move(old.id, { stage: 'screening' })).status).toBe(200);
    // A stage of no version of this job's pipeline is a 422.
    expect((await move(fresh.id, { stage: 'portfolio_review' })).status).toBe(422);

    // Back, with a reason.
    const noReason = await move(fresh.id, { stage: 'applied' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.code).toBe('reason_required');
    const back = await move(fresh.id, { stage: 'applied', reason: 'Phone screen to be redone' });
    expect(back.status).toBe(200);
    expect(back.body.history.at(-1)).toMatchObject({ from: 'phone_screen', to: 'applied', reason: 'Phone screen to be redone' });
    await expectSqlMatchesWorkflow(stack, fresh.id);

    // A rejection by staff reopens within the window; a withdrawal does not.
    expect((await move(old.id, { stage: 'rejected', reason: 'Not now' })).status).toBe(200);
    const reopenNoReason = await stack.http('POST', `/api/applications/${old.id}/reopen`, {
      token: recruiter.token,
      body: { stage: 'screening', reason: ' ' },
    });
    expect(reopenNoReason.status).toBe(422);
    const reopened = await stack.http('POST', `/api/applications/${old.id}/reopen`, {
      token: recruiter.token,
      body: { stage: 'screening', reason: 'Rejected by mistake' },
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body.stage).toBe('screening');
    expect(reopened.body.history.at(-1)).toMatchObject({ from: 'rejected', to: 'screening', reason: 'Rejected by mistake' });
    expect((await move(old.id, { stage: 'interview' })).status).toBe(200);

    const withdrawn = await apply(jobId);
    expect((await stack.http('POST', `/api/applications/${withdrawn.id}/withdraw`, { token: withdrawn.candidate.token })).status).toBe(200);
    const notReopenable = await stack.http('POST', `/api/applications/${withdrawn.id}/reopen`, {
      token: recruiter.token,
      body: { stage: 'applied', reason: 'Please' },
    });
    expect(notReopenable.status).toBe(409);
    expect(notReopenable.body.code).toBe('not_reopenable');
  }, 90_000);

  test('a migration with its worker stopped in the middle completes, moving every version-1 application once', async () => {
    const jobId = await job();
    const ids: string[] = [];
    for (let i = 0; i < APPLICATIONS; i++) ids.push((await apply(jobId)).id);
    for (const id of ids.slice(0, 40)) expect((await move(id, { stage: 'screening' })).status).toBe(200);
    expect((await publish(jobId)).status).toBe(200);

    const stageMap = { applied: 'phone_screen', screening: 'screening', interview: 'interview', offer: 'offer' };
    const dry = await stack.http('POST', `/api/jobs/${jobId}/pipeline/migrations`, {
      token: recruiter.token,
      body: { fromVersion: 1, toVersion: 2, stageMap, dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      fromVersion: 1,
      toVersion: 2,
      total: APPLICATIONS,
      byStage: { applied: APPLICATIONS - 40, screening: 40 },
    });
    const incomplete = await stack.http('POST', `/api/jobs/${jobId}/pipeline/migrations`, {
      token: recruiter.token,
      body: { fromVersion: 1, toVersion: 2, stageMap: { applied: 'phone_screen' } },
    });
    expect(incomplete.status).toBe(422);

    const started = await stack.http('POST', `/api/jobs/${jobId}/pipeline/migrations`, {
      token: recruiter.token,
      body: { fromVersion: 1, toVersion: 2, stageMap },
    });
    expect(started.status).toBe(202);
    const migrationId = started.body.id as string;
    const read = async () =>
      (await stack.http('GET', `/api/jobs/${jobId}/pipeline/migrations/${migrationId}`, { token: recruiter.token })).body;
    // Stop the worker once the first batch is counted, before the last.
    await eventually(async () => ((await read()).migrated > 0 ? true : undefined), 30_000, 'the first batch');
    await worker.stop();
    const midway = await read();
    expect(midway.status).toBe('running');
    expect(midway.migrated).toBeLessThan(APPLICATIONS);
    worker = await startWorker();
    const done = await eventually(
      async () => {
        const m = await read();
        return m.status === 'completed' ? m : undefined;
      },
      60_000,
      'the migration',
    );
    expect(done).toMatchObject({ total: APPLICATIONS, migrated: APPLICATIONS, failed: 0 });

    // Every application is on version 2, its history recording the migration once. A recording
    // activity the worker's stop cut off is tried again after its heartbeat timeout (10 s).
    for (const id of ids) {
      const app = await eventually(
        async () => {
          const res = await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token });
          return res.body.pipelineVersion === 2 ? res.body : undefined;
        },
        30_000,
        `application ${id} on version 2`,
      );
      const marks = app.history.filter((h: { migration?: { id: string } }) => h.migration);
      expect(marks).toEqual([expect.objectContaining({ migration: { id: migrationId, fromVersion: 1, toVersion: 2 } })]);
      expect(app.stage).toBe(ids.indexOf(id) < 40 ? 'screening' : 'phone_screen');
    }
    // Running it again moves nobody.
    const again = await stack.http('POST', `/api/jobs/${jobId}/pipeline/migrations`, {
      token: recruiter.token,
      body: { fromVersion: 1, toVersion: 2, stageMap },
    });
    expect(again.status).toBe(202);
    const second = await eventually(async () => {
      const m = (await stack.http('GET', `/api/jobs/${jobId}/pipeline/migrations/${again.body.id}`, { token: recruiter.token })).body;
      return m.status === 'completed' ? m : undefined;
    });
    expect(second.migrated).toBe(0);
    // The moved applications follow version 2's rules.
    expect((await move(ids[APPLICATIONS - 1], { stage: 'screening' })).status).toBe(200);
  }, 240_000);
});
