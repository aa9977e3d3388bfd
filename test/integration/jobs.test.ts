import { randomUUID } from 'node:crypto';
import { JobSchema } from '../../src/db/entities/job.entity';
import { resolveCompany } from '../../src/companies/companies';
import { startStack, type TestStack } from '../support/stack';

const JOB_KEYS = ['company', 'companyId', 'createdAt', 'createdBy', 'description', 'id', 'location', 'status', 'title', 'updatedAt'];

describe('jobs', () => {
  let stack: TestStack;
  let recruiter: Awaited<ReturnType<TestStack['user']>>;
  let otherRecruiter: Awaited<ReturnType<TestStack['user']>>;
  let admin: Awaited<ReturnType<TestStack['user']>>;
  let candidate: Awaited<ReturnType<TestStack['user']>>;

  beforeAll(async () => {
    stack = await startStack();
    [recruiter, otherRecruiter, admin, candidate] = await Promise.all([
      stack.user('recruiter'),
      stack.user('recruiter'),
      stack.user('admin'),
      stack.user('candidate'),
    ]);
  });
  afterAll(async () => {
    await stack.close();
  });

  const create = async (token: string, body: Record<string, unknown>) => {
    const res = await stack.http('POST', '/api/jobs', { token, body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const dbJob = (id: string) => stack.services.orm.em.fork().findOne(JobSchema, { id: Number(id) });

  test('a recruiter creates a job: 201 with the contract fields, open by default', async () => {
    const res = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Backend Developer', company: 'TechCorp', location: 'Remote' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(JOB_KEYS);
    expect(res.body).toMatchObject({
      title: 'Backend Developer',
      company: 'TechCorp',
      description: null,
      location: 'Remote',
      status: 'open',
      createdBy: String(recruiter.user.id),
    });
    expect(res.body.id).toMatch(/^\d+$/);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
    expect(await dbJob(res.body.id)).toMatchObject({ title: 'Backend Developer', createdBy: recruiter.user.id });
  });

  test('an admin creates a job with an explicit status', async () => {
    const job = await create(admin.token, { title: 'Draft role', company: 'Acme', status: 'draft', description: 'Later.' });
    expect(job).toMatchObject({ status: 'draft', description: 'Later.', createdBy: String(admin.user.id) });
  });

  test('candidates cannot create jobs (403) and anonymous callers get 401', async () => {
    const title = `forbidden-${randomUUID()}`;
    const forbidden = await stack.http('POST', '/api/jobs', { token: candidate.token, body: { title, company: 'X' } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');
    const anonymous = await stack.http('POST', '/api/jobs', { body: { title, company: 'X' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await stack.services.orm.em.fork().count(JobSchema, { title })).toBe(0);
  });

  test('invalid bodies are 422 listing every bad field, unknown fields included', async () => {
    const res = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: '', status: 'archived', createdBy: 1 } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['company', 'createdBy', 'status', 'title']);
  });

  test('GET one job: any role; a candidate gets 404 unless it is open', async () => {
    const open = await create(recruiter.token, { title: 'Open', company: 'Acme' });
    const draft = await create(recruiter.token, { title: 'Draft', company: 'Acme', status: 'draft' });
    const closed = await create(recruiter.token, { title: 'Closed', company: 'Acme', status: 'closed' });
    expect((await stack.http('GET', `/api/jobs/${open.id}`, { token: candidate.token })).body).toEqual(open);
    for (const job of [draft, closed]) {
      const hidden = await stack.http('GET', `/api/jobs/${job.id}`, { token: candidate.token });
      expect(hidden.status).toBe(404);
      expect(hidden.body.code).toBe('not_found');
      expect((await stack.http('GET', `/api/jobs/${job.id}`, { token: otherRecruiter.token })).status).toBe(200);
    }
  });

  test.each(['999999', 'abc', '1.5', '-1', '0', '99999999999999999999'])('GET /api/jobs/%s is 404', async (id) => {
    const res = await stack.http('GET', `/api/jobs/${id}`, { token: admin.token });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  test('the list: candidates see open jobs only, staff see every status, ?status= filters', async () => {
    const tag = randomUUID();
    const made = await Promise.all(
      ['open', 'closed', 'draft'].map((status) => create(recruiter.token, { title: `Role ${tag}`, company: 'Acme', status })),
    );
    const statuses = async (token: string, extra = '') =>
      (await stack.http('GET', `/api/jobs?q=${tag}${extra}`, { token })).body.items.map((j: { status: string }) => j.status).sort();
    expect(await statuses(candidate.token)).toEqual(['open']);
    expect(await statuses(candidate.token, '&status=draft')).toEqual([]);
    expect(await statuses(otherRecruiter.token)).toEqual(['closed', 'draft', 'open']);
    expect(await statuses(admin.token, '&status=draft')).toEqual(['draft']);
    expect(made).toHaveLength(3);
    expect((await stack.http('GET', '/api/jobs?status=archived', { token: admin.token })).status).toBe(422);
  });

  test('?q= matches a case-insensitive substring of the title or the company, literally', async () => {
    const tag = randomUUID().slice(0, 8);
    const byTitle = await create(recruiter.token, { title: `Senior ${tag.toUpperCase()} Engineer`, company: 'Plain' });
    const byCompany = await create(recruiter.token, { title: 'Plain', company: `${tag}-Corp` });
    const percent = await create(recruiter.token, { title: `100% ${tag}`, company: 'Plain' });
    const ids = async (q: string) =>
      (await stack.http('GET', `/api/jobs?q=${encodeURIComponent(q)}`, { token: candidate.token })).body.items.map(
        (j: { id: string }) => j.id,
      );
    expect(await ids(tag)).toEqual([percent.id, byCompany.id, byTitle.id]);
    expect(await ids(tag.toUpperCase())).toEqual([percent.id, byCompany.id, byTitle.id]);
    expect(await ids(`${tag}-corp`)).toEqual([byCompany.id]);
    expect(await ids(`0% ${tag}`)).toEqual([percent.id]);
    expect(await ids(`%${tag}`)).toEqual([]);
  });

  test('cursor pagination: newest first, pages of ?limit=, nextCursor null at the end', async () => {
    const tag = randomUUID();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await create(recruiter.token, { title: `Paged ${i}`, company: tag }));
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await stack.http(
        'GET',
        `/api/jobs?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: candidate.token },
      );
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      seen.push(...res.body.items.map((j) => j.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(made.map((j) => j.id).reverse());
  });

  test('the default page is 20 and limit must be 1–100; a malformed cursor is 422', async () => {
    const tag = randomUUID();
    const companyId = (await resolveCompany(stack.services.orm.em.fork(), { company: tag })).id;
    for (let i = 0; i < 21; i++)
      await stack.services.orm.em.fork().insert(JobSchema, {
        title: `Bulk ${i}`,
        companyId,
        status: 'open',
        createdBy: recruiter.user.id,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      });
    const first = await stack.http('GET', `/api/jobs?q=${tag}`, { token: candidate.token });
    expect(first.body.items).toHaveLength(20);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-a-cursor', 'cursor=0', 'cursor=-5', 'cursor=01']) {
      const res = await stack.http('GET', `/api/jobs?${query}`, { token: candidate.token });
      expect(res.status).toBe(422);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].path).toBe(query.split('=')[0]);
    }
    const both = await stack.http('GET', '/api/jobs?limit=0&cursor=zz&status=nope', { token: candidate.token });
    expect(both.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['cursor', 'limit', 'status']);
    expect((await stack.http('GET', `/api/jobs?q=${tag}&limit=100`, { token: candidate.token })).body.items).toHaveLength(21);
  });

  test('PATCH: the creating recruiter and any admin may change a job, another recruiter gets 403', async () => {
    const job = await create(recruiter.token, { title: 'Before', company: 'Acme' });
    const denied = await stack.http('PATCH', `/api/jobs/${job.id}`, { token: otherRecruiter.token, body: { title: 'Hijacked' } });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not_job_owner');
    expect((await dbJob(job.id))?.title).toBe('Before');

    await new Promise((r) => setTimeout(r, 5));
    const own = await stack.http('PATCH', `/api/jobs/${job.id}`, {
      token: recruiter.token,
      body: { title: 'After', status: 'closed', location: null },
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: job.id,
      title: 'After',
      company: 'Acme',
      status: 'closed',
      createdAt: job.createdAt,
      createdBy: job.createdBy,
    });
    expect(own.body.updatedAt > job.updatedAt).toBe(true);

    const byAdmin = await stack.http('PATCH', `/api/jobs/${job.id}`, { token: admin.token, body: { description: 'Edited by an admin' } });
    expect(byAdmin.status).toBe(200);
    expect(await dbJob(job.id)).toMatchObject({
      title: 'After',
      status: 'closed',
      description: 'Edited by an admin',
      createdBy: recruiter.user.id,
    });
  });

  test('PATCH rejects unknown fields (no mass assignment) and invalid values, changing nothing', async () => {
    const job = await create(recruiter.token, { title: 'Stable', company: 'Acme' });
    const res = await stack.http('PATCH', `/api/jobs/${job.id}`, {
      token: recruiter.token,
      body: { title: 'Changed', createdBy: String(otherRecruiter.user.id), id: '1', createdAt: '2000-01-01T00:00:00.000Z' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['createdAt', 'createdBy', 'id']);
    const invalid = await stack.http('PATCH', `/api/jobs/${job.id}`, { token: recruiter.token, body: { status: 'gone', title: '  ' } });
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['status', 'title']);
    expect(await dbJob(job.id)).toMatchObject({ title: 'Stable', createdBy: recruiter.user.id, updatedAt: job.updatedAt });
    expect((await stack.http('PATCH', `/api/jobs/${job.id}`, { token: candidate.token, body: { title: 'x' } })).status).toBe(403);
    expect((await stack.http('PATCH', '/api/jobs/424242', { token: admin.token, body: { title: 'x' } })).status).toBe(404);
  });

  test('DELETE: 204 for the owner or an admin, 403 for another recruiter, 404 afterwards', async () => {
    const mine = await create(recruiter.token, { title: 'Delete me', company: 'Acme' });
    const denied = await stack.http('DELETE', `/api/jobs/${mine.id}`, { token: otherRecruiter.token });
    expect(denied.status).toBe(403);
    expect(await dbJob(mine.id)).not.toBeNull();
    expect((await stack.http('DELETE', `/api/jobs/${mine.id}`, { token: candidate.token })).status).toBe(403);

    const deleted = await stack.http('DELETE', `/api/jobs/${mine.id}`, { token: recruiter.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect(await dbJob(mine.id)).toBeNull();
    expect((await stack.http('GET', `/api/jobs/${mine.id}`, { token: recruiter.token })).status).toBe(404);
    expect((await stack.http('DELETE', `/api/jobs/${mine.id}`, { token: recruiter.token })).status).toBe(404);

    const other = await create(otherRecruiter.token, { title: 'Admin deletes', company: 'Acme' });
    expect((await stack.http('DELETE', `/api/jobs/${other.id}`, { token: admin.token })).status).toBe(204);
  });

  test('DELETE of a job with applications is 409 job_has_applications and keeps the job', async () => {
    const job = await create(recruiter.token, { title: 'Has applicants', company: 'Acme' });
    const now = new Date().toISOString();
    await stack.services.orm.em
      .getConnection()
      .execute('insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)', [
        `application-job${job.id}-candidate${candidate.user.id}`,
        Number(job.id),
        candidate.user.id,
        'applied',
        1,
        now,
        now,
      ]);
    const res = await stack.http('DELETE', `/api/jobs/${job.id}`, { token: recruiter.token });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('job_has_applications');
    expect(await dbJob(job.id)).not.toBeNull();
    const closed = await stack.http('PATCH', `/api/jobs/${job.id}`, { token: recruiter.token, body: { status: 'closed' } });
    expect(closed.body.status).toBe('closed');
  });

  test('a role change applies to the very next request with the same token', async () => {
    const promoted = await stack.user('candidate');
    expect((await stack.http('POST', '/api/jobs', { token: promoted.token, body: { title: 'x', company: 'y' } })).status).toBe(403);
    const patch = await stack.http('PATCH', `/api/users/${promoted.user.id}`, { token: admin.token, body: { role: 'recruiter' } });
    expect(patch.status).toBe(200);
    expect((await stack.http('POST', '/api/jobs', { token: promoted.token, body: { title: 'x', company: 'y' } })).status).toBe(201);
  });
});
