import { JobSchema } from '../../src/db/entities/job.entity';
import { UserSchema } from '../../src/db/entities/user.entity';
import { seedSampleData } from '../../src/accounts/seed';
import { startStack, type TestStack } from '../support/stack';

describe('sample data', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  const counts = async () => {
    const em = stack.services.orm.em.fork();
    return { users: await em.count(UserSchema, {}), jobs: await em.count(JobSchema, {}) };
  };

  test('creates the demo recruiter and candidate and the three open sample jobs, once', async () => {
    const first = await seedSampleData(stack.services);
    expect(first).toEqual({
      recruiter: { email: 'recruiter@example.com', password: expect.any(String) },
      candidate: { email: 'candidate@example.com', password: expect.any(String) },
      jobs: 3,
    });
    expect(await counts()).toEqual({ users: 2, jobs: 3 });

    const second = await seedSampleData(stack.services);
    expect(second).toEqual({ ...first, jobs: 0 });
    expect(await counts()).toEqual({ users: 2, jobs: 3 });

    const login = async (who: { email: string; password: string }) => (await stack.http('POST', '/api/auth/login', { body: who })).body;
    const recruiterToken = (await login(first.recruiter)).accessToken;
    const me = await stack.http('GET', '/api/auth/me', { token: recruiterToken });
    expect(me.body.user.role).toBe('recruiter');
    const candidateToken = (await login(first.candidate)).accessToken;
    expect((await stack.http('GET', '/api/auth/me', { token: candidateToken })).body.user.role).toBe('candidate');

    const jobs = await stack.http('GET', '/api/jobs', { token: candidateToken });
    expect(
      jobs.body.items
        .map((j: { title: string; company: string; status: string; createdBy: string }) => [j.title, j.company, j.status, j.createdBy])
        .sort(),
    ).toEqual([
      ['Backend Developer', 'TechCorp', 'open', me.body.user.id],
      ['Data Analyst', 'DataPlus', 'open', me.body.user.id],
      ['Frontend Engineer', 'WebWorks', 'open', me.body.user.id],
    ]);
    // The original design's examples assume TechCorp is company 1.
    const companies = await stack.http('GET', '/api/companies');
    expect(companies.body.items.map((c: { id: string; name: string }) => [c.id, c.name])).toEqual([
      ['3', 'DataPlus'],
      ['1', 'TechCorp'],
      ['2', 'WebWorks'],
    ]);
    expect(jobs.body.items.find((j: { company: string }) => j.company === 'TechCorp').companyId).toBe('1');
  });

  test("the demo recruiter is on the sample jobs' hiring teams, also after a re-seed of a database that had no teams", async () => {
    const em = stack.services.orm.em.fork();
    const teams = () =>
      em.execute<{ title: string; email: string }[]>(
        `select j.title, u.email from job_team_members m
      join jobs j on j.id = m.job_id join users u on u.id = m.user_id order by j.title`,
        [],
        'all',
      );
    const expected = ['Backend Developer', 'Data Analyst', 'Frontend Engineer'].map((title) => ({ title, email: 'recruiter@example.com' }));
    await seedSampleData(stack.services);
    expect(await teams()).toEqual(expected);
    // A database seeded before hiring teams existed, whose jobs the migration did not cover.
    await em.execute('delete from job_team_members', [], 'run');
    expect((await seedSampleData(stack.services)).jobs).toBe(0);
    expect(await teams()).toEqual(expected);

    const token = (
      await stack.http('POST', '/api/auth/login', { body: { email: 'recruiter@example.com', password: 'recruiter-demo-password' } })
    ).body.accessToken;
    const [job] = (await stack.http('GET', '/api/jobs', { token })).body.items;
    const team = await stack.http('GET', `/api/jobs/${job.id}/team`, { token });
    expect(team.status).toBe(200);
    expect(team.body.items.map((u: { email: string }) => u.email)).toEqual(['recruiter@example.com']);
  });

  test('re-creates a sample job that was deleted, and nothing else', async () => {
    const em = stack.services.orm.em.fork();
    await em.nativeDelete(JobSchema, { title: 'Data Analyst' });
    expect((await seedSampleData(stack.services)).jobs).toBe(1);
    expect(await counts()).toEqual({ users: 2, jobs: 3 });
    expect((await stack.http('GET', '/api/companies')).body.items).toHaveLength(3);
  });
});
