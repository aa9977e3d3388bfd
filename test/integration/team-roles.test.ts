import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startStack, testDatabase, testEnv, type TestStack } from '../support/stack';
import { bundleWorkflows } from '../support/applications';
import { responseValidator } from '../support/openapi-validator';
import { migrateUp, openOrm } from '../../src/db/orm';
import { loadConfig } from '../../src/config';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * Team roles (API.md "Roles"): rights on a job's applications come from the team role only, admins
 * aside. A `recruiter` runs the job; a `hiring_manager` reads and writes notes but moves nothing and
 * edits nothing; an `interviewer` sees only the applications they interview. The global role
 * `hiring_manager` is staff who may never be a `recruiter`.
 */
describe('team roles', () => {
  let stack: TestStack;
  let creator: Actor;
  let admin: Actor;
  let manager: Actor;
  let interviewer: Actor;
  let offTeam: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    [creator, admin, manager, interviewer, offTeam] = [
      await stack.user('recruiter'),
      await stack.user('admin'),
      await stack.user('hiring_manager'),
      await stack.user('recruiter'),
      await stack.user('recruiter'),
    ];
    expectDocumented = await responseValidator(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const call = async (method: string, template: string, pathValue: string, who: Actor | undefined, body?: unknown, headers = {}) => {
    const res = await stack.http(method, pathValue, { token: who?.token, body, headers });
    expectDocumented(method, template, res);
    return res;
  };
  const addMember = (jobId: string, userId: number, teamRole: string | undefined, by: Actor = creator) =>
    call('POST', '/api/jobs/{id}/team', `/api/jobs/${jobId}/team`, by, { userId: String(userId), ...(teamRole && { teamRole }) });
  const setRole = (jobId: string, userId: number, teamRole: string, by: Actor = creator) =>
    call('PATCH', '/api/jobs/{id}/team/{userId}', `/api/jobs/${jobId}/team/${userId}`, by, { teamRole });
  const read = (id: string, who: Actor) => call('GET', '/api/applications/{id}', `/api/applications/${id}`, who);
  const move = (id: string, stage: string, who: Actor, headers = {}) =>
    call('PATCH', '/api/applications/{id}/stage', `/api/applications/${id}/stage`, who, { stage }, headers);
  const listed = async (who: Actor, query = '') => {
    const res = await call('GET', '/api/applications', `/api/applications${query}`, who);
    expect(res.status).toBe(200);
    return res.body.items.map((a: { id: string }) => a.id) as string[];
  };
  const candidateOf = (candidateId: string, who: Actor) => call('GET', '/api/candidates/{id}', `/api/candidates/${candidateId}`, who);
  const notes = (id: string, who: Actor) => call('GET', '/api/applications/{id}/notes', `/api/applications/${id}/notes`, who);
  const writeNote = (id: string, who: Actor) =>
    call('POST', '/api/applications/{id}/notes', `/api/applications/${id}/notes`, who, { body: `From ${who.user.id}` });
  const myJobs = async (who: Actor, jobId: string) => {
    const res = await call('GET', '/api/jobs', `/api/jobs?mine=true&limit=100`, who);
    expect(res.status).toBe(200);
    return (res.body.items as { id: string; counts: Record<string, number> | null }[]).find((j) => j.id === jobId);
  };

  /** A job of the creator's, through the API, with one application from each of `applicants` fresh candidates. */
  async function jobWithApplications(applicants = 1): Promise<{ jobId: string; ids: string[]; candidateIds: string[] }> {
    const job = await call('POST', '/api/jobs', '/api/jobs', creator, {
      title: 'Staff Engineer',
      company: `Roles ${randomUUID().slice(0, 8)}`,
    });
    expect(job.status).toBe(201);
    const ids: string[] = [];
    const candidateIds: string[] = [];
    for (let i = 0; i < applicants; i++) {
      const candidate = await stack.user('candidate');
      const applied = await stack.http('POST', `/api/jobs/${job.body.id}/apply`, { token: candidate.token, body: {} });
      expect(applied.status).toBe(201);
      ids.push(applied.body.id);
      candidateIds.push(String(candidate.user.id));
    }
    return { jobId: job.body.id, ids, candidateIds };
  }

  /** An interview with `who` as its interviewer, written as the interview API would leave it in SQL. */
  async function interviewOn(applicationId: string, who: Actor): Promise<void> {
    const id = `interview-${randomUUID()}`;
    const now = new Date().toISOString();
    const conn = stack.services.orm.em.fork().getConnection();
    await conn.execute(
      `insert into interviews (id, application_id, title, starts_at, ends_at, status, created_by, created_at, updated_at)
        values (?, ?, 'Onsite', ?, ?, 'scheduled', ?, ?, ?)`,
      [id, applicationId, now, now, creator.user.id, now, now],
      'run',
    );
    await conn.execute('insert into interview_interviewers (interview_id, user_id) values (?, ?)', [id, who.user.id], 'run');
  }

  test('admins create hiring managers, who sign in and are staff but no recruiters; sign-up still makes only candidates', async () => {
    const email = `manager-${randomUUID().slice(0, 8)}@example.com`;
    const created = await call('POST', '/api/users', '/api/users', admin, { email, password: 'manager-password', role: 'hiring_manager' });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email, role: 'hiring_manager', active: true });
    const login = await call('POST', '/api/auth/login', '/api/auth/login', undefined, { email, password: 'manager-password' });
    expect(login.status).toBe(200);
    const me = await stack.http('GET', '/api/auth/me', { token: login.body.access_token });
    expect(me.body.user).toMatchObject({ email, role: 'hiring_manager' });

    const signup = await call('POST', '/api/auth/signup', '/api/auth/signup', undefined, {
      email: `x-${email}`,
      password: 'manager-password',
      role: 'hiring_manager',
    });
    expect(signup.status).toBe(403);

    // Staff, not recruiters: no jobs, no companies, no queue dashboard; the codec server and "my jobs" are theirs.
    expect((await call('POST', '/api/jobs', '/api/jobs', manager, { title: 'Nope', company: 'Nope' })).status).toBe(403);
    expect((await call('POST', '/api/companies', '/api/companies', manager, { name: `Nope ${randomUUID()}` })).status).toBe(403);
    expect((await stack.http('GET', '/admin/queues', { token: manager.token })).status).toBe(403);
    expect((await call('POST', '/codec/decode', '/codec/decode', manager, { payloads: [] })).status).toBe(200);
    expect((await stack.http('POST', '/codec/session', { token: manager.token })).status).toBe(204);
    expect((await call('GET', '/api/jobs', '/api/jobs?mine=true', manager)).status).toBe(200);

    const patched = await call('PATCH', '/api/users/{id}', `/api/users/${created.body.user.id}`, admin, { role: 'recruiter' });
    expect(patched.body.user.role).toBe('recruiter');
  });

  test('a hiring manager on the team reads the application, its candidate and notes, writes a note; no stage moves, no job edits', async () => {
    const { jobId, ids, candidateIds } = await jobWithApplications();
    const [id] = ids;
    expect((await read(id, manager)).status).toBe(404);
    const added = await addMember(jobId, manager.user.id, undefined);
    expect(added.status).toBe(201);
    expect(added.body.user).toMatchObject({ id: String(manager.user.id), role: 'hiring_manager', teamRole: 'hiring_manager', email: '' });

    expect((await read(id, manager)).body).toMatchObject({ id, candidate: { id: candidateIds[0] } });
    expect(await listed(manager, `?jobId=${jobId}`)).toEqual([id]);
    expect(await listed(manager)).toContain(id);
    expect((await candidateOf(candidateIds[0], manager)).body.applications.map((a: { id: string }) => a.id)).toEqual([id]);
    expect((await writeNote(id, manager)).status).toBe(201);
    expect((await notes(id, manager)).body.items.map((n: { author: { id: string } }) => n.author.id)).toEqual([String(manager.user.id)]);
    expect((await call('GET', '/api/jobs/{id}/team', `/api/jobs/${jobId}/team`, manager)).status).toBe(200);

    const moved = await move(id, 'screening', manager);
    expect({ status: moved.status, code: moved.body.code }).toEqual({ status: 403, code: 'team_role_forbids' });
    expect((await read(id, manager)).body.stage).toBe('applied');
    expect((await call('PATCH', '/api/jobs/{id}', `/api/jobs/${jobId}`, manager, { location: 'Elsewhere' })).status).toBe(403);
    expect((await myJobs(manager, jobId))?.counts).toEqual({ applied: 1, screening: 0, interview: 0, offer: 0 });

    // A hiring manager off the team: the 404 anyone off the team gets, not a 403 that says it exists.
    const other = await stack.user('hiring_manager');
    expect((await move(id, 'screening', other)).status).toBe(404);
    expect((await read(id, other)).status).toBe(404);
  });

  test('a recruiter with another team role has only that role: as hiring manager no moves, off the team 404', async () => {
    const { jobId, ids } = await jobWithApplications();
    const [id] = ids;
    expect((await read(id, offTeam)).status).toBe(404);
    expect((await move(id, 'screening', offTeam)).status).toBe(404);
    expect((await notes(id, offTeam)).status).toBe(404);
    expect((await addMember(jobId, offTeam.user.id, 'hiring_manager')).body.user.teamRole).toBe('hiring_manager');
    expect((await read(id, offTeam)).status).toBe(200);
    expect((await move(id, 'screening', offTeam)).status).toBe(403);
    expect((await call('DELETE', '/api/jobs/{id}', `/api/jobs/${jobId}`, offTeam)).status).toBe(403);
    expect((await setRole(jobId, offTeam.user.id, 'recruiter')).body).toMatchObject({ teamRole: 'recruiter', id: String(offTeam.user.id) });
    expect((await move(id, 'screening', offTeam)).status).toBe(200);
  });

  test('a keyed stage change is checked before its stored answer is replayed: a member demoted to interviewer gets 404, not the answer', async () => {
    const { jobId, ids } = await jobWithApplications();
    const [id] = ids;
    const member = await stack.user('recruiter');
    expect((await addMember(jobId, member.user.id, undefined)).body.user.teamRole).toBe('recruiter');
    const key = { 'Idempotency-Key': randomUUID() };
    expect((await move(id, 'screening', member, key)).status).toBe(200);
    expect((await move(id, 'screening', member, key)).headers.get('idempotent-replayed')).toBe('true');
    expect((await setRole(jobId, member.user.id, 'hiring_manager')).status).toBe(200);
    expect((await move(id, 'screening', member, key)).status).toBe(403);
    expect((await setRole(jobId, member.user.id, 'interviewer')).status).toBe(200);
    const replay = await move(id, 'screening', member, key);
    expect(replay.status).toBe(404);
    expect(replay.headers.get('idempotent-replayed')).toBeNull();
  });

  test('an interviewer without an interview sees none of the job: 404 for its applications, none listed, counts null', async () => {
    const { jobId, ids, candidateIds } = await jobWithApplications();
    const [id] = ids;
    expect((await addMember(jobId, interviewer.user.id, 'interviewer')).body.user.teamRole).toBe('interviewer');
    expect((await call('GET', '/api/jobs/{id}/team', `/api/jobs/${jobId}/team`, interviewer)).status).toBe(200);
    expect((await read(id, interviewer)).status).toBe(404);
    expect((await move(id, 'screening', interviewer)).status).toBe(404);
    expect((await notes(id, interviewer)).status).toBe(404);
    expect((await candidateOf(candidateIds[0], interviewer)).status).toBe(404);
    expect(await listed(interviewer, `?jobId=${jobId}`)).toEqual([]);
    expect(await listed(interviewer)).not.toContain(id);
    const mine = await myJobs(interviewer, jobId);
    expect(mine).toBeDefined();
    expect(mine!.counts).toBeNull();
    expect((await myJobs(creator, jobId))?.counts).toEqual({ applied: 1, screening: 0, interview: 0, offer: 0 });
  });

  test('an interviewer with an interview sees that application (and only it), in the list and by id, its candidate and notes; no moves', async () => {
    const { jobId, ids, candidateIds } = await jobWithApplications(2);
    const [interviewed, other] = ids;
    const person = await stack.user('hiring_manager');
    expect((await addMember(jobId, person.user.id, 'interviewer')).status).toBe(201);
    await interviewOn(interviewed, person);

    expect((await read(interviewed, person)).status).toBe(200);
    expect((await read(other, person)).status).toBe(404);
    expect(await listed(person, `?jobId=${jobId}`)).toEqual([interviewed]);
    expect(await listed(person)).toEqual([interviewed]);
    expect(await listed(person, '?stage=applied')).toEqual([interviewed]);
    expect((await candidateOf(candidateIds[0], person)).body.applications.map((a: { id: string }) => a.id)).toEqual([interviewed]);
    expect((await candidateOf(candidateIds[1], person)).status).toBe(404);
    expect((await writeNote(interviewed, person)).status).toBe(201);
    expect((await notes(interviewed, person)).status).toBe(200);
    expect((await notes(other, person)).status).toBe(404);
    expect((await move(interviewed, 'screening', person)).status).toBe(403);
    expect((await myJobs(person, jobId))?.counts).toBeNull();

    // Off the team, the interview gives no sight of the application.
    expect((await call('DELETE', '/api/jobs/{id}/team/{userId}', `/api/jobs/${jobId}/team/${person.user.id}`, creator)).status).toBe(204);
    expect((await read(interviewed, person)).status).toBe(404);
    expect(await listed(person)).toEqual([]);
  });

  test('team roles are managed by the recruiter members: a recruiter member adds a hiring manager; who may hold which role', async () => {
    const { jobId } = await jobWithApplications(0);
    const member = await stack.user('recruiter');
    expect((await addMember(jobId, member.user.id, undefined)).status).toBe(201);
    const hm = await stack.user('hiring_manager');
    const added = await addMember(jobId, hm.user.id, undefined, member);
    expect({ status: added.status, teamRole: added.body.user.teamRole }).toEqual({ status: 201, teamRole: 'hiring_manager' });
    // Adding again changes nothing, the role included.
    const again = await addMember(jobId, hm.user.id, 'interviewer', member);
    expect({ status: again.status, teamRole: again.body.user.teamRole }).toEqual({ status: 200, teamRole: 'hiring_manager' });

    const promoted = await setRole(jobId, hm.user.id, 'recruiter', member);
    expect({ status: promoted.status, path: promoted.body.errors?.[0]?.path }).toEqual({ status: 422, path: 'teamRole' });
    const asRecruiter = await addMember(jobId, (await stack.user('hiring_manager')).user.id, 'recruiter', member);
    expect({ status: asRecruiter.status, path: asRecruiter.body.errors?.[0]?.path }).toEqual({ status: 422, path: 'teamRole' });

    expect((await setRole(jobId, hm.user.id, 'interviewer', member)).body).toMatchObject({
      id: String(hm.user.id),
      teamRole: 'interviewer',
    });
    const team = await call('GET', '/api/jobs/{id}/team', `/api/jobs/${jobId}/team`, admin);
    expect(team.body.items.map((m: { id: string; teamRole: string }) => [m.id, m.teamRole])).toEqual([
      [String(creator.user.id), 'recruiter'],
      [String(member.user.id), 'recruiter'],
      [String(hm.user.id), 'interviewer'],
    ]);
    expect(team.body.items[0].email).toBe(creator.user.email);

    // The creator stays a recruiter; someone not on the team is a 404; other roles may not manage.
    for (const teamRole of ['hiring_manager', 'interviewer']) {
      const res = await setRole(jobId, creator.user.id, teamRole, admin);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'team_creator' });
    }
    expect((await setRole(jobId, creator.user.id, 'recruiter', admin)).status).toBe(200);
    expect((await setRole(jobId, offTeam.user.id, 'interviewer')).status).toBe(404);
    expect((await setRole(jobId, hm.user.id, 'hiring_manager', hm)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    expect((await setRole(jobId, hm.user.id, 'hiring_manager', offTeam)).body).toMatchObject({ status: 403, code: 'not_job_owner' });

    // Admins join teams too, in any team role.
    const otherAdmin = await stack.user('admin');
    expect((await addMember(jobId, otherAdmin.user.id, 'recruiter')).body.user).toMatchObject({ role: 'admin', teamRole: 'recruiter' });
    expect((await addMember(jobId, admin.user.id, undefined)).body.user.teamRole).toBe('hiring_manager');
  });

  test('a recruiter member made a candidate keeps no right from the team: 403 on managing it and on its reports, 404 on its applications', async () => {
    const { jobId, ids } = await jobWithApplications();
    const member = await stack.user('recruiter');
    expect((await addMember(jobId, member.user.id, undefined)).body.user.teamRole).toBe('recruiter');
    expect((await call('PATCH', '/api/users/{id}', `/api/users/${member.user.id}`, admin, { role: 'candidate' })).status).toBe(200);
    const other = await stack.user('recruiter');
    expect((await addMember(jobId, other.user.id, undefined, member)).body).toMatchObject({ status: 403, code: 'not_job_owner' });
    expect((await setRole(jobId, creator.user.id, 'recruiter', member)).status).toBe(403);
    expect((await call('GET', '/api/jobs/{id}/team', `/api/jobs/${jobId}/team`, member)).status).toBe(403);
    for (const report of ['funnel', 'time-in-stage'])
      expect((await call('GET', `/api/reports/${report}`, `/api/reports/${report}?jobId=${jobId}`, member)).status).toBe(403);
    expect((await read(ids[0], member)).status).toBe(404);
    expect(await listed(member)).toEqual([]);
  });

  test('a recruiter made a hiring manager keeps their teams as hiring_manager', async () => {
    const { jobId } = await jobWithApplications(0);
    const member = await stack.user('recruiter');
    expect((await addMember(jobId, member.user.id, undefined)).body.user.teamRole).toBe('recruiter');
    expect((await call('PATCH', '/api/users/{id}', `/api/users/${member.user.id}`, admin, { role: 'hiring_manager' })).status).toBe(200);
    const team = await call('GET', '/api/jobs/{id}/team', `/api/jobs/${jobId}/team`, member);
    expect(team.body.items.find((m: { id: string }) => m.id === String(member.user.id))).toMatchObject({
      role: 'hiring_manager',
      teamRole: 'hiring_manager',
    });
  });
});

describe('team roles in an existing database', () => {
  test('every member added before team roles existed is a recruiter after the migration, and users may be hiring managers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-team-roles-'));
    const database = testDatabase(dir);
    const orm = await openOrm(loadConfig(testEnv(dir, { DATABASE_URL: database.url })).database);
    try {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      await orm.migrator.up({ to: 'Migration20261207000000_notes' });
      const at = '2026-01-01T00:00:00.000Z';
      await sql(
        `insert into users (id, email, password_hash, role, created_at, updated_at) values
        (1, 'a@example.com', 'x', 'recruiter', ?, ?), (2, 'b@example.com', 'x', 'recruiter', ?, ?)`,
        [at, at, at, at],
      );
      await sql("insert into companies (id, name, created_at) values (1, 'TechCorp', ?)", [at]);
      await sql(
        "insert into jobs (id, title, company_id, status, created_by, created_at, updated_at) values (3, 'A', 1, 'open', 1, ?, ?)",
        [at, at],
      );
      await sql('insert into job_team_members (job_id, user_id, added_by, created_at) values (3, 1, 1, ?), (3, 2, 1, ?)', [at, at]);

      await migrateUp(orm);
      expect(
        await sql('select user_id as "userId", team_role as "teamRole" from job_team_members where job_id = 3 order by user_id'),
      ).toEqual([
        { userId: 1, teamRole: 'recruiter' },
        { userId: 2, teamRole: 'recruiter' },
      ]);
      // The role column takes hiring managers now, and still nothing else.
      const user = (id: number, role: string) =>
        sql('insert into users (id, email, password_hash, role, created_at, updated_at) values (?, ?, ?, ?, ?, ?)', [
          id,
          `${id}@example.com`,
          'x',
          role,
          at,
          at,
        ]);
      await user(4, 'hiring_manager');
      await expect(user(5, 'boss')).rejects.toThrow(/check/i);
      expect(await sql('select role from users order by id')).toEqual([
        { role: 'recruiter' },
        { role: 'recruiter' },
        { role: 'hiring_manager' },
      ]);
    } finally {
      await orm.close();
      database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
