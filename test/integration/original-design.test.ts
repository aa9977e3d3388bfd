import { seedSampleData } from '../../src/accounts/seed';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows } from '../support/applications';
import { responseValidator } from '../support/openapi-validator';

/**
 * A client written for the original (FastAPI) design, sending its requests as they are: snake_case
 * fields, the OAuth2 form login, trailing slashes, numeric ids. Only the token and ids are filled in.
 */
describe('clients of the original design', () => {
  let stack: TestStack;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;
  let recruiter: { email: string; password: string };

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    ({ recruiter } = await seedSampleData(stack.services));
    expectDocumented = await responseValidator(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const login = async (username: string, password: string) => {
    const res = await stack.http('POST', '/api/auth/login', { form: { username, password } });
    expect(res.status).toBe(200);
    expectDocumented('post', '/api/auth/login', res);
    expect(res.body.token_type).toBe('bearer');
    return res.body.access_token as string;
  };

  test('sign up, log in, browse, post a job for company 1, apply, read, move with notes, and the index', async () => {
    const signup = await stack.http('POST', '/api/auth/signup', {
      body: { email: 'jane@example.com', password: 'secret-password', full_name: 'Jane Doe', role: 'candidate' },
    });
    expect(signup.status).toBe(201);
    expectDocumented('post', '/api/auth/signup', signup);
    expect(signup.body.user).toMatchObject({ email: 'jane@example.com', fullName: 'Jane Doe', role: 'candidate' });
    expect(signup.body.user).not.toHaveProperty('full_name');

    const candidateToken = await login('jane@example.com', 'secret-password');
    const recruiterToken = await login(recruiter.email, recruiter.password);

    const jobs = await stack.http('GET', '/api/jobs/', { token: candidateToken });
    expect(jobs.status).toBe(200);
    expectDocumented('get', '/api/jobs', jobs);
    expect(jobs.body.items.map((j: { company: string }) => j.company).sort()).toEqual(['DataPlus', 'TechCorp', 'WebWorks']);

    const job = await stack.http('POST', '/api/jobs/', {
      token: recruiterToken,
      body: { company_id: 1, title: 'Senior Python Developer', description: 'FastAPI and PostgreSQL', status: 'open' },
    });
    expect(job.status).toBe(201);
    expectDocumented('post', '/api/jobs', job);
    expect(job.body).toMatchObject({ companyId: '1', company: 'TechCorp', title: 'Senior Python Developer', status: 'open' });

    const applied = await stack.http('POST', `/api/jobs/${job.body.id}/apply`, {
      token: candidateToken,
      body: { resume_url: 'https://example.com/jane.pdf', cover_letter: 'I would love to join.' },
    });
    expect(applied.status).toBe(201);
    expectDocumented('post', '/api/jobs/{id}/apply', applied);
    expect(applied.body).toMatchObject({
      stage: 'applied',
      resumeUrl: 'https://example.com/jane.pdf',
      coverLetter: 'I would love to join.',
    });

    const read = await stack.http('GET', `/api/applications/${applied.body.id}`, { token: recruiterToken });
    expect(read.status).toBe(200);
    expectDocumented('get', '/api/applications/{id}', read);
    expect(read.body.history).toEqual([expect.objectContaining({ from: null, to: 'applied' })]);

    const moved = await stack.http('PATCH', `/api/applications/${applied.body.id}/stage`, {
      token: recruiterToken,
      body: { stage: 'screening', notes: 'Strong CV, call this week' },
    });
    expect(moved.status).toBe(200);
    expectDocumented('patch', '/api/applications/{id}/stage', moved);
    expect(moved.body.history[1]).toMatchObject({ from: 'applied', to: 'screening', reason: 'Strong CV, call this week' });

    // The other answers of the pipeline match the document too.
    const illegal = await stack.http('PATCH', `/api/applications/${applied.body.id}/stage`, {
      token: recruiterToken,
      body: { stage: 'hired' },
    });
    expect(illegal.status).toBe(409);
    expectDocumented('patch', '/api/applications/{id}/stage', illegal);
    const stale = await stack.http('PATCH', `/api/applications/${applied.body.id}/stage`, {
      token: recruiterToken,
      body: { stage: 'interview', from_stage: 'applied' },
    });
    expect(stale.body.code).toBe('stage_changed');
    expectDocumented('patch', '/api/applications/{id}/stage', stale);
    const list = await stack.http('GET', '/api/applications/', { token: candidateToken });
    expect(list.body.items).toHaveLength(1);
    expectDocumented('get', '/api/applications', list);
    const withdrawn = await stack.http('POST', `/api/applications/${applied.body.id}/withdraw`, { token: candidateToken });
    expect(withdrawn.body.stage).toBe('rejected');
    expectDocumented('post', '/api/applications/{id}/withdraw', withdrawn);
    const again = await stack.http('POST', `/api/applications/${applied.body.id}/withdraw`, { token: candidateToken });
    expect(again.status).toBe(409);
    expectDocumented('post', '/api/applications/{id}/withdraw', again);

    const index = await stack.http('GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toEqual({
      name: 'ats-backend',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      docs: '/docs',
      openapi: '/openapi.json',
      health: '/healthz',
    });
    expectDocumented('get', '/', index);
  });

  test('both spellings of a field together are a 422 naming the field, whatever the values', async () => {
    const same = await stack.http('POST', '/api/auth/signup', {
      body: { email: 'twice@example.com', password: 'secret-password', full_name: 'Ann', fullName: 'Ann' },
    });
    expect(same.status).toBe(422);
    expectDocumented('post', '/api/auth/signup', same);
    expect(same.body.errors).toEqual([{ path: 'fullName', message: expect.stringContaining('full_name') }]);
    expect(
      (await stack.http('POST', '/api/auth/login', { body: { email: 'twice@example.com', password: 'secret-password' } })).status,
    ).toBe(401);
    const differ = await stack.http('POST', '/api/auth/signup', {
      body: { email: 'differ@example.com', password: 'secret-password', full_name: 'Ann', fullName: 'Bea' },
    });
    expect(differ.status).toBe(422);
    expectDocumented('post', '/api/auth/signup', differ);
    expect(differ.body.errors).toEqual([{ path: 'fullName', message: expect.stringContaining('full_name') }]);
    expect(
      (await stack.http('POST', '/api/auth/login', { body: { email: 'differ@example.com', password: 'secret-password' } })).status,
    ).toBe(401);

    const recruiterToken = await login(recruiter.email, recruiter.password);
    const conflict = await stack.http('POST', '/api/jobs', {
      token: recruiterToken,
      body: { title: 'Both ids', company_id: 1, companyId: '2' },
    });
    expect(conflict.status).toBe(422);
    expect(conflict.body.errors.map((e: { path: string }) => e.path)).toEqual(['companyId']);
    const agree = await stack.http('POST', '/api/jobs', {
      token: recruiterToken,
      body: { title: 'Both ids', company_id: 2, companyId: '2' },
    });
    expect(agree.status).toBe(422);
    expect(agree.body.errors.map((e: { path: string }) => e.path)).toEqual(['companyId']);
    const original = await stack.http('POST', '/api/jobs', { token: recruiterToken, body: { title: 'One id', company_id: 2 } });
    expect(original.status).toBe(201);
    expect(original.body.company).toBe('WebWorks');
  });

  test('sign-up with any role but candidate is still 403', async () => {
    for (const role of ['recruiter', 'admin']) {
      const res = await stack.http('POST', '/api/auth/signup', {
        body: { email: `${role}-try@example.com`, password: 'secret-password', full_name: 'X', role },
      });
      expect(res.status).toBe(403);
      expectDocumented('post', '/api/auth/signup', res);
    }
  });
});
