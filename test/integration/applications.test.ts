import { allowedNext, isFinal, STAGES, type Stage } from '../../src/domain/stages';
import { changeStageSignal, changeStageUpdate } from '../../workflows/messages';
import type { TestStack } from '../support/stack';
import { openIntent, sweepTransitionIntents } from '../../src/applications/transition-recording';
import {
  addToTeam,
  createJob,
  eventually,
  expectLegalHistory,
  expectSqlMatchesWorkflow,
  queryState,
  sqlHistory,
  startApplicationStack,
  type Actor,
} from '../support/applications';

const PIPELINE: Stage[] = ['applied', 'screening', 'interview', 'offer', 'hired'];

describe('applications as workflows, through the REST API', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let jobId: string;

  beforeAll(async () => {
    ({ stack, recruiter, jobId } = await startApplicationStack());
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** A fresh candidate's application to the shared job, moved through the pipeline up to `stage`. */
  async function applicationIn(stage: Stage): Promise<{ id: string; candidate: Actor }> {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    for (const next of PIPELINE.slice(1, PIPELINE.indexOf(stage) + 1)) await move(id, next, 200);
    if (stage === 'rejected') await move(id, 'rejected', 200);
    return { id, candidate };
  }

  async function move(id: string, stage: string, status: number, extra: Record<string, unknown> = {}, token = recruiter.token) {
    const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token, body: { stage, ...extra } });
    expect({ status: res.status, body: res.body }).toMatchObject({ status });
    return res;
  }

  const completed = (id: string) =>
    eventually(
      async () => {
        const { status } = await stack.services.temporal.workflow.getHandle(id).describe();
        return status.name === 'COMPLETED' ? true : undefined;
      },
      15_000,
      `${id} to complete`,
    );

  /** The event count once the workflow is idle (notifications delivered, no task pending), so counts compare. */
  const historyLength = (id: string) =>
    eventually(
      async () => {
        const { raw, historyLength: length } = await stack.services.temporal.workflow.getHandle(id).describe();
        return raw.pendingActivities?.length || raw.pendingWorkflowTask ? undefined : length;
      },
      15_000,
      `${id} to be idle`,
    );

  test('a candidate applies and is hired through applied → screening → interview → offer → hired', async () => {
    const candidate = await stack.user('candidate');
    const applied = await stack.http('POST', `/api/jobs/${jobId}/apply`, {
      token: candidate.token,
      body: { coverLetter: 'Hello', resumeUrl: 'https://example.com/cv.pdf' },
    });
    expect(applied.status).toBe(201);
    const id = applied.body.id;
    expect(applied.headers.get('location')).toBe(`/api/applications/${id}`);
    expect(applied.body).toMatchObject({
      // Readable, with the random part this database drew for the pair.
      id: expect.stringMatching(new RegExp(`^application-job${jobId}-candidate${candidate.user.id}-[a-z2-7]{10}$`)),
      jobId,
      candidateId: String(candidate.user.id),
      stage: 'applied',
      workflowId: id,
      workflowUrl: `${stack.config.temporal.uiUrl}/namespaces/default/workflows/${id}`,
      coverLetter: 'Hello',
      resumeUrl: 'https://example.com/cv.pdf',
      history: [{ from: null, to: 'applied', by: String(candidate.user.id), reason: null }],
    });
    // Read-your-writes: the 201 came after SQL had the row.
    expect((await stack.http('GET', `/api/applications/${id}`, { token: candidate.token })).body).toEqual(applied.body);

    for (const stage of PIPELINE.slice(1)) {
      const res = await move(id, stage, 200);
      expect(res.body.stage).toBe(stage);
      expect(res.body.history.at(-1)).toMatchObject({ to: stage, by: String(recruiter.user.id), reason: null });
      expect((await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token })).body).toEqual(res.body);
    }

    const state = await expectSqlMatchesWorkflow(stack, id);
    expect(state.history.map((h) => h.to)).toEqual(PIPELINE);
    expectLegalHistory(state.history);
    const final = await stack.http('GET', `/api/applications/${id}`, { token: candidate.token });
    expect(final.body.history.map((h: { from: Stage | null }) => h.from)).toEqual([null, ...PIPELINE.slice(0, -1)]);
    // Search attributes follow the stage, for the Web UI.
    const described = await stack.services.temporal.workflow.getHandle(id).describe();
    expect(described.searchAttributes).toMatchObject({ ApplicationStage: ['hired'], JobId: [jobId] });
  });

  test.each(['applied', 'screening', 'interview', 'offer'] as Stage[])(
    'an application in %s can be rejected, with reason and who acted',
    async (stage) => {
      const { id } = await applicationIn(stage);
      const res = await move(id, 'rejected', 200, { reason: 'Not a fit' });
      expect(res.body.stage).toBe('rejected');
      expect(res.body.history.at(-1)).toEqual({
        from: stage,
        to: 'rejected',
        at: res.body.updatedAt,
        by: String(recruiter.user.id),
        byName: recruiter.user.fullName,
        reason: 'Not a fit',
      });
      await expectSqlMatchesWorkflow(stack, id);
    },
  );

  test.each(STAGES.map((s) => [s]))(
    'every illegal move out of %s answers 409 with the allowed stages (a move back without a reason 422) and changes nothing',
    async (from) => {
      const { id } = await applicationIn(from);
      // A final application's workflow closes once its notifications are out; count events after that.
      if (isFinal(from)) await completed(id);
      const before = { events: await historyLength(id), sql: await sqlHistory(stack, id) };
      // Back: any earlier stage of a running application, with a reason.
      const back = isFinal(from) ? [] : STAGES.slice(0, STAGES.indexOf(from));
      for (const to of STAGES.filter((s) => !allowedNext(from).includes(s))) {
        if (back.includes(to)) {
          const res = await move(id, to, 422);
          expect(res.body).toMatchObject({ code: 'reason_required', from, to });
          continue;
        }
        const res = await move(id, to, 409);
        expect(res.body).toMatchObject({ code: 'invalid_transition', allowed: [...allowedNext(from)], allowedBack: back, from, to });
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      expect(await historyLength(id)).toBe(before.events);
      expect(await sqlHistory(stack, id)).toEqual(before.sql);
    },
  );

  test('fromStage that is no longer current answers 409 stage_changed with the current stage', async () => {
    const { id } = await applicationIn('screening');
    const res = await move(id, 'interview', 409, { fromStage: 'applied' });
    expect(res.body).toMatchObject({ code: 'stage_changed', current: 'screening' });
    expect((await move(id, 'interview', 200, { fromStage: 'screening' })).body.stage).toBe('interview');
  });

  test('an unknown stage, or an unknown field, is a 422 validation problem', async () => {
    const { id } = await applicationIn('applied');
    const unknown = await move(id, 'promoted', 422);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ path: 'stage' })] });
    await move(id, 'screening', 422, { fromStage: 'nowhere' });
    // Both fields wrong: one 422 names each.
    const both = await move(id, 'promoted', 422, { fromStage: 'nowhere' });
    expect((both.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['fromStage', 'stage']);
    await move(id, 'screening', 422, { seq: 3 });
    expect(await sqlHistory(stack, id)).toHaveLength(1);
  });

  test('a candidate withdraws: rejected with reason withdrawn, by the candidate; a second withdrawal is 409', async () => {
    const { id, candidate } = await applicationIn('interview');
    const res = await stack.http('POST', `/api/applications/${id}/withdraw`, { token: candidate.token });
    expect(res.status).toBe(200);
    expect(res.body.stage).toBe('rejected');
    expect(res.body.history.at(-1)).toMatchObject({
      from: 'interview',
      to: 'rejected',
      by: String(candidate.user.id),
      reason: 'withdrawn',
    });
    await expectSqlMatchesWorkflow(stack, id);
    const again = await stack.http('POST', `/api/applications/${id}/withdraw`, { token: candidate.token });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'invalid_transition', allowed: [] });
  });

  test('a final application stays final after its workflow has completed', async () => {
    const { id, candidate } = await applicationIn('hired');
    await completed(id);
    expect((await move(id, 'rejected', 409)).body).toMatchObject({ code: 'invalid_transition', allowed: [], from: 'hired' });
    expect((await move(id, 'rejected', 409, { fromStage: 'offer' })).body).toMatchObject({ code: 'stage_changed', current: 'hired' });
    expect((await stack.http('POST', `/api/applications/${id}/withdraw`, { token: candidate.token })).status).toBe(409);
    // Completed workflows stay queryable until retention.
    expect((await queryState(stack, id)).stage).toBe('hired');
  });

  test('roles: candidates cannot move stages, recruiters cannot withdraw, other candidates and recruiters outside the team see 404', async () => {
    const { id, candidate } = await applicationIn('applied');
    const other = await stack.user('candidate');
    expect((await move(id, 'screening', 403, {}, candidate.token)).body.code).toBe('forbidden');
    expect((await stack.http('POST', `/api/applications/${id}/withdraw`, { token: recruiter.token })).status).toBe(403);
    expect((await stack.http('GET', `/api/applications/${id}`, { token: other.token })).status).toBe(404);
    expect((await stack.http('POST', `/api/applications/${id}/withdraw`, { token: other.token })).status).toBe(404);
    expect((await stack.http('GET', `/api/applications/${id}`, { token: candidate.token })).status).toBe(200);
    expect((await stack.http('GET', `/api/applications/${id}`)).status).toBe(401);
    // A recruiter outside the job's hiring team is a stranger to it, until they join the team.
    const colleague = await stack.user('recruiter');
    expect((await stack.http('GET', `/api/applications/${id}`, { token: colleague.token })).status).toBe(404);
    expect((await move(id, 'rejected', 404, {}, colleague.token)).body.code).toBe('not_found');
    expect(await sqlHistory(stack, id)).toHaveLength(1);
    await addToTeam(stack, { id: Number(jobId), createdBy: recruiter.user.id }, colleague.user.id);
    expect((await stack.http('GET', `/api/applications/${id}`, { token: colleague.token })).status).toBe(200);
  });

  test('unknown applications are 404 for reads and writes', async () => {
    const admin = await stack.user('admin');
    for (const id of ['application-job999999-candidate1', 'not-an-application']) {
      expect((await stack.http('GET', `/api/applications/${id}`, { token: admin.token })).status).toBe(404);
      expect((await move(id, 'screening', 404, {}, admin.token)).body.code).toBe('not_found');
    }
  });

  test('applying: only candidates, only to an existing open job; a draft is 404 as when read, a closed job 409 job_not_open', async () => {
    const candidate = await stack.user('candidate');
    expect((await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: recruiter.token, body: {} })).status).toBe(403);
    const missing = await stack.http('POST', '/api/jobs/999999/apply', { token: candidate.token, body: {} });
    expect(missing.status).toBe(404);
    const draft = await createJob(stack, recruiter.user.id, 'draft');
    expect((await stack.http('GET', `/api/jobs/${draft.id}`, { token: candidate.token })).status).toBe(404);
    const hidden = await stack.http('POST', `/api/jobs/${draft.id}/apply`, { token: candidate.token, body: {} });
    expect(hidden.status).toBe(404);
    expect({ ...hidden.body, requestId: undefined, instance: undefined }).toEqual({
      ...missing.body,
      requestId: undefined,
      instance: undefined,
    });
    const closed = await createJob(stack, recruiter.user.id, 'closed');
    const late = await stack.http('POST', `/api/jobs/${closed.id}/apply`, { token: candidate.token, body: {} });
    expect([late.status, late.body.code]).toEqual([409, 'job_not_open']);
    expect((await stack.http('GET', `/api/applications?jobId=${closed.id}`, { token: recruiter.token })).body.items).toEqual([]);
    expect(
      (await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { resumeUrl: 'not a url' } })).status,
    ).toBe(422);
  });

  test('resumeUrl takes http: and https: URLs only', async () => {
    for (const resumeUrl of [
      'javascript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'JAVASCRIPT:alert(1)',
      'ftp://example.com/cv.pdf',
      'https://',
      '//example.com/cv.pdf',
      ' https://example.com/cv.pdf',
    ]) {
      const candidate = await stack.user('candidate');
      const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { resumeUrl } });
      expect([resumeUrl, res.status]).toEqual([resumeUrl, 422]);
      expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))]).toEqual(['resumeUrl']);
    }
    for (const resumeUrl of ['https://example.com/cv.pdf', 'http://example.com/cv?id=1']) {
      const candidate = await stack.user('candidate');
      const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { resumeUrl } });
      expect(res.status).toBe(201);
      expect(res.body.resumeUrl).toBe(resumeUrl);
    }
  });

  test('closing a job does not strand its applications: they keep moving', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const { body } = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    const em = stack.services.orm.em.fork();
    await em.execute('update jobs set status = ? where id = ?', ['closed', job.id], 'run');
    expect((await move(body.id, 'screening', 200)).body.stage).toBe('screening');
  });

  test('a signal applies a legal change; an illegal one is recorded in the state and ignored', async () => {
    const { id } = await applicationIn('applied');
    const handle = stack.services.temporal.workflow.getHandle(id);
    await handle.signal(changeStageSignal, { applicationId: id, stage: 'hired', by: String(recruiter.user.id) });
    await handle.signal(changeStageSignal, { applicationId: id, stage: 'screening', by: String(recruiter.user.id), reason: 'via signal' });
    const state = await eventually(
      async () => {
        const s = await queryState(stack, id);
        return s.stage === 'screening' && s.rejectedSignals.length === 1 ? s : undefined;
      },
      10_000,
      'both signals',
    );
    expect(state.rejectedSignals[0]).toMatchObject({ code: 'invalid_transition', request: { stage: 'hired' } });
    expect(state.history.map((h) => h.to)).toEqual(['applied', 'screening']);
    await eventually(async () => ((await sqlHistory(stack, id)).length === 2 ? true : undefined), 10_000, 'projection of the signal');
    await expectSqlMatchesWorkflow(stack, id);
  });

  test('a change whose answer never reached SQL through the API (the API died first) is recorded by the sweep, from the workflow', async () => {
    const { id } = await applicationIn('applied');
    const outbox = async () =>
      (
        await stack.services.orm.em
          .fork()
          .execute<{ n: number }[]>('select count(*) as n from notification_outbox where subject = ?', [id], 'all')
      )[0].n;
    const sentBefore = Number(await outbox());
    // The API journals the change, sends it, and dies before recording the answer.
    await openIntent(stack.services.orm, `${id}:lost-answer`, id);
    const answer = await stack.services.temporal.workflow.getHandle(id).executeUpdate(changeStageUpdate, {
      args: [{ applicationId: id, stage: 'screening', by: String(recruiter.user.id) }],
      updateId: 'lost-answer',
    });
    expect(answer).toMatchObject({ stage: 'screening', seq: 2 });
    // The workflow leaves an update's transition to the API: nothing has recorded it yet.
    expect(await sqlHistory(stack, id)).toHaveLength(1);
    // Intents younger than the grace are requests still in flight: left alone.
    expect(await sweepTransitionIntents(stack.services, { graceMs: 60_000 })).toBe(0);
    expect(await sweepTransitionIntents(stack.services, { graceMs: 0 })).toBe(1);
    await expectSqlMatchesWorkflow(stack, id);
    // The candidate's notice of the change is in the outbox, once; a second sweep finds nothing left.
    expect(Number(await outbox())).toBe(sentBefore + 1);
    expect(await sweepTransitionIntents(stack.services, { graceMs: 0 })).toBe(0);
    expect(Number(await outbox())).toBe(sentBefore + 1);
  });
  test('an apply retried after its first attempt started the workflow but never reached SQL: 409, and the application is readable at once', async () => {
    const { id, candidate } = await applicationIn('applied');
    // As if the API died between Temporal's answer and SQL: no row, the journal's intent left.
    const execute = (sql: string) => stack.services.orm.em.fork().getConnection().execute(sql, [id], 'run');
    await execute('delete from stage_events where application_id = ?');
    await execute('delete from application_stays where application_id = ?');
    await execute('delete from applications where id = ?');
    await openIntent(stack.services.orm, `${id}:first-attempt`, id, new Date(), 0);
    const mine = async () =>
      (await stack.http('GET', `/api/applications?jobId=${jobId}`, { token: candidate.token })).body.items.map((a: { id: string }) => a.id);
    expect(await mine()).toEqual([]);

    const retry = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('duplicate_application');
    // The refusal is not contradicted by the next read: the workflow's application was recorded first.
    expect(await mine()).toEqual([id]);
    await expectSqlMatchesWorkflow(stack, id);
    const left = await stack.services.orm.em
      .fork()
      .getConnection()
      .execute<{ n: number }[]>('select count(*) as n from transition_intents where application_id = ?', [id], 'all');
    expect(Number(left[0].n)).toBe(0);
  });
});
