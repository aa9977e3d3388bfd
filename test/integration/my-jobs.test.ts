import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * `GET /api/jobs?mine=true`: staff get the jobs on whose hiring team they are (admins every job), each
 * with its running applications counted per stage; anonymous callers and candidates keep the job board.
 */
describe('my jobs', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let other: Actor;
  let admin: Actor;
  let candidate: Actor;
  const company = `Mine ${randomUUID().slice(0, 8)}`;
  const jobs: Record<'mineOpen' | 'mineClosed' | 'notMine', string> = { mineOpen: '', mineClosed: '', notMine: '' };

  const create = async (who: Actor, title: string, status = 'open') => {
    const res = await stack.http('POST', '/api/jobs', { token: who.token, body: { title, company, status } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  // The counts read the SQL projection only, so its rows are written as the workflow would leave them.
  const place = async (jobId: string, stage: string) => {
    const now = new Date().toISOString();
    await stack.services.orm.em
      .fork()
      .getConnection()
      .execute(
        'insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values (?, ?, ?, ?, 1, ?, ?)',
        [randomUUID(), Number(jobId), candidate.user.id, stage, now, now],
        'run',
      );
  };
  const list = async (query: string, who?: Actor) => {
    const res = await stack.http('GET', `/api/jobs${query}`, { token: who?.token });
    expect(res.status).toBe(200);
    return res.body as {
      items: { id: string; title: string; status: string; counts?: Record<string, number> | null }[];
      nextCursor: string | null;
    };
  };

  beforeAll(async () => {
    stack = await startStack();
    [recruiter, other, admin, candidate] = await Promise.all([
      stack.user('recruiter'),
      stack.user('recruiter'),
      stack.user('admin'),
      stack.user('candidate'),
    ]);
    jobs.mineOpen = await create(recruiter, 'Backend Engineer');
    jobs.notMine = await create(other, 'Designer');
    // On this one's team by being added to it, not by creating it.
    jobs.mineClosed = await create(other, 'Data Analyst', 'closed');
    const added = await stack.http('POST', `/api/jobs/${jobs.mineClosed}/team`, {
      token: other.token,
      body: { userId: String(recruiter.user.id) },
    });
    expect(added.status).toBe(201);
    for (const stage of ['applied', 'applied', 'screening', 'offer', 'rejected', 'hired']) await place(jobs.mineOpen, stage);
    await place(jobs.mineClosed, 'interview');
    await place(jobs.notMine, 'applied');
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  test('a recruiter gets the jobs on whose team they are, each with its running applications per stage', async () => {
    const page = await list(`?mine=true&q=${encodeURIComponent(company)}`, recruiter);
    expect(page.items.map((j) => j.id)).toEqual([jobs.mineClosed, jobs.mineOpen]);
    const [closed, open] = page.items;
    expect(open.counts).toEqual({ applied: 2, screening: 1, interview: 0, offer: 1 });
    expect(closed.counts).toEqual({ applied: 0, screening: 0, interview: 1, offer: 0 });
  });

  test('an admin gets every job, with counts', async () => {
    const page = await list(`?mine=true&q=${encodeURIComponent(company)}`, admin);
    expect(page.items.map((j) => j.id)).toEqual([jobs.mineClosed, jobs.notMine, jobs.mineOpen]);
    expect(page.items.find((j) => j.id === jobs.notMine)!.counts).toEqual({ applied: 1, screening: 0, interview: 0, offer: 0 });
  });

  test('anonymous callers and candidates: `mine` is ignored, they see the open jobs without counts', async () => {
    for (const who of [undefined, candidate]) {
      const page = await list(`?mine=true&q=${encodeURIComponent(company)}`, who);
      expect(page.items.map((j) => j.id)).toEqual([jobs.notMine, jobs.mineOpen]);
      expect(page.items.every((j) => !('counts' in j))).toBe(true);
    }
  });

  test('without `mine=true` nothing changes: every job, no counts', async () => {
    for (const query of ['', '&mine=false']) {
      const page = await list(`?q=${encodeURIComponent(company)}${query}`, recruiter);
      expect(page.items.map((j) => j.id)).toEqual([jobs.mineClosed, jobs.notMine, jobs.mineOpen]);
      expect(page.items.every((j) => !('counts' in j))).toBe(true);
    }
  });

  test('the other filters and the cursor combine with `mine`', async () => {
    const q = `&q=${encodeURIComponent(company)}`;
    expect((await list(`?mine=true&status=open${q}`, recruiter)).items.map((j) => j.id)).toEqual([jobs.mineOpen]);
    expect((await list(`?mine=true&status=closed${q}`, recruiter)).items.map((j) => j.id)).toEqual([jobs.mineClosed]);
    expect((await list(`?mine=true&q=designer`, recruiter)).items).toEqual([]);
    const { items: companies } = (await stack.http('GET', `/api/companies?q=${encodeURIComponent(company)}`)).body;
    expect((await list(`?mine=true&companyId=${companies[0].id}`, recruiter)).items.map((j) => j.id)).toEqual([
      jobs.mineClosed,
      jobs.mineOpen,
    ]);
    const first = await list(`?mine=true&limit=1${q}`, recruiter);
    expect(first.items.map((j) => j.id)).toEqual([jobs.mineClosed]);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`?mine=true&limit=1&cursor=${first.nextCursor}${q}`, recruiter);
    expect(second.items.map((j) => j.id)).toEqual([jobs.mineOpen]);
    expect(second.items[0].counts).toEqual({ applied: 2, screening: 1, interview: 0, offer: 1 });
    expect(second.nextCursor).toBeNull();
  });

  test('`mine` takes only true or false (422)', async () => {
    const res = await stack.http('GET', '/api/jobs?mine=yes', { token: recruiter.token });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
  });
});
