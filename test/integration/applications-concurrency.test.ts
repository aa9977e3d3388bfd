import { startStack, type TestStack } from '../support/stack';
import { openDeep } from '../../src/crypto/personal-fields';
import { bundleWorkflows, createJob, expectLegalHistory, expectSqlMatchesWorkflow } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

describe('applications under concurrent requests', () => {
  let stack: TestStack;
  let recruiter: Actor;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    recruiter = await stack.user('recruiter');
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  test('20 simultaneous applies of one candidate to one job: exactly one 201, nineteen 409 duplicate_application', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: { coverLetter: `attempt ${i}` } }),
      ),
    );

    const created = results.filter((r) => r.status === 201);
    const duplicates = results.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(duplicates).toHaveLength(19);
    for (const d of duplicates) expect(d.body.code).toBe('duplicate_application');

    const id = created[0].body.id;
    const state = await expectSqlMatchesWorkflow(stack, id);
    expect(state.history).toHaveLength(1);
    // The workflow carries it sealed under the candidate's key; one data key served all twenty.
    expect(await openDeep(stack.services.orm.em.fork(), stack.config.auth.payloadKeys, state.coverLetter)).toBe(
      created[0].body.coverLetter,
    );
    const [{ count }] = await stack.services.orm.em
      .fork()
      .execute<{ count: number }[]>('select count(*) as count from applications where job_id = ?', [job.id], 'all');
    expect(count).toBe(1);
  });

  test('20 simultaneous conflicting stage changes leave one linear, legal history, equal in SQL and the workflow', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const { body: application } = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    const id = application.id;

    // From `applied`: screening and rejected both legal at first, each illegal once the other won;
    // interview legal only after screening; some carry the fromStage they believe in.
    const bodies = Array.from(
      { length: 20 },
      (_, i) =>
        [
          { stage: 'screening' },
          { stage: 'rejected', reason: `race ${i}` },
          { stage: 'screening', fromStage: 'applied' },
          { stage: 'interview', fromStage: 'screening' },
          { stage: 'rejected', fromStage: 'screening', reason: `late ${i}` },
        ][i % 5],
    );
    const results = await Promise.all(
      bodies.map((body) => stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body })),
    );

    // A `screening` that arrives once `interview` won is a move back without a reason: 422 reason_required.
    for (const r of results) {
      expect([200, 409, 422]).toContain(r.status);
      if (r.status === 409) expect(['invalid_transition', 'stage_changed']).toContain(r.body.code);
      if (r.status === 422)
        expect({ code: r.body.code, from: r.body.from, to: r.body.to }).toEqual({
          code: 'reason_required',
          from: 'interview',
          to: 'screening',
        });
    }
    const accepted = results.filter((r) => r.status === 200);
    expect(accepted.length).toBeGreaterThanOrEqual(1);

    const state = await expectSqlMatchesWorkflow(stack, id);
    expectLegalHistory(state.history);
    // Every 200 is exactly one transition in the history, and nothing else is.
    expect(state.history).toHaveLength(accepted.length + 1);
    const recorded = state.history.map(({ from, to, at, by, reason }) => ({ from, to, at, by, reason }));
    // The answers also name the actor (byName), which the workflow does not keep.
    for (const r of accepted)
      expect({ ...recorded[r.body.history.length - 1], byName: r.body.history.at(-1).byName }).toEqual(r.body.history.at(-1));
    expect(new Set(accepted.map((r) => r.body.history.length)).size).toBe(accepted.length);
  });
});
