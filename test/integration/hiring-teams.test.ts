import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, sqlHistory } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * Hiring teams decide who sees and moves a job's applications: the creator from the start, others
 * once an admin or a `recruiter` member adds them. Everyone else gets 404, as candidates do.
 * (What each team role may do is test/integration/team-roles.test.ts.)
 */
describe('hiring teams', () => {
  let stack: TestStack;
  let owner: Actor;
  let outsider: Actor;
  let admin: Actor;
  let candidate: Actor;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    [owner, outsider, admin, candidate] = [
      await stack.user('recruiter'),
      await stack.user('recruiter'),
      await stack.user('admin'),
      await stack.user('candidate'),
    ];
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** A job created through the API, so the creator's membership comes from job creation itself. */
  async function newJob(status: 'open' | 'draft' = 'open', by = owner): Promise<string> {
    const res = await stack.http('POST', '/api/jobs', {
      token: by.token,
      body: { title: 'Platform Engineer', company: 'Teamwork', status },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function applied(jobId: string, who = candidate): Promise<string> {
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: who.token, body: {} });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  const team = (jobId: string, token: string) => stack.http('GET', `/api/jobs/${jobId}/team`, { token });
  const add = (jobId: string, userId: unknown, token = owner.token) =>
    stack.http('POST', `/api/jobs/${jobId}/team`, { token, body: { userId } });
  const remove = (jobId: string, userId: string | number, token = owner.token) =>
    stack.http('DELETE', `/api/jobs/${jobId}/team/${userId}`, { token });
  const get = (id: string, who: Actor) => stack.http('GET', `/api/applications/${id}`, { token: who.token });
  const move = (id: string, stage: string, who: Actor) =>
    stack.http('PATCH', `/api/applications/${id}/stage`, { token: who.token, body: { stage } });
  const listed = async (who: Actor, query = '') => {
    const res = await stack.http('GET', `/api/applications${query}`, { token: who.token });
    expect(res.status).toBe(200);
    return res.body.items.map((a: { id: string }) => a.id);
  };
  const memberIds = async (jobId: string) => (await team(jobId, admin.token)).body.items.map((u: { id: string }) => u.id);

  /** What a recruiter outside the team gets: nothing, and no sign the application exists. */
  async function expectHidden(id: string, jobId: string, who: Actor) {
    const read = await get(id, who);
    expect({ status: read.status, code: read.body.code }).toEqual({ status: 404, code: 'not_found' });
    expect((await move(id, 'rejected', who)).status).toBe(404);
    expect(await listed(who)).not.toContain(id);
    expect(await listed(who, `?jobId=${jobId}`)).toEqual([]);
  }

  test('a recruiter outside the team gets 404 and an empty list; added by the creator they see and move; removed, 404 again', async () => {
    const jobId = await newJob();
    const id = await applied(jobId);
    const historyBefore = (await sqlHistory(stack, id)).length;

    await expectHidden(id, jobId, outsider);
    expect(await sqlHistory(stack, id)).toHaveLength(historyBefore);
    expect(await listed(outsider)).toEqual([]);
    expect((await get(id, owner)).status).toBe(200);

    const added = await add(jobId, String(outsider.user.id));
    expect(added.status).toBe(201);
    // Staff know each other by name; an address only admins and its owner see.
    expect(added.body.user).toMatchObject({ id: String(outsider.user.id), role: 'recruiter', email: '', teamRole: 'recruiter' });
    expect(Date.parse(added.body.user.addedAt)).not.toBeNaN();
    expect(added.body.user).not.toHaveProperty('passwordHash');
    // Adding again changes nothing and says so with 200.
    expect((await add(jobId, String(outsider.user.id))).status).toBe(200);
    expect(await memberIds(jobId)).toEqual([String(owner.user.id), String(outsider.user.id)]);

    expect((await get(id, outsider)).status).toBe(200);
    const moved = await move(id, 'screening', outsider);
    expect(moved.status).toBe(200);
    expect(moved.body.history.at(-1)).toMatchObject({ to: 'screening', by: String(outsider.user.id) });
    expect(await listed(outsider)).toEqual([id]);
    expect(await listed(outsider, `?jobId=${jobId}`)).toEqual([id]);
    const members = await team(jobId, outsider.token);
    expect(members.status).toBe(200);
    expect(members.body.items.map((u: { id: string }) => u.id)).toEqual([String(owner.user.id), String(outsider.user.id)]);

    expect((await remove(jobId, outsider.user.id)).status).toBe(204);
    await expectHidden(id, jobId, outsider);
    expect((await team(jobId, outsider.token)).status).toBe(403);
    expect((await remove(jobId, outsider.user.id)).status).toBe(204);
    expect(await memberIds(jobId)).toEqual([String(owner.user.id)]);
  });

  test("a recruiter's list holds their teams' jobs only, whatever the filters", async () => {
    const theirs = await newJob('open', outsider);
    const mine = await newJob();
    const [inTheirs, inMine] = [await applied(theirs), await applied(mine)];
    expect(await listed(outsider)).toContain(inTheirs);
    expect(await listed(outsider)).not.toContain(inMine);
    expect(await listed(outsider, '?stage=applied')).not.toContain(inMine);
    expect(await listed(outsider, `?jobId=${mine}&stage=applied`)).toEqual([]);
    expect(await listed(owner, `?jobId=${theirs}`)).toEqual([]);
    expect(await listed(owner, `?jobId=${mine}`)).toEqual([inMine]);
  });

  test('admins see and move every application, and manage every team', async () => {
    const jobId = await newJob();
    const id = await applied(jobId);
    expect((await get(id, admin)).status).toBe(200);
    expect(await listed(admin, `?jobId=${jobId}`)).toEqual([id]);
    expect((await move(id, 'screening', admin)).status).toBe(200);
    expect((await add(jobId, outsider.user.id, admin.token)).status).toBe(201);
    expect((await get(id, outsider)).status).toBe(200);
    expect((await remove(jobId, outsider.user.id, admin.token)).status).toBe(204);
    expect((await get(id, outsider)).status).toBe(404);
  });

  test('admins and the recruiter members manage a team: other team roles and recruiters off the team get 403', async () => {
    const jobId = await newJob();
    const [third, fourth, manager] = [await stack.user('recruiter'), await stack.user('recruiter'), await stack.user('hiring_manager')];
    expect((await add(jobId, outsider.user.id)).status).toBe(201);
    expect(
      (
        await stack.http('POST', `/api/jobs/${jobId}/team`, {
          token: owner.token,
          body: { userId: fourth.user.id, teamRole: 'interviewer' },
        })
      ).status,
    ).toBe(201);
    expect((await add(jobId, manager.user.id)).status).toBe(201);
    for (const who of [third, fourth, manager]) {
      expect((await add(jobId, third.user.id, who.token)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
      expect((await remove(jobId, outsider.user.id, who.token)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    }
    expect((await team(jobId, third.token)).body).toMatchObject({ status: 403, code: 'not_on_team' });
    // Who asks is checked before the body: a bad body from someone who may not manage the team is a 403 too.
    for (const [method, path] of [
      ['POST', `/api/jobs/${jobId}/team`],
      ['PATCH', `/api/jobs/${jobId}/team/${outsider.user.id}`],
    ]) {
      expect((await stack.http(method, path, { token: third.token, body: { userId: null, teamRole: 'boss' } })).status).toBe(403);
    }
    // Every member reads the team, whatever their team role; a recruiter member (not only the creator) manages it.
    for (const who of [outsider, fourth, manager]) expect((await team(jobId, who.token)).status).toBe(200);
    expect((await add(jobId, third.user.id, outsider.token)).status).toBe(201);
    expect((await remove(jobId, third.user.id, outsider.token)).status).toBe(204);
    expect(await memberIds(jobId)).toEqual([
      String(owner.user.id),
      String(outsider.user.id),
      String(fourth.user.id),
      String(manager.user.id),
    ]);
  });

  test('candidates cannot manage teams: 403 on an open job, 404 on one they cannot see; anonymous callers 401', async () => {
    const open = await newJob();
    const draft = await newJob('draft');
    for (const [jobId, status] of [
      [open, 403],
      [draft, 404],
      ['999999999', 404],
    ] as const) {
      expect((await team(jobId, candidate.token)).status).toBe(status);
      expect((await add(jobId, candidate.user.id, candidate.token)).status).toBe(status);
      expect((await remove(jobId, owner.user.id, candidate.token)).status).toBe(status);
    }
    expect((await stack.http('GET', `/api/jobs/${open}/team`)).status).toBe(401);
    expect((await stack.http('POST', `/api/jobs/${open}/team`, { body: { userId: candidate.user.id } })).status).toBe(401);
    expect(await memberIds(open)).toEqual([String(owner.user.id)]);
  });

  test('only staff join a team: 422 for a candidate, an unknown or inactive user, and nothing changes', async () => {
    const jobId = await newJob();
    const inactive = await stack.user('recruiter');
    const em = stack.services.orm.em.fork();
    await em.execute('update users set active = false where id = ?', [inactive.user.id], 'run');
    for (const userId of [candidate.user.id, '999999999999', 'abc', '1\u00002', inactive.user.id]) {
      const res = await add(jobId, userId);
      expect({ userId, status: res.status, code: res.body.code, path: res.body.errors?.[0]?.path }).toEqual({
        userId,
        status: 422,
        code: 'validation_failed',
        path: 'userId',
      });
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    for (const body of [{}, { userId: null }, { userId: '1', role: 'admin' }, { userId: String(outsider.user.id), teamRole: 'owner' }]) {
      expect((await stack.http('POST', `/api/jobs/${jobId}/team`, { token: owner.token, body })).status).toBe(422);
    }
    expect(await memberIds(jobId)).toEqual([String(owner.user.id)]);
  });

  test('adding user ids reveals no address: one 422 for anything but an active staff member, and e-mails in team answers for admins and their owners only', async () => {
    const jobId = await newJob();
    const colleague = await stack.user('recruiter');
    const inactive = await stack.user('recruiter');
    const inactiveManager = await stack.user('hiring_manager');
    const em = stack.services.orm.em.fork();
    for (const who of [inactive, inactiveManager]) await em.execute('update users set active = false where id = ?', [who.user.id], 'run');
    const answers = [];
    for (const userId of [candidate.user.id, inactiveManager.user.id, inactive.user.id, '999999999999']) {
      const res = await add(jobId, String(userId));
      expect(res.status).toBe(422);
      expect(res.text).not.toMatch(/@/);
      answers.push(JSON.stringify({ status: res.body.status, code: res.body.code, detail: res.body.detail, errors: res.body.errors }));
    }
    // Nothing in the answer tells a candidate from an inactive account or no account at all.
    expect(new Set(answers).size).toBe(1);
    const added = await add(jobId, String(colleague.user.id));
    expect(added.status).toBe(201);
    expect(added.body.user.email).toBe('');
    const seen = async (token: string) =>
      (await stack.http('GET', `/api/jobs/${jobId}/team`, { token })).body.items.map((m: { id: string; email: string }) => [m.id, m.email]);
    expect(await seen(owner.token)).toEqual([
      [String(owner.user.id), owner.user.email],
      [String(colleague.user.id), ''],
    ]);
    expect(await seen(colleague.token)).toEqual([
      [String(owner.user.id), ''],
      [String(colleague.user.id), colleague.user.email],
    ]);
    expect(await seen(admin.token)).toEqual([
      [String(owner.user.id), owner.user.email],
      [String(colleague.user.id), colleague.user.email],
    ]);
    expect((await add(jobId, String(colleague.user.id), admin.token)).body.user.email).toBe(colleague.user.email);
  });

  test('the creator stays on the team: removing them is 409, for the creator and admins alike', async () => {
    const jobId = await newJob();
    for (const token of [owner.token, admin.token]) {
      const res = await remove(jobId, owner.user.id, token);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'team_creator' });
    }
    expect(await memberIds(jobId)).toEqual([String(owner.user.id)]);
    expect((await team(jobId, owner.token)).status).toBe(200);
  });

  test('recruiter team members change and delete the job; other team roles and recruiters off the team get 403', async () => {
    const jobId = await newJob();
    const interviewer = await stack.user('recruiter');
    const patch = (who: Actor) =>
      stack.http('PATCH', `/api/jobs/${jobId}`, { token: who.token, body: { location: `Office of ${who.user.id}` } });
    const del = (who: Actor) => stack.http('DELETE', `/api/jobs/${jobId}`, { token: who.token });
    expect((await patch(outsider)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    expect((await del(outsider)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    expect(
      (
        await stack.http('POST', `/api/jobs/${jobId}/team`, {
          token: owner.token,
          body: { userId: interviewer.user.id, teamRole: 'interviewer' },
        })
      ).status,
    ).toBe(201);
    expect((await patch(interviewer)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    expect((await del(interviewer)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    expect((await add(jobId, outsider.user.id)).status).toBe(201);
    expect((await patch(outsider)).status).toBe(200);
    expect((await del(outsider)).status).toBe(204);
    // The team goes with its job.
    const rows = await stack.services.orm.em.fork().execute('select * from job_team_members where job_id = ?', [Number(jobId)], 'all');
    expect(rows).toEqual([]);
  });

  test('the team operations and every answer they give are in /openapi.json', async () => {
    const { body } = await stack.http('GET', '/openapi.json');
    const statuses = (op: { responses: Record<string, unknown> } | undefined) => Object.keys(op?.responses ?? {}).sort();
    expect(statuses(body.paths['/api/jobs/{id}/team']?.get)).toEqual(['200', '401', '403', '404', '405', '422', '500']);
    expect(statuses(body.paths['/api/jobs/{id}/team']?.post)).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '404',
      '405',
      '413',
      '415',
      '422',
      '500',
    ]);
    expect(statuses(body.paths['/api/jobs/{id}/team/{userId}']?.delete)).toEqual(['204', '401', '403', '404', '405', '409', '422', '500']);
    expect(statuses(body.paths['/api/jobs/{id}/team/{userId}']?.patch)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '405',
      '409',
      '413',
      '415',
      '422',
      '500',
    ]);
  });
});
