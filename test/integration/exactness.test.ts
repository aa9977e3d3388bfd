import { JobSchema } from '../../src/db/entities/job.entity';
import { CompanySchema } from '../../src/db/entities/company.entity';
import { UserSchema } from '../../src/db/entities/user.entity';
import http from 'node:http';
import { startStack, type TestStack } from '../support/stack';
import { responseValidator } from '../support/openapi-validator';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/** fetch() refuses TRACE, so requests go out through node:http. */
function send(
  base: string,
  method: string,
  path: string,
  token?: string,
): Promise<{ status: number; allow?: string; type?: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          allow: res.headers.allow,
          type: res.headers['content-type'],
          body: text ? JSON.parse(text) : undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** /openapi.json describes every answer, and the server accepts what it admits. */
describe('the OpenAPI document is exact', () => {
  let stack: TestStack;
  let doc: any;
  let admin: Actor;
  let recruiter: Actor;
  let candidate: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack();
    [admin, recruiter, candidate] = await Promise.all([stack.user('admin'), stack.user('recruiter'), stack.user('candidate')]);
    doc = (await stack.http('GET', '/openapi.json')).body;
    expectDocumented = await responseValidator(stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method, op, statuses: Object.keys(op.responses) })),
    );

  test('it has no allOf anywhere (client generators misread it)', () => {
    expect(JSON.stringify(doc)).not.toContain('"allOf"');
  });

  test("history's `from` is a stage id or null, written inline", () => {
    const from = doc.components.schemas.StageChange.properties.from;
    expect(from).toMatchObject({ type: ['string', 'null'], pattern: doc.components.schemas.Stage.pattern });
    expect(from.$ref).toBeUndefined();
  });

  test('every operation lists the statuses the server can answer', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(20);
    for (const { path, method, op, statuses } of ops) {
      const expected = ['405', '500'];
      if (['post', 'patch', 'put'].includes(method)) expected.push('400', '413');
      if (op.requestBody) expected.push('415', '422');
      if (op.parameters?.length) expected.push('422');
      if (path.includes('{')) expected.push('404');
      if (op.security?.some((s: object) => 'bearerAuth' in s)) expected.push('401');
      expect({ path, method, statuses }).toEqual({ path, method, statuses: expect.arrayContaining(expected) });
    }
    expect(Object.keys(doc.paths['/api/auth/login'].post.responses)).toContain('429');
    // The headers the server always sets on these answers are documented, as required.
    expect(doc.paths['/api/jobs'].get.responses['405'].headers.Allow).toMatchObject({ required: true, schema: { type: 'string' } });
    expect(doc.paths['/api/auth/me'].get.responses['401'].headers['WWW-Authenticate']).toMatchObject({ required: true });
    expect(doc.paths['/api/auth/login'].post.responses['429'].headers['Retry-After']).toMatchObject({ required: true });
    expect(doc.paths['/api/jobs/{id}/apply'].post.responses['503'].headers['Retry-After']).toMatchObject({ required: true });
    for (const [path, method] of [
      ['/api/jobs/{id}/apply', 'post'],
      ['/api/applications/{id}/stage', 'patch'],
      ['/api/applications/{id}/withdraw', 'post'],
    ]) {
      expect(Object.keys(doc.paths[path][method].responses)).toContain('503');
    }
  });

  test('a method a path does not serve is a 405 problem with Allow, TRACE and PROPFIND included', async () => {
    const cases: [string, string, string, string[]][] = [
      ['TRACE', '/api/jobs', '/api/jobs', ['GET', 'POST']],
      ['PROPFIND', '/api/jobs/1', '/api/jobs/{id}', ['DELETE', 'GET', 'PATCH']],
      ['DELETE', '/api/auth/me', '/api/auth/me', ['GET']],
      ['PUT', '/api/jobs/', '/api/jobs', ['GET', 'POST']],
      ['GET', '/api/applications/x/stage', '/api/applications/{id}/stage', ['PATCH']],
      ['POST', '/', '/', ['GET']],
    ];
    for (const [method, path, template, allowed] of cases) {
      const res = await send(stack.url, method, path, admin.token);
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 405, code: 'method_not_allowed' });
      expect(res.type).toContain('application/problem+json');
      expect(res.allow!.split(/,\s*/)).toEqual(expect.arrayContaining(allowed));
      expect(doc.paths[template][method.toLowerCase()]).toBeUndefined();
    }
    const nowhere = await send(stack.url, 'TRACE', '/api/nowhere');
    expect(nowhere.status).toBe(404);
  });

  test('a trailing slash is accepted on every path, new ones included', async () => {
    for (const path of ['/healthz/', '/openapi.json/', '/api/companies/', '/api/jobs/?limit=1', '/api/auth/me/']) {
      const res = await stack.http('GET', path, { token: admin.token });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    const company = await stack.http('POST', '/api/companies/', { token: admin.token, body: { name: 'Slash & Co' } });
    expect(company.status).toBe(201);
    expect((await stack.http('GET', `/api/companies/${company.body.id}/`)).body.name).toBe('Slash & Co');
  });

  test('PATCH /api/users/{id} with nothing to change is a 422', async () => {
    const res = await stack.http('PATCH', `/api/users/${candidate.user.id}`, { token: admin.token, body: {} });
    expect(res.status).toBe(422);
    expectDocumented('patch', '/api/users/{id}', res);
    expect(doc.components.schemas.UpdateUser.minProperties).toBe(1);
  });

  test('a body the document requires is required (no body is a 422); one it marks optional may be left out', async () => {
    const optional = operations()
      .filter(({ op }) => op.requestBody && !op.requestBody.required)
      .map(({ method, path }) => `${method} ${path}`);
    // Applying with neither field is an application without a cover letter or résumé URL.
    expect(optional).toContain('post /api/jobs/{id}/apply');
    const hook = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: 'https://hooks.example.com/exact', events: ['job.created'] },
    });
    expect(hook.status).toBe(201);
    for (const [method, path, token] of [
      ['PATCH', `/api/webhooks/${hook.body.id}`, admin.token],
      ['PATCH', `/api/users/${candidate.user.id}`, admin.token],
      ['POST', '/api/jobs', recruiter.token],
    ] as const) {
      const res = await stack.http(method, path, { token });
      expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 422, code: 'validation_failed' });
    }
    expect((await stack.http('GET', `/api/webhooks/${hook.body.id}`, { token: admin.token })).body.active).toBe(true);
  });

  test('a NUL or another control character in any text field is a 422 naming it, and nothing is written', async () => {
    const jobs = await stack.services.orm.em.fork().count(JobSchema, {});
    const companies = await stack.services.orm.em.fork().count(CompanySchema, {});
    const users = await stack.services.orm.em.fork().count(UserSchema, {});
    const job = (await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Clean', company: 'CleanCo' } })).body;
    const cases: [string, string, Record<string, unknown>, string, string][] = [
      ['POST', '/api/jobs', { title: 'a\u0000b', company: 'X' }, 'title', '/api/jobs'],
      ['POST', '/api/jobs', { title: 'ok', company: 'X\u0000' }, 'company', '/api/jobs'],
      ['POST', '/api/jobs', { title: 'ok', company: 'X', description: 'd\u0000' }, 'description', '/api/jobs'],
      ['POST', '/api/jobs', { title: 'ok', company: 'X', location: '\u0007bell' }, 'location', '/api/jobs'],
      ['PATCH', `/api/jobs/${job.id}`, { title: 'carriage\rreturn' }, 'title', '/api/jobs/{id}'],
      ['POST', '/api/companies', { name: 'N\u0000' }, 'name', '/api/companies'],
      [
        'POST',
        '/api/auth/signup',
        { email: 'nul@example.com', password: 'secret-password', full_name: 'Nul\u0000' },
        'full_name',
        '/api/auth/signup',
      ],
      [
        'POST',
        '/api/users',
        { email: 'nul2@example.com', password: 'secret-password', role: 'recruiter', fullName: '\u001b[31m' },
        'fullName',
        '/api/users',
      ],
      ['POST', `/api/jobs/${job.id}/apply`, { coverLetter: 'hi\u0000' }, 'coverLetter', '/api/jobs/{id}/apply'],
      [
        'PATCH',
        '/api/applications/application-job1-candidate1/stage',
        { stage: 'screening', reason: 'r\u0000' },
        'reason',
        '/api/applications/{id}/stage',
      ],
    ];
    for (const [method, path, body, field, template] of cases) {
      const token = path.includes('apply') ? candidate.token : path.includes('users') ? admin.token : recruiter.token;
      const res = await stack.http(method, path, { token, body });
      expect({ path, field, status: res.status, paths: res.body.errors?.map((e: { path: string }) => e.path) }).toEqual({
        path,
        field,
        status: 422,
        paths: [field],
      });
      expectDocumented(method, template, res);
    }
    expect(await stack.services.orm.em.fork().count(JobSchema, {})).toBe(jobs + 1);
    expect(await stack.services.orm.em.fork().count(CompanySchema, {})).toBe(companies + 1);
    expect(await stack.services.orm.em.fork().count(UserSchema, {})).toBe(users);
    const q = await stack.http('GET', `/api/jobs?q=${encodeURIComponent('a\u0000')}`);
    expect(q.status).toBe(422);
    expect(q.body.errors[0].path).toBe('q');
  });

  test('tab and newline are text', async () => {
    const res = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Tab\there', company: 'Lines', description: 'one\ntwo\n\tthree' },
    });
    expect(res.status).toBe(201);
    expectDocumented('post', '/api/jobs', res);
    expect(res.body.description).toBe('one\ntwo\n\tthree');
  });

  test('every cursor the document admits is harmless, and only those are refused', async () => {
    for (const cursor of ['1', '999999999999999']) {
      const res = await stack.http('GET', `/api/jobs?cursor=${cursor}`);
      expect(res.status).toBe(200);
      expectDocumented('get', '/api/jobs', res);
    }
    const app = await stack.http(
      'GET',
      `/api/applications?cursor=${encodeURIComponent('2099-13-45T99:99:99Z~application-job1-candidate1')}`,
      { token: admin.token },
    );
    expect(app.status).toBe(200);
    expectDocumented('get', '/api/applications', app);
    for (const cursor of ['0', '01', 'abc']) {
      const res = await stack.http('GET', `/api/jobs?cursor=${cursor}`);
      expect(res.status).toBe(422);
      expect(
        new RegExp(doc.paths['/api/jobs'].get.parameters.find((p: { name: string }) => p.name === 'cursor').schema.pattern).test(cursor),
      ).toBe(false);
    }
  });

  test('e-mail addresses: what the pattern admits, sign-up accepts, and the other way round', async () => {
    const pattern = new RegExp(doc.components.schemas.Signup.properties.email.pattern, 'u');
    const cases = [
      'plain@example.com',
      ' Padded@Example.COM ',
      "o'neil+tag@sub.example.org",
      'no-at-sign',
      'two@@example.com',
      'dot.@example.com',
      'x@example',
    ];
    for (const email of cases) {
      const res = await stack.http('POST', '/api/auth/signup', { body: { email, password: 'secret-password' } });
      expect({ email, admitted: pattern.test(email) }).toEqual({ email, admitted: res.status === 201 });
      expectDocumented('post', '/api/auth/signup', res);
    }
  });

  test('answers of the other routes match their schemas too', async () => {
    const samples: [string, string, string, string | undefined][] = [
      ['GET', '/api/auth/me', '/api/auth/me', admin.token],
      ['GET', '/api/auth/me', '/api/auth/me', undefined],
      ['GET', '/api/users?limit=2', '/api/users', admin.token],
      ['GET', '/api/users', '/api/users', candidate.token],
      ['GET', '/api/jobs', '/api/jobs', undefined],
      ['GET', '/api/jobs', '/api/jobs', 'not-a-token'],
      ['GET', '/api/jobs/424242', '/api/jobs/{id}', undefined],
      ['GET', '/api/companies', '/api/companies', undefined],
      ['GET', '/api/companies/424242', '/api/companies/{id}', undefined],
      ['GET', '/api/applications?limit=0', '/api/applications', admin.token],
      ['GET', '/api/applications/nope', '/api/applications/{id}', admin.token],
    ];
    for (const [method, path, template, token] of samples) expectDocumented(method, template, await stack.http(method, path, { token }));
    const malformed = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      raw: '{"title":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expectDocumented('post', '/api/jobs', malformed);
    const deleted = await stack.http(
      'DELETE',
      `/api/jobs/${(await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Gone', company: 'X' } })).body.id}`,
      { token: recruiter.token },
    );
    expect(deleted.status).toBe(204);
    expectDocumented('delete', '/api/jobs/{id}', deleted);
  });
});
