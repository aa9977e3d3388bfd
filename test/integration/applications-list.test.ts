import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/** Lists read the SQL projection: filters, ownership, keyset pages newest first. */
describe('listing applications', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let alice: Actor;
  let bob: Actor;
  const jobs: string[] = [];
  const applied: { id: string; jobId: string; owner: 'alice' | 'bob' }[] = [];

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    recruiter = await stack.user('recruiter');
    [alice, bob] = [await stack.user('candidate'), await stack.user('candidate')];
    for (let i = 0; i < 3; i++) jobs.push(String((await createJob(stack, recruiter.user.id)).id));
    // Alice applies to all three jobs, Bob to two; one of Alice's moves to screening.
    for (const [owner, actor, jobIds] of [
      ['alice', alice, jobs],
      ['bob', bob, jobs.slice(0, 2)],
    ] as const) {
      for (const jobId of jobIds) {
        const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: actor.token, body: {} });
        expect(res.status).toBe(201);
        applied.push({ id: res.body.id, jobId, owner });
      }
    }
    expect(
      (await stack.http('PATCH', `/api/applications/${applied[1].id}/stage`, { token: recruiter.token, body: { stage: 'screening' } }))
        .status,
    ).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const list = (token: string, query = '') => stack.http('GET', `/api/applications${query}`, { token });
  const newestFirst = (items: { id: string }[]) => [...items].reverse().map((a) => a.id);

  test("recruiters see every application of their teams' jobs, newest first, each with its history", async () => {
    const res = await list(recruiter.token);
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { id: string }) => a.id)).toEqual(newestFirst(applied));
    expect(res.body.nextCursor).toBeNull();
    const screened = res.body.items.find((a: { id: string }) => a.id === applied[1].id);
    expect(screened.history.map((h: { to: string }) => h.to)).toEqual(['applied', 'screening']);
    expect(screened).toMatchObject({ stage: 'screening', workflowId: applied[1].id, jobId: jobs[1], candidateId: String(alice.user.id) });
  });

  test('candidates see only their own', async () => {
    const res = await list(bob.token);
    expect(res.body.items.map((a: { id: string }) => a.id)).toEqual(newestFirst(applied.filter((a) => a.owner === 'bob')));
  });

  test('filters by job and by stage, alone and together', async () => {
    expect((await list(recruiter.token, `?jobId=${jobs[0]}`)).body.items.map((a: { id: string }) => a.id)).toEqual(
      newestFirst(applied.filter((a) => a.jobId === jobs[0])),
    );
    expect((await list(recruiter.token, '?stage=screening')).body.items.map((a: { id: string }) => a.id)).toEqual([applied[1].id]);
    expect((await list(recruiter.token, `?stage=screening&jobId=${jobs[0]}`)).body.items).toEqual([]);
    expect((await list(alice.token, `?jobId=${jobs[1]}`)).body.items.map((a: { id: string }) => a.id)).toEqual([applied[1].id]);
  });

  test('pages follow nextCursor to the end without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(recruiter.token, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((a: { id: string }) => a.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst(applied));
  });

  test('bad parameters are 422: a malformed stage id, limit out of range, a forged cursor, a bad job id', async () => {
    const forged = Buffer.from(JSON.stringify(['not a time', 'x'])).toString('base64url');
    for (const query of [
      '?stage=Not%20a%20stage',
      '?limit=0',
      '?limit=101',
      '?limit=abc',
      `?cursor=${forged}`,
      '?cursor=%%%',
      '?jobId=abc',
    ]) {
      const res = await list(recruiter.token, query);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 422, code: 'validation_failed' });
    }
    expect((await list(recruiter.token, '?limit=100')).status).toBe(200);
  });
});
