import { findApplication } from '../../src/applications/application-repository';
import { ensureRetentionSchedule, retentionScheduleId } from '../../src/privacy/retention-schedule';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually } from '../support/applications';

/** RETENTION_DAYS: a Temporal Schedule erases the personal data of applications final for longer. */
describe('retention', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ RETENTION_DAYS: '30' }, { worker: { workflowBundle: await bundleWorkflows() } });
  }, 60_000);
  afterAll(async () => {
    if (stack) await ensureRetentionSchedule(stack.services.temporal, { ...stack.config, retentionDays: undefined }, stack.services.logger);
    await stack?.close();
  });

  test("the schedule clears applications final for longer than RETENTION_DAYS and their candidate's key; recent or running ones stay", async () => {
    const recruiter = await stack.user('recruiter');
    const jobId = String((await createJob(stack, recruiter.user.id)).id);
    const apply = async (stage?: string) => {
      const candidate = await stack.user('candidate');
      const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, {
        token: candidate.token,
        body: { coverLetter: 'Kept for a while', resumeUrl: 'https://example.com/cv.pdf' },
      });
      expect(res.status).toBe(201);
      if (stage)
        expect(
          (await stack.http('PATCH', `/api/applications/${res.body.id}/stage`, { token: recruiter.token, body: { stage } })).status,
        ).toBe(200);
      return { id: res.body.id as string, candidateId: candidate.user.id };
    };
    const [old, recent, running] = [await apply('rejected'), await apply('rejected'), await apply()];
    // The workflows' own recordings must land before the rows are backdated: a late one would write
    // the transition's real time back over the backdated one.
    for (const { id } of [old, recent, running]) {
      await eventually(
        async () =>
          ((await stack.services.temporal.workflow.getHandle(id).describe()).raw.pendingActivities ?? []).length === 0 ? true : undefined,
        30_000,
        `${id} recorded`,
      );
    }
    const conn = stack.services.orm.em.getConnection();
    await conn.execute("update applications set updated_at = '2020-01-01T00:00:00.000Z' where id in (?, ?)", [old.id, running.id]);
    const keyOf = async (userId: number) =>
      (await conn.execute('select user_id from candidate_data_keys where user_id = ?', [userId])).length;

    await ensureRetentionSchedule(stack.services.temporal, stack.config, stack.services.logger);
    const schedule = stack.services.temporal.schedule.getHandle(retentionScheduleId(stack.config));
    expect((await schedule.describe()).action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow' });
    await schedule.trigger();

    await eventually(
      async () => ((await findApplication(stack.services.orm.em.fork(), old.id))?.coverLetter === null ? true : undefined),
      45_000,
      'the retention pass',
    );
    expect(await findApplication(stack.services.orm.em.fork(), old.id)).toMatchObject({
      stage: 'rejected',
      coverLetter: null,
      resumeUrl: null,
      history: [expect.anything(), expect.anything()],
    });
    expect(await keyOf(old.candidateId)).toBe(0);
    for (const kept of [recent, running]) {
      expect(await findApplication(stack.services.orm.em.fork(), kept.id)).toMatchObject({
        coverLetter: 'Kept for a while',
        resumeUrl: 'https://example.com/cv.pdf',
      });
      expect(await keyOf(kept.candidateId)).toBe(1);
    }
  }, 90_000);
});
