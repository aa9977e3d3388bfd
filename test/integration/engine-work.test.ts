import { temporal } from '@temporalio/proto';
import type { TestStack } from '../support/stack';
import { eventually, expectSqlMatchesWorkflow, sqlHistory, startApplicationStack, type Actor } from '../support/applications';
import { parseStepTotals, stepsBetween } from '../../bench/support/step-metrics';

const { EventType } = temporal.api.enums.v1;

/**
 * What one apply and one stage change cost the engine, counted in the workflow's history: the
 * server's work (persistence, task dispatch) grows with events and tasks. A bare update-with-start
 * writes 6 events in one workflow task and a bare update 5. An application's transition adds only
 * the stage search attribute when the stage changes and the clock's timer when applying: the API
 * records what it asked for (see transition-recording.ts), so there is no activity task and no
 * second workflow task, and no timer is cancelled on the hot path.
 */
describe('engine work per transition', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let jobId: string;

  beforeAll(async () => {
    ({ stack, recruiter, jobId } = await startApplicationStack());
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** Event types since `from` (1-based event id), once the workflow has nothing pending. */
  async function eventsAfter(id: string, from: number): Promise<string[]> {
    const handle = stack.services.temporal.workflow.getHandle(id);
    await eventually(
      async () => {
        const { raw } = await handle.describe();
        return raw.pendingActivities?.length || raw.pendingWorkflowTask ? undefined : true;
      },
      15_000,
      `${id} to be idle`,
    );
    const history = await handle.fetchHistory();
    return (history.events ?? [])
      .filter((e) => Number(e.eventId) > from)
      .map((e) => EventType[e.eventType ?? 0].replace(/^EVENT_TYPE_/, ''));
  }

  const count = (events: string[], pattern: RegExp) => events.filter((e) => pattern.test(e)).length;

  test('an apply is one workflow task: started, accepted, answered, the stage clock', async () => {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter: 'Hello' } });
    expect(res.status).toBe(201);
    // Visible to the next read at once: the API recorded the answer before it answered.
    expect((await sqlHistory(stack, res.body.id)).map((e) => e.to)).toEqual(['applied']);
    const events = await eventsAfter(res.body.id, 0);
    expect([...events].sort()).toEqual(
      [
        // The order within the one task is the SDK's; what is written, and how much, is ours.
        'WORKFLOW_EXECUTION_STARTED',
        'WORKFLOW_TASK_SCHEDULED',
        'WORKFLOW_TASK_STARTED',
        'WORKFLOW_TASK_COMPLETED',
        'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
        'TIMER_STARTED',
        'WORKFLOW_EXECUTION_UPDATE_COMPLETED',
      ].sort(),
    );
  });

  test('a stage change is one workflow task: accepted, the stage attribute, answered; no activity, no timer cancelled', async () => {
    const candidate = await stack.user('candidate');
    const id: string = (await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} })).body.id;
    let before = (await eventsAfter(id, 0)).length;
    for (const stage of ['screening', 'interview', 'offer']) {
      const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
      expect(res.status).toBe(200);
      expect((await sqlHistory(stack, id)).at(-1)?.to).toBe(stage);
      const events = await eventsAfter(id, before);
      before += events.length;
      expect(count(events, /^WORKFLOW_TASK_COMPLETED$/)).toBe(1);
      expect(count(events, /^ACTIVITY_TASK_/)).toBe(0);
      expect(count(events, /^TIMER_CANCELED$/)).toBe(0);
      expect(count(events, /^UPSERT_WORKFLOW_SEARCH_ATTRIBUTES$/)).toBe(1);
      // An offer's clock (expiry) may be shorter than the clock already running, and then starts its own.
      expect(count(events, /^TIMER_STARTED$/)).toBeLessThanOrEqual(1);
      expect(events.length).toBeLessThanOrEqual(7);
    }
    await expectSqlMatchesWorkflow(stack, id);
  });

  test("the API reports where each apply and stage change spent its time, step by step, within the request's own time", async () => {
    const admin = await stack.user('admin');
    const steps = async () => parseStepTotals((await stack.http('GET', '/metrics', { token: admin.token })).text);

    const candidate = await stack.user('candidate');
    let before = await steps();
    let started = performance.now();
    const applied = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter: 'Hello' } });
    let took = performance.now() - started;
    expect(applied.status).toBe(201);
    const apply = stepsBetween(before, await steps(), 'apply');
    expect(Object.keys(apply).sort()).toEqual(['enqueue', 'journal', 'prepare', 'record', 'temporal']);
    for (const step of Object.values(apply)) expect(step.n).toBe(1);
    expect(Object.values(apply).reduce((sum, step) => sum + step.ms, 0)).toBeLessThanOrEqual(took);
    for (const step of Object.values(apply)) expect(step.ms).toBeGreaterThanOrEqual(0);

    before = await steps();
    started = performance.now();
    const moved = await stack.http('PATCH', `/api/applications/${applied.body.id}/stage`, {
      token: recruiter.token,
      body: { stage: 'screening' },
    });
    took = performance.now() - started;
    expect(moved.status).toBe(200);
    const change = stepsBetween(before, await steps(), 'stage_change');
    expect(Object.keys(change).sort()).toEqual(['enqueue', 'journal', 'read', 'record', 'temporal']);
    for (const step of Object.values(change)) expect(step.n).toBe(1);
    expect(Object.values(change).reduce((sum, step) => sum + step.ms, 0)).toBeLessThanOrEqual(took);

    // A refused change is answered by the workflow too, and records nothing.
    before = await steps();
    expect(
      (await stack.http('PATCH', `/api/applications/${applied.body.id}/stage`, { token: recruiter.token, body: { stage: 'hired' } }))
        .status,
    ).toBe(409);
    expect(Object.keys(stepsBetween(before, await steps(), 'stage_change')).sort()).toEqual(['journal']);
  });
});
