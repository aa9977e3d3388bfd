import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows, createJob, eventually, expectSqlMatchesWorkflow, queryState, type Actor } from '../support/applications';
import { startStack, type TestStack } from '../support/stack';
import { dialectOf } from '../../src/db/dialect';
import { parseApplicationId } from '../../src/domain/ids';
import { reconcileApplications } from '../../src/applications/reconcile';

/**
 * Application ids carry a random part drawn by the database that claims the (job, candidate) pair,
 * so a database that hands the same SQL ids out again (replaced, or restored from a backup) never
 * names a workflow of the one before it.
 */
describe('application ids across databases', () => {
  let bundle: WorkflowBundleWithSourceMap;
  const stacks: TestStack[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const stack = await startStack(env, { worker: { workflowBundle: bundle } });
    stacks.push(stack);
    return stack;
  };

  beforeAll(async () => {
    bundle = await bundleWorkflows();
  }, 60_000);
  afterAll(async () => {
    for (const stack of stacks) await stack.close();
  });

  /** The next row of `table` gets id `next`, as in a database restored to before that id was given out. */
  const nextId = async (stack: TestStack, table: 'users' | 'jobs', next: number) => {
    const connection = stack.services.orm.em.getConnection();
    if (dialectOf(stack.services.orm.em).name === 'sqlite')
      await connection.execute('update sqlite_sequence set seq = ? where name = ?', [next - 1, table]);
    else await connection.execute("select setval(pg_get_serial_sequence(?, 'id'), ?)", [table, next - 1]);
  };
  const apply = (stack: TestStack, jobId: number, candidate: Actor) =>
    stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter: 'Hello' } });
  const move = (stack: TestStack, id: string, recruiter: Actor, stage: string) =>
    stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
  const claims = (stack: TestStack, jobId: number) =>
    stack.services.orm.em
      .fork()
      .execute<{ workflowId: string }[]>('select workflow_id as "workflowId" from application_claims where job_id = ?', [jobId], 'all');

  test('a replaced database gives the same job and candidate ids a new application, which moves alone; reconcile lists the earlier workflow and leaves it', async () => {
    const first = await start();
    const recruiter = await first.user('recruiter');
    const job = await createJob(first, recruiter.user.id);
    const candidate = await first.user('candidate');
    const applied = await apply(first, job.id, candidate);
    expect(applied.status).toBe(201);
    const earlier: string = applied.body.id;
    // The database goes; Temporal keeps its workflow, and the next deployment serves the same task queue.
    await first.close();
    stacks.splice(stacks.indexOf(first), 1);

    const second = await start({ TEMPORAL_TASK_QUEUE: first.config.temporal.taskQueue });
    await nextId(second, 'users', recruiter.user.id);
    await nextId(second, 'jobs', job.id);
    const recruiterAgain = await second.user('recruiter');
    const jobAgain = await createJob(second, recruiterAgain.user.id);
    const candidateAgain = await second.user('candidate');
    expect([recruiterAgain.user.id, jobAgain.id, candidateAgain.user.id]).toEqual([recruiter.user.id, job.id, candidate.user.id]);

    const reapplied = await apply(second, jobAgain.id, candidateAgain);
    expect({ status: reapplied.status, code: reapplied.body.code }).toEqual({ status: 201, code: undefined });
    const id: string = reapplied.body.id;
    expect(id).not.toBe(earlier);
    expect(parseApplicationId(id)).toEqual(parseApplicationId(earlier));

    expect((await move(second, id, recruiterAgain, 'screening')).status).toBe(200);
    expect((await expectSqlMatchesWorkflow(second, id)).stage).toBe('screening');
    expect(await queryState(second, earlier)).toMatchObject({ stage: 'applied', seq: 1 });
    // The earlier id, whose job and candidate mean other people here, names nothing in this database.
    expect((await move(second, earlier, recruiterAgain, 'rejected')).status).toBe(404);
    expect((await second.http('GET', `/api/applications/${earlier}`, { token: recruiterAgain.token })).status).toBe(404);
    expect(await queryState(second, earlier)).toMatchObject({ stage: 'applied', seq: 1 });

    const deps = {
      orm: second.services.orm,
      temporal: second.services.temporal,
      taskQueue: second.config.temporal.taskQueue,
      payloadKeys: second.config.auth.payloadKeys,
    };
    // Visibility is eventually consistent: wait until the list shows both workflows.
    const report = await eventually(
      async () => {
        const r = await reconcileApplications(deps);
        return r.checked + r.unclaimed.length === 2 ? r : undefined;
      },
      30_000,
      'both workflows to be listed',
    );
    expect(report).toEqual({ checked: 1, differences: [], repaired: 0, unreadable: [], unclaimed: [earlier] });
    expect(await second.services.orm.em.fork().execute('select id from applications order by id', [], 'all')).toEqual([{ id }]);
    expect(await queryState(second, earlier)).toMatchObject({ stage: 'applied', seq: 1 });
  }, 120_000);

  describe('within one database', () => {
    let stack: TestStack;
    let recruiter: Actor;
    beforeAll(async () => {
      stack = await start();
      recruiter = await stack.user('recruiter');
    }, 60_000);

    test("a claim whose workflow never started is the retry's id, and a second apply is still 409", async () => {
      const job = await createJob(stack, recruiter.user.id);
      const candidate = await stack.user('candidate');
      // What an apply that failed between its claim and its start leaves behind.
      const claimed = `application-job${job.id}-candidate${candidate.user.id}-aaaaaaaaaa`;
      await stack.services.orm.em
        .fork()
        .execute(
          'insert into application_claims (job_id, candidate_id, workflow_id, created_at) values (?, ?, ?, ?)',
          [job.id, candidate.user.id, claimed, new Date().toISOString()],
          'run',
        );
      const applied = await apply(stack, job.id, candidate);
      expect({ status: applied.status, id: applied.body.id }).toEqual({ status: 201, id: claimed });
      const again = await apply(stack, job.id, candidate);
      expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: 'duplicate_application' });
      expect(await claims(stack, job.id)).toEqual([{ workflowId: claimed }]);
    });

    test('an id from before the random part (claimed by the migration, or with only its row) still reads and moves', async () => {
      const job = await createJob(stack, recruiter.user.id);
      const candidate = await stack.user('candidate');
      // The migration claims every existing application under the id it has.
      const old = `application-job${job.id}-candidate${candidate.user.id}`;
      await stack.services.orm.em
        .fork()
        .execute(
          'insert into application_claims (job_id, candidate_id, workflow_id, created_at) values (?, ?, ?, ?)',
          [job.id, candidate.user.id, old, new Date().toISOString()],
          'run',
        );
      expect((await apply(stack, job.id, candidate)).body.id).toBe(old);
      expect((await move(stack, old, recruiter, 'screening')).status).toBe(200);
      // Without its claim, its row still makes it this database's.
      await stack.services.orm.em.fork().execute('delete from application_claims where workflow_id = ?', [old], 'run');
      expect((await move(stack, old, recruiter, 'interview')).status).toBe(200);
      const read = await stack.http('GET', `/api/applications/${old}`, { token: candidate.token });
      expect(read.body).toMatchObject({ id: old, stage: 'interview' });
      const list = await stack.http('GET', `/api/applications?jobId=${job.id}&limit=1`, { token: recruiter.token });
      expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([old]);
      expect((await expectSqlMatchesWorkflow(stack, old)).stage).toBe('interview');
    });

    test('list cursors carry ids with the random part', async () => {
      const job = await createJob(stack, recruiter.user.id);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await apply(stack, job.id, await stack.user('candidate'))).body.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await stack.http(
          'GET',
          `/api/applications?jobId=${job.id}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token: recruiter.token },
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((a) => a.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(ids.sort());
    });
  });
});
