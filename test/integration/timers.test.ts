import type { Queue } from 'bullmq';
import { createNotificationQueue, type NotificationJobData } from '../../src/notifications/notification-queue';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually, expectSqlMatchesWorkflow, queryState } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

const SLA_SECONDS = 1;
const OFFER_EXPIRY_SECONDS = 2;

/** Durable timers with durations of seconds: the SLA reminder and the offer's expiry. */
describe('application timers', () => {
  let stack: TestStack;
  let queue: Queue<NotificationJobData>;
  let recruiter: Actor;
  let jobId: string;

  beforeAll(async () => {
    stack = await startStack(
      { STAGE_SLA_SECONDS: String(SLA_SECONDS), OFFER_EXPIRY_SECONDS: String(OFFER_EXPIRY_SECONDS) },
      { worker: { workflowBundle: await bundleWorkflows() } },
    );
    queue = createNotificationQueue(stack.services.redis, stack.config.notifier.queueName);
    recruiter = await stack.user('recruiter');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
  }, 60_000);
  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await stack?.close();
  });

  const apply = async () => {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const move = (id: string, stage: string) =>
    stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
  /** Notification jobs the workflow enqueued for one application (no notifier runs here, so they wait). */
  const jobsFor = async (id: string, kind: string) =>
    (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter(
      (j) => j.name === kind && j.data.applicationId === id,
    );

  test('an application left in a stage past its SLA earns the recruiter one reminder per stage entry', async () => {
    const id = await apply();
    const reminded = await eventually(
      async () => {
        const jobs = await jobsFor(id, 'sla_reminder');
        return jobs.length ? jobs : undefined;
      },
      10_000,
      'the SLA reminder job',
    );
    expect(reminded).toHaveLength(1);
    expect(reminded[0].data).toMatchObject({ applicationId: id, seq: 1, kind: 'sla_reminder', to: 'applied' });
    expect((await queryState(stack, id)).slaReminders).toEqual([expect.objectContaining({ seq: 1, stage: 'applied' })]);

    // Sitting on in the same stage earns no second reminder…
    await new Promise((r) => setTimeout(r, SLA_SECONDS * 1500));
    expect(await jobsFor(id, 'sla_reminder')).toHaveLength(1);
    // …entering a new stage starts a new clock.
    expect((await move(id, 'screening')).status).toBe(200);
    const state = await eventually(
      async () => {
        const s = await queryState(stack, id);
        return s.slaReminders.length === 2 ? s : undefined;
      },
      10_000,
      'the second reminder',
    );
    expect(state.slaReminders[1]).toMatchObject({ seq: 2, stage: 'screening' });
    expect(state.stage).toBe('screening');
  });

  test('an offer nobody acts on expires: the workflow rejects it as system with reason offer_expired', async () => {
    const id = await apply();
    for (const stage of ['screening', 'interview', 'offer']) expect((await move(id, stage)).status).toBe(200);
    const expired = await eventually(
      async () => {
        const res = await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token });
        return res.body.stage === 'rejected' ? res.body : undefined;
      },
      15_000,
      'the offer to expire',
    );
    expect(expired.history.at(-1)).toMatchObject({ from: 'offer', to: 'rejected', by: 'system', reason: 'offer_expired' });
    const offered = Date.parse(expired.history.at(-2).at);
    expect(Date.parse(expired.history.at(-1).at) - offered).toBeGreaterThanOrEqual(OFFER_EXPIRY_SECONDS * 1000);
    await expectSqlMatchesWorkflow(stack, id);
    const notices = await eventually(
      async () => {
        const jobs = await jobsFor(id, 'offer_expired');
        return jobs.length ? jobs : undefined;
      },
      10_000,
      'the offer_expired notification',
    );
    expect(notices[0].data).toMatchObject({ kind: 'offer_expired', to: 'rejected', reason: 'offer_expired' });
    // The expiry is a final outcome like any other: nothing moves it.
    expect((await move(id, 'hired')).status).toBe(409);
  });

  test('an offer accepted in time does not expire', async () => {
    const id = await apply();
    for (const stage of ['screening', 'interview', 'offer', 'hired']) expect((await move(id, stage)).status).toBe(200);
    await new Promise((r) => setTimeout(r, OFFER_EXPIRY_SECONDS * 1000 + 500));
    const state = await expectSqlMatchesWorkflow(stack, id);
    expect(state.stage).toBe('hired');
    expect(state.history).toHaveLength(5);
  });
});
