import type { Worker } from '@temporalio/worker';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/redis';
import { createApplicationWorker } from '../../src/main/application-worker';
import { createNotificationQueue, notificationJobId } from '../../src/notifications/notification-queue';
import { claimApplicationId } from '../../src/applications/application-claims';
import { refusedData } from '../../src/applications/recording-failures';
import { sweepTransitionIntents } from '../../src/applications/transition-recording';
import { changeStageSignal } from '../../workflows/messages';
import { startStack, type TestStack } from '../support/stack';
import { installSqlFaults, type SqlFaults } from '../support/sql-faults';
import { bundleWorkflows, createJob, eventually, expectSqlMatchesWorkflow, queryState } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/** Short, so that a recording that keeps failing gives up within the test. */
const RETRY_WINDOW_MS = 5000;

/**
 * SQL failing under the projection: the API answers 503 instead of a success it cannot show, and
 * the change converges once SQL takes the write again: through the API's sweep for the changes it
 * asked for, through the workflow's recording activity for signals and timers. A recording that can
 * never converge fails visibly (the error counter, and for the activity a failed activity in the
 * Web UI) without stopping the workflow.
 */
describe('recording when SQL refuses', () => {
  let stack: TestStack;
  let worker: Worker;
  let running: Promise<void>;
  let redis: Redis;
  let recruiter: Actor;
  let jobId: string;
  /** Blocked applications' projection writes fail as a transient SQL error would (retryable). */
  let faults: SqlFaults;

  beforeAll(async () => {
    stack = await startStack();
    redis = createRedis(stack.config.redisUrl, { forWorker: true });
    worker = await createApplicationWorker({
      config: stack.config,
      logger: stack.services.logger,
      orm: stack.services.orm,
      redis,
      workflowBundle: await bundleWorkflows(),
      recordingRetryWindowMs: RETRY_WINDOW_MS,
    });
    running = worker.run();
    recruiter = await stack.user('recruiter');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
    faults = await installSqlFaults(stack.services.orm);
  }, 60_000);
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await worker?.connection?.close();
    redis?.disconnect();
    await stack?.close();
  });

  /** The id the candidate's apply will send: the pair's claim, made ahead of it (SQL faults are set by id). */
  const idOf = (candidate: Actor) => claimApplicationId(stack.services.orm.em.fork(), Number(jobId), candidate.user.id);
  const move = (id: string, stage: string) =>
    stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
  const get = (id: string) => stack.http('GET', `/api/applications/${id}`, { token: recruiter.token });

  async function failures(): Promise<Record<string, number>> {
    const text = (await stack.http('GET', '/metrics', { token: (await stack.user('admin')).token })).text;
    return Object.fromEntries(
      [...text.matchAll(/^ats_recording_failures_total\{reason="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
  }

  /** The recording attempt now pending for `id`, once it has failed at least `attempts - 1` times. */
  const pendingAttempt = (id: string, attempts: number) =>
    eventually(
      async () => {
        const { raw } = await stack.services.temporal.workflow.getHandle(id).describe();
        const attempt = raw.pendingActivities?.[0]?.attempt ?? 0;
        return attempt >= attempts ? attempt : undefined;
      },
      15_000,
      `${id}'s recording to retry`,
    );

  /** The workflow's failed recording activities, as the Web UI lists them. */
  async function failedActivities(id: string) {
    const history = await stack.services.temporal.workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).flatMap((e) => {
      const failure = e.activityTaskFailedEventAttributes?.failure;
      return failure
        ? [
            {
              type: failure.applicationFailureInfo?.type,
              nonRetryable: failure.applicationFailureInfo?.nonRetryable,
              message: failure.message,
            },
          ]
        : [];
    });
  }

  /** The API's sweep, as every API process runs it; intents of any age. */
  const sweep = (retryWindowMs?: number) => sweepTransitionIntents(stack.services, { graceMs: 0, retryWindowMs });

  test('an apply whose SQL write fails answers 503, and the sweep writes it from the workflow once SQL takes it', async () => {
    const candidate = await stack.user('candidate');
    const id = await idOf(candidate);
    await faults.block(id);
    const before = await failures();

    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter: 'Dear team' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'try_again', applicationId: id });
    expect(res.headers.get('retry-after')).toBe('1');
    // The transition happened in Temporal; SQL does not show it yet.
    expect((await queryState(stack, id)).stage).toBe('applied');
    expect((await get(id)).status).toBe(404);

    // While SQL still fails, the sweep leaves the intent for the next one.
    expect(await sweep()).toBe(0);
    await faults.unblock(id);
    expect(await sweep()).toBe(1);
    const shown = (await get(id)).body;
    expect(shown).toMatchObject({
      id,
      stage: 'applied',
      coverLetter: 'Dear team',
      history: [{ from: null, to: 'applied', by: String(candidate.user.id) }],
    });
    await expectSqlMatchesWorkflow(stack, id);
    // It converged: nothing failed for good, and nothing is left to sweep.
    expect(await failures()).toEqual(before);
    expect(await sweep()).toBe(0);
  });

  test('a stage change whose SQL write fails answers 503 and converges the same way', async () => {
    const candidate = await stack.user('candidate');
    const id = await idOf(candidate);
    expect((await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} })).status).toBe(201);
    await faults.block(id);
    const res = await move(id, 'screening');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'try_again', applicationId: id });
    expect((await get(id)).body.stage).toBe('applied');
    expect(await sweep()).toBe(0);
    await faults.unblock(id);
    expect(await sweep()).toBe(1);
    expect((await get(id)).body.stage).toBe('screening');
    await expectSqlMatchesWorkflow(stack, id);
  });

  test("data SQL refuses ends the sweep's attempts at once and visibly; the candidate still hears, and later transitions record", async () => {
    const candidate = await stack.user('candidate');
    const id = await idOf(candidate);
    expect((await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} })).status).toBe(201);
    const before = await failures();
    // A constraint: SQL refuses every history past the submission, however often it is sent.
    await faults.refuseHistory(id);
    expect((await move(id, 'screening')).status).toBe(503);
    // Well inside the retry window: refused data is not retried.
    expect(await sweep(60 * 60_000)).toBe(1);
    expect(await failures()).toMatchObject({ constraint_violation: (before.constraint_violation ?? 0) + 1 });
    // Only SQL refused: the candidate still hears about the change.
    const queue = createNotificationQueue(redis, stack.config.notifier.queueName);
    const notice = await queue.getJob(
      notificationJobId({ applicationId: id, seq: 2, kind: 'stage_changed', channel: 'email', recipientId: String(candidate.user.id) }),
    );
    await queue.close();
    expect(notice?.data).toMatchObject({ applicationId: id, seq: 2, to: 'screening' });

    // The workflow carries on: it is running, in screening, and takes the next change.
    const handle = stack.services.temporal.workflow.getHandle(id);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await queryState(stack, id)).stage).toBe('screening');
    await faults.allowHistory();
    const next = await move(id, 'interview');
    expect(next.status).toBe(200);
    expect(next.body.history.map((h: { to: string }) => h.to)).toEqual(['applied', 'screening', 'interview']);
    await expectSqlMatchesWorkflow(stack, id);
  });

  test('a failure that outlasts the retry window ends in a visible failure; the next transition records everything', async () => {
    const candidate = await stack.user('candidate');
    const id = await idOf(candidate);
    expect((await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} })).status).toBe(201);
    const before = await failures();
    await faults.block(id);
    expect((await move(id, 'screening')).status).toBe(503);
    expect(await sweep(60 * 60_000)).toBe(0);
    expect(await sweep(0)).toBe(1);
    expect(await failures()).toMatchObject({ retries_exhausted: (before.retries_exhausted ?? 0) + 1 });
    expect((await stack.services.temporal.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
    expect((await get(id)).body.stage).toBe('applied');

    await faults.unblock(id);
    expect((await move(id, 'rejected')).status).toBe(200);
    await expectSqlMatchesWorkflow(stack, id);
    expect((await get(id)).body.history.map((h: { to: string }) => h.to)).toEqual(['applied', 'screening', 'rejected']);
  });

  test("a signal's transition, which the recording activity writes: data SQL refuses fails the activity at once and visibly", async () => {
    const candidate = await stack.user('candidate');
    const id = await idOf(candidate);
    expect((await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} })).status).toBe(201);
    const before = await failures();
    await faults.refuseHistory(id);
    const started = Date.now();
    const handle = stack.services.temporal.workflow.getHandle(id);
    await handle.signal(changeStageSignal, { applicationId: id, stage: 'screening', by: String(recruiter.user.id) });

    const [failed] = await eventually(
      async () => {
        const list = await failedActivities(id);
        return list.length ? list : undefined;
      },
      15_000,
      `${id}'s recording to fail`,
    );
    // Non-retryable: no waiting out the retry window.
    expect(Date.now() - started).toBeLessThan(RETRY_WINDOW_MS);
    expect(failed).toMatchObject({ type: 'recording_constraint_violation', nonRetryable: true });
    expect(failed.message).toContain(id);
    expect(await failures()).toMatchObject({ constraint_violation: (before.constraint_violation ?? 0) + 1 });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await faults.allowHistory();
    expect((await move(id, 'interview')).status).toBe(200);
    await expectSqlMatchesWorkflow(stack, id);
  });

  test("a signal's transition whose SQL write keeps failing: the activity gives up after its window, visibly", async () => {
    const candidate = await stack.user('candidate');
    const id = await idOf(candidate);
    expect((await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} })).status).toBe(201);
    const before = await failures();
    await faults.block(id);
    await stack.services.temporal.workflow
      .getHandle(id)
      .signal(changeStageSignal, { applicationId: id, stage: 'screening', by: String(recruiter.user.id) });
    await pendingAttempt(id, 2);
    const [failed] = await eventually(
      async () => {
        const list = await failedActivities(id);
        return list.length ? list : undefined;
      },
      RETRY_WINDOW_MS + 15_000,
      `${id}'s recording to give up`,
    );
    expect(failed).toMatchObject({ type: 'recording_retries_exhausted', nonRetryable: true });
    expect(await failures()).toMatchObject({ retries_exhausted: (before.retries_exhausted ?? 0) + 1 });
    await faults.unblock(id);
    expect((await move(id, 'rejected')).status).toBe(200);
    await expectSqlMatchesWorkflow(stack, id);
  }, 40_000);

  test('constraint violations and refused values are told apart from failures that may pass', async () => {
    const em = stack.services.orm.em.fork();
    const error = (sql: string) =>
      em.execute(sql, [], 'run').then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(
      refusedData(
        await error(
          "insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values ('x', -1, -1, 'applied', 1, '', '')",
        ),
      ),
    ).toBe('constraint_violation');
    await em.execute('create table positive (x integer check (x > 0))', [], 'run');
    expect(refusedData(await error('insert into positive values (0)'))).toBe('constraint_violation');
    expect(refusedData(await error('select * from no_such_table'))).toBeNull();
    expect(refusedData(new Error('connection reset'))).toBeNull();
  });
});
