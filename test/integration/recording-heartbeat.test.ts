import Database from 'better-sqlite3';
import { sqliteFileFromUrl } from '../../src/config';
import type { TestStack } from '../support/stack';
import { startWorkerProcessStack, type WorkerProcessStack } from '../support/worker-process';
import { createJob, eventually } from '../support/applications';

/** PendingActivityState.STARTED: a worker holds the attempt. */
const STARTED = 2;

/**
 * The worker records the workflow's own transitions (here an offer's expiry) through an activity. A
 * worker killed while it holds that activity must not leave SQL behind for the activity's whole
 * start-to-close timeout (30 s): the activity heartbeats, so the server notices within its heartbeat
 * timeout (10 s) and a live worker records the transition.
 */
describe('a worker killed holding a recording activity', () => {
  let world: WorkerProcessStack;
  let stack: TestStack;
  beforeAll(async () => {
    world = await startWorkerProcessStack({ OFFER_EXPIRY_SECONDS: '2' });
    stack = world.stack;
  }, 60_000);
  afterAll(() => world?.close());
  const startWorkerProcess = () => world.start();

  test('is replaced within the heartbeat timeout, not the start-to-close one', async () => {
    const first = await startWorkerProcess();
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const job = await createJob(stack, recruiter.user.id);
    const applied = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    expect(applied.status).toBe(201);
    const id = applied.body.id as string;
    for (const stage of ['screening', 'interview', 'offer'])
      expect((await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } })).status).toBe(200);

    // SQL refuses writers meanwhile: the expiry's recording waits on the lock (SQLite's busy timeout)
    // when the worker holding it is killed.
    const lock = new Database(sqliteFileFromUrl(stack.config.database.url));
    lock.exec('begin immediate');
    let killedAt: number;
    try {
      const handle = stack.services.temporal.workflow.getHandle(id);
      await eventually(
        async () => ((await handle.describe()).raw.pendingActivities ?? []).some((a) => a.state === STARTED) || undefined,
        15_000,
        'the expiry recording held by the worker',
      );
      first.kill('SIGKILL');
      killedAt = Date.now();
    } finally {
      lock.exec('rollback');
      lock.close();
    }
    await startWorkerProcess();
    await eventually(
      async () => {
        const res = await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token });
        return res.body.stage === 'rejected' || undefined;
      },
      45_000,
      'the expired offer in SQL',
    );
    const lag = Date.now() - killedAt!;
    expect(lag).toBeLessThan(20_000);
  }, 90_000);
});
