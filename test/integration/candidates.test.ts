import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * The hiring team sees who its candidates are: `candidate` on every application a caller may read,
 * the actor's name on each history entry, a candidate's page, and a search by name or e-mail.
 */
describe('candidates the team can see', () => {
  let stack: TestStack;
  let owner: Actor;
  let otherOwner: Actor;
  let outsider: Actor;
  let admin: Actor;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    [owner, otherOwner, outsider, admin] = [
      await stack.user('recruiter', { fullName: 'Rita Recruiter' }),
      await stack.user('recruiter'),
      await stack.user('recruiter'),
      await stack.user('admin'),
    ];
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const tag = () => randomUUID().slice(0, 8);
  async function newJob(by = owner): Promise<string> {
    const res = await stack.http('POST', '/api/jobs', { token: by.token, body: { title: 'Data Engineer', company: 'Names Inc' } });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  async function applied(jobId: string, who: Actor): Promise<string> {
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: who.token, body: {} });
    expect(res.status).toBe(201);
    return res.body.id;
  }
  const get = (path: string, who: Actor) => stack.http('GET', path, { token: who.token });
  const listed = async (who: Actor, query: string) => {
    const res = await get(`/api/applications${query}`, who);
    expect(res.status).toBe(200);
    return res.body.items as { id: string; candidate: unknown }[];
  };

  test('the candidate themself, admins and the hiring team read `candidate`, in single reads, lists and write answers', async () => {
    const name = `Ada ${tag()}`;
    const candidate = await stack.user('candidate', { fullName: name });
    const expected = { id: String(candidate.user.id), fullName: name, email: candidate.user.email };
    const jobId = await newJob();
    const apply = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(apply.status).toBe(201);
    expect(apply.body.candidate).toEqual(expected);
    const id = apply.body.id;
    for (const who of [candidate, admin, owner]) {
      expect((await get(`/api/applications/${id}`, who)).body.candidate).toEqual(expected);
      expect((await listed(who, `?jobId=${jobId}`)).map((a) => a.candidate)).toEqual([expected]);
    }
    expect((await get(`/api/applications/${id}`, outsider)).status).toBe(404);
    expect(await listed(outsider, `?jobId=${jobId}`)).toEqual([]);
  });

  test("each history entry names its actor: the recruiter who moved it, the candidate who applied, null for the system's", async () => {
    const candidate = await stack.user('candidate', { fullName: `Grace ${tag()}` });
    const id = await applied(await newJob(), candidate);
    const moved = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: owner.token, body: { stage: 'screening' } });
    expect(moved.status).toBe(200);
    const last = { to: 'screening', by: String(owner.user.id), byName: 'Rita Recruiter' };
    expect(moved.body.history.at(-1)).toMatchObject(last);
    const read = await get(`/api/applications/${id}`, owner);
    expect(read.body.history.at(-1)).toMatchObject(last);
    expect(read.body.history[0]).toMatchObject({ from: null, byName: read.body.history[0].by === null ? null : candidate.user.fullName });
    // The system's own transitions (an expired offer) name no one.
    await stack.services.orm.em
      .fork()
      .execute(
        `insert into stage_events (application_id, seq, from_stage, to_stage, at, actor, reason) values (?, 99, 'screening', 'rejected', ?, 'system', 'offer_expired')`,
        [id, new Date().toISOString()],
        'run',
      );
    const listedEntry = (await listed(owner, `?q=${encodeURIComponent(candidate.user.fullName!)}`))[0] as unknown as { history: unknown[] };
    expect(listedEntry.history.at(-2)).toMatchObject(last);
    expect(listedEntry.history.at(-1)).toMatchObject({ by: 'system', byName: null });
  });

  test('GET /api/candidates/{id}: admins see all applications, a team recruiter theirs, anyone else 404', async () => {
    const name = `Linus ${tag()}`;
    const candidate = await stack.user('candidate', { fullName: name });
    const [mine, theirs] = [await newJob(owner), await newJob(otherOwner)];
    const [onMine, onTheirs] = [await applied(mine, candidate), await applied(theirs, candidate)];
    const path = `/api/candidates/${candidate.user.id}`;

    const byAdmin = await get(path, admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ id: String(candidate.user.id), fullName: name, email: candidate.user.email });
    expect(byAdmin.body.applications.map((a: { id: string }) => a.id)).toEqual([onTheirs, onMine]);

    const byTeam = await get(path, owner);
    expect(byTeam.status).toBe(200);
    expect(byTeam.body.applications.map((a: { id: string }) => a.id)).toEqual([onMine]);
    expect(byTeam.body.applications[0].candidate).toEqual({ id: String(candidate.user.id), fullName: name, email: candidate.user.email });

    for (const [who, target] of [
      [outsider, path],
      [candidate, path],
      [admin, `/api/candidates/${owner.user.id}`],
      [admin, '/api/candidates/999999999'],
      [admin, '/api/candidates/not-an-id'],
    ] as const) {
      const res = await get(target, who);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'not_found' });
    }
    expect((await stack.http('GET', path)).status).toBe(401);
  });

  test('?q= finds applications by name or e-mail, case-insensitively, within what the caller may see', async () => {
    const unique = tag();
    const candidate = await stack.user('candidate', { fullName: `Barbara Liskov${unique}`, email: `bl-${unique}@names.example` });
    const other = await stack.user('candidate', { fullName: `Edsger ${unique}` });
    const jobId = await newJob();
    const id = await applied(jobId, candidate);
    const otherId = await applied(jobId, other);
    const ids = async (who: Actor, q: string) => (await listed(who, `?q=${encodeURIComponent(q)}`)).map((a) => a.id);

    expect(await ids(owner, `liskov${unique.toUpperCase()}`)).toEqual([id]);
    expect(await ids(admin, `BL-${unique}@NAMES`)).toEqual([id]);
    expect(await ids(owner, unique)).toEqual([otherId, id]);
    expect(await ids(outsider, unique)).toEqual([]);
    expect(await ids(candidate, unique)).toEqual([id]);
    expect(await ids(other, 'Liskov')).toEqual([]);
    expect((await get('/api/applications?q=', owner)).status).toBe(422);
  });

  test('?q= takes `%`, `_` and quotes as plain text, never as wildcards or SQL', async () => {
    const unique = tag();
    const plain = await stack.user('candidate', { fullName: `Plain ${unique}` });
    const percent = await stack.user('candidate', { fullName: `Hundred%_ ${unique}` });
    const jobId = await newJob();
    const plainId = await applied(jobId, plain);
    const percentId = await applied(jobId, percent);
    const ids = async (q: string) => (await listed(admin, `?jobId=${jobId}&q=${encodeURIComponent(q)}`)).map((a) => a.id);

    expect(await ids('%')).toEqual([percentId]);
    expect(await ids('_')).toEqual([percentId]);
    expect(await ids(`Plain_${unique}`)).toEqual([]);
    expect(await ids(`P%${unique}`)).toEqual([]);
    expect(await ids("' or 1=1 --")).toEqual([]);
    expect(await ids(unique)).toEqual([percentId, plainId]);
  });

  test('an erased candidate shows as the account does after erasure: no name, the erased address', async () => {
    const candidate = await stack.user('candidate', { fullName: `Erin ${tag()}` });
    const id = await applied(await newJob(), candidate);
    expect((await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token })).status).toBe(202);
    const erased = { id: String(candidate.user.id), fullName: null, email: `erased-${candidate.user.id}@invalid` };
    expect((await get(`/api/applications/${id}`, owner)).body.candidate).toEqual(erased);
    expect((await get(`/api/candidates/${candidate.user.id}`, admin)).body).toMatchObject(erased);
    expect(await listed(owner, `?q=${encodeURIComponent(candidate.user.fullName!)}`)).toEqual([]);
  });
});
