import { randomUUID } from 'node:crypto';
import { startStack, type HttpResult, type TestStack } from '../support/stack';
import { responseValidator } from '../support/openapi-validator';

type Actor = Awaited<ReturnType<TestStack['user']>>;

describe('companies and the public job board', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let admin: Actor;
  let candidate: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack();
    [recruiter, admin, candidate] = await Promise.all([stack.user('recruiter'), stack.user('admin'), stack.user('candidate')]);
    expectDocumented = await responseValidator(stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  const createCompany = async (name: string, token = recruiter.token) => {
    const res = await stack.http('POST', '/api/companies', { token, body: { name, website: 'https://example.com' } });
    expect(res.status).toBe(201);
    expectDocumented('post', '/api/companies', res);
    return res.body;
  };

  test('recruiters and admins create companies; a name taken in any letter case is 409; anyone reads them', async () => {
    const name = `Acme ${randomUUID().slice(0, 8)}`;
    const company = await createCompany(name);
    expect(company).toEqual({ id: expect.stringMatching(/^\d+$/), name, website: 'https://example.com', createdAt: expect.any(String) });
    const taken = await stack.http('POST', '/api/companies', { token: admin.token, body: { name: name.toUpperCase() } });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('company_name_taken');
    expectDocumented('post', '/api/companies', taken);
    expect((await stack.http('POST', '/api/companies', { token: candidate.token, body: { name: 'Nope' } })).status).toBe(403);
    expect((await stack.http('POST', '/api/companies', { body: { name: 'Nope' } })).status).toBe(401);

    const read = await stack.http('GET', `/api/companies/${company.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(company);
    expectDocumented('get', '/api/companies/{id}', read);
    expect((await stack.http('GET', '/api/companies/abc')).status).toBe(404);
  });

  test("PATCH renames (409 onto another company's name) or changes the website", async () => {
    const a = await createCompany(`Alpha ${randomUUID().slice(0, 8)}`);
    const b = await createCompany(`Beta ${randomUUID().slice(0, 8)}`);
    const clash = await stack.http('PATCH', `/api/companies/${a.id}`, { token: admin.token, body: { name: b.name.toLowerCase() } });
    expect(clash.status).toBe(409);
    const renamed = await stack.http('PATCH', `/api/companies/${a.id}`, {
      token: recruiter.token,
      body: { name: `${a.name} Ltd`, website: null },
    });
    expect(renamed.status).toBe(200);
    expectDocumented('patch', '/api/companies/{id}', renamed);
    expect(renamed.body).toMatchObject({ id: a.id, name: `${a.name} Ltd`, website: null });
    const job = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Renamed', companyId: a.id } });
    expect(job.body.company).toBe(`${a.name} Ltd`);
    expect((await stack.http('PATCH', `/api/companies/${a.id}`, { token: recruiter.token, body: {} })).status).toBe(422);
    expect((await stack.http('PATCH', `/api/companies/${a.id}`, { token: candidate.token, body: { name: 'x' } })).status).toBe(403);
  });

  test('the list is by name, pages with a cursor and filters by ?q= literally', async () => {
    const tag = randomUUID().slice(0, 8);
    for (const name of [`${tag} delta`, `${tag} Bravo`, `${tag} charlie`, `${tag} alpha`]) await createCompany(name);
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const res: HttpResult<{ items: { name: string }[]; nextCursor: string | null }> = await stack.http(
        'GET',
        `/api/companies?q=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expectDocumented('get', '/api/companies', res);
      names.push(...res.body.items.map((c: { name: string }) => c.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(names).toEqual([`${tag} alpha`, `${tag} Bravo`, `${tag} charlie`, `${tag} delta`]);
    expect((await stack.http('GET', `/api/companies?q=${encodeURIComponent(`${tag} %`)}`)).body.items).toEqual([]);
  });

  test('a job names its company by companyId, company_id or a name found without regard to case', async () => {
    const company = await createCompany(`Gamma ${randomUUID().slice(0, 8)}`);
    const byId = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'By id', companyId: company.id } });
    expect(byId.status).toBe(201);
    expect(byId.body).toMatchObject({ companyId: company.id, company: company.name });
    const byNumber = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'By number', company_id: Number(company.id) },
    });
    expect(byNumber.body.companyId).toBe(company.id);
    const byName = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'By name', company: company.name.toUpperCase() },
    });
    expect(byName.body).toMatchObject({ companyId: company.id, company: company.name });

    const fresh = `Fresh ${randomUUID().slice(0, 8)}`;
    const created = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'New company', company: fresh } });
    expect(created.status).toBe(201);
    expect((await stack.http('GET', `/api/companies/${created.body.companyId}`)).body.name).toBe(fresh);

    const unknown = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Unknown', companyId: '999999999' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ path: 'companyId', message: expect.any(String) }]);
    expectDocumented('post', '/api/jobs', unknown);
    const both = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Both', companyId: company.id, company: 'Other' },
    });
    expect(both.status).toBe(422);
    const neither = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Neither' } });
    expect(neither.body.errors.map((e: { path: string }) => e.path)).toEqual(['company']);

    const moved = await stack.http('PATCH', `/api/jobs/${byId.body.id}`, { token: recruiter.token, body: { company: fresh } });
    expect(moved.body).toMatchObject({ companyId: created.body.companyId, company: fresh });
    const filtered = await stack.http('GET', `/api/jobs?companyId=${company.id}`, { token: recruiter.token });
    expect(filtered.body.items.map((j: { title: string }) => j.title).sort()).toEqual(['By name', 'By number']);
  });

  test('?q= takes %, _ and ? literally, and finds the company name too', async () => {
    const tag = randomUUID().slice(0, 8);
    const make = async (title: string, company: string) =>
      (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title, company } })).body.id as string;
    const question = await make(`Why a? ${tag}`, 'Plain');
    const percent = await make(`100% ${tag}`, 'Plain');
    const underscore = await make(`snake_case ${tag}`, 'Plain');
    const byCompany = await make('Plain', `Quoted 'Co' ${tag}`);
    const ids = async (q: string) => {
      const res = await stack.http('GET', `/api/jobs?q=${encodeURIComponent(q)}`);
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      return res.body.items.map((j: { id: string }) => j.id);
    };
    expect(await ids(`a? ${tag}`)).toEqual([question]);
    expect(await ids('a?')).toContain(question);
    expect(await ids(`% ${tag}`)).toEqual([percent]);
    expect(await ids(`e_c`)).toContain(underscore);
    expect(await ids(`_ ${tag}`)).toEqual([]);
    expect(await ids(`'co' ${tag.toUpperCase()}`)).toEqual([byCompany]);
    expect(await ids(tag)).toEqual([byCompany, underscore, percent, question]);
  });

  test('anonymous callers browse open jobs only; a bad token is still 401', async () => {
    const company = `Board ${randomUUID().slice(0, 8)}`;
    const open = (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Open', company } })).body;
    const draft = (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Draft', company, status: 'draft' } }))
      .body;
    const list = await stack.http('GET', `/api/jobs?companyId=${open.companyId}`);
    expect(list.status).toBe(200);
    expectDocumented('get', '/api/jobs', list);
    expect(list.body.items.map((j: { id: string }) => j.id)).toEqual([open.id]);
    expect((await stack.http('GET', `/api/jobs?companyId=${open.companyId}&status=draft`)).body.items).toEqual([]);
    expect((await stack.http('GET', `/api/jobs?companyId=${open.companyId}`, { token: recruiter.token })).body.items).toHaveLength(2);
    const one = await stack.http('GET', `/api/jobs/${open.id}`);
    expect(one.status).toBe(200);
    expectDocumented('get', '/api/jobs/{id}', one);
    const hidden = await stack.http('GET', `/api/jobs/${draft.id}`);
    expect(hidden.status).toBe(404);
    expectDocumented('get', '/api/jobs/{id}', hidden);
    for (const path of ['/api/jobs', `/api/jobs/${open.id}`]) {
      const bad = await stack.http('GET', path, { token: 'tampered.token.value' });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  test('a company only a draft made up is not on the public board: anonymous callers and candidates get 404 and no list entry; staff see it', async () => {
    const tag = randomUUID().slice(0, 8);
    const secret = `Stealth ${tag}`;
    const draft = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Quiet acquisition', company: secret, status: 'draft' },
    });
    expect(draft.status).toBe(201);
    const companyId = draft.body.companyId as string;
    const listed = async (token?: string) =>
      (await stack.http('GET', `/api/companies?q=${encodeURIComponent(tag)}`, { token })).body.items.map((c: { id: string }) => c.id);
    const read = (token?: string) => stack.http('GET', `/api/companies/${companyId}`, { token });

    for (const token of [undefined, candidate.token]) {
      expect(await listed(token)).toEqual([]);
      const hidden = await read(token);
      expect(hidden.status).toBe(404);
      expectDocumented('get', '/api/companies/{id}', hidden);
      expect(hidden.text).not.toContain(secret);
    }
    for (const token of [recruiter.token, admin.token]) {
      expect(await listed(token)).toEqual([companyId]);
      expect((await read(token)).body).toMatchObject({ id: companyId, name: secret });
    }
    expectDocumented('get', '/api/companies', await stack.http('GET', '/api/companies', { token: recruiter.token }));

    // A company created on its own is public from the start, drafts or not; a made-up one once a job of it is published.
    const explicit = await createCompany(`Declared ${tag}`);
    await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Later', companyId: explicit.id, status: 'draft' } });
    expect(await listed()).toEqual([explicit.id]);
    expect((await stack.http('PATCH', `/api/jobs/${draft.body.id}`, { token: recruiter.token, body: { status: 'open' } })).status).toBe(
      200,
    );
    expect((await listed()).sort()).toEqual([explicit.id, companyId].sort());
    expect((await read()).status).toBe(200);
    // A bad token is still 401, as on the jobs.
    expect((await stack.http('GET', '/api/companies', { token: 'tampered.token.value' })).status).toBe(401);
  });
});
