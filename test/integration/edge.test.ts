import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import net, { type AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createServices } from '../../src/main/services';
import { createApp } from '../../src/http/app';
import { migrateUp } from '../../src/db/orm';
import { UserSchema } from '../../src/db/entities/user.entity';
import { startStack, testEnv, type TestStack } from '../support/stack';

const problemKeys = ['code', 'detail', 'requestId', 'status', 'title', 'type'];

describe('edge hygiene', () => {
  let stack: TestStack;
  let token: string;
  beforeAll(async () => {
    stack = await startStack();
    token = (await stack.user('recruiter')).token;
  });
  afterAll(async () => {
    await stack.close();
  });

  test('a body over 1 MiB is a 413 problem', async () => {
    const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(1024 * 1024) });
    const res = await stack.http('POST', '/api/auth/signup', { raw: big, headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
    // Just under the limit is parsed (and then validated: the password is too long).
    const fits = await stack.http('POST', '/api/auth/signup', {
      raw: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(1000 * 1000) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(fits.status).toBe(422);
  });

  test('malformed JSON is a 400 problem that does not echo the body', async () => {
    for (const raw of ['{"email": "a@b.c", secret-canary', '"just a string"']) {
      const res = await stack.http('POST', '/api/jobs', { token, raw, headers: { 'Content-Type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('malformed_json');
      expect(res.text).not.toContain('secret-canary');
    }
  });

  test('a non-JSON body on a JSON route is 415 and creates nothing', async () => {
    const before = await stack.http('GET', '/api/jobs?limit=100', { token });
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await stack.http('POST', '/api/jobs', { token, raw: 'title=a&company=b', headers: { 'Content-Type': type } });
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported_media_type');
    }
    expect((await stack.http('GET', '/api/jobs?limit=100', { token })).body.items).toHaveLength(before.body.items.length);
  });

  test('security headers are on every response, errors included', async () => {
    for (const res of [
      await stack.http('GET', '/healthz'),
      await stack.http('GET', '/api/auth/me'),
      await stack.http('GET', '/api/jobs', { token }),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  test('without CORS_ORIGINS no cross-origin access is granted', async () => {
    const res = await stack.http('GET', '/healthz', { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('X-Request-Id is on every response, errors included, and matches the problem body', async () => {
    const responses = [
      await stack.http('GET', '/api/auth/me'),
      await stack.http('GET', '/api/jobs/424242', { token }),
      await stack.http('POST', '/api/jobs', { token, body: {} }),
      await stack.http('GET', '/api/nowhere'),
      await stack.http('GET', '/api/jobs', { token }),
    ];
    expect(responses.map((r) => r.status)).toEqual([401, 404, 422, 404, 200]);
    for (const res of responses) {
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      if (res.status >= 400) expect(res.body.requestId).toBe(id);
    }
  });

  test('a request the HTTP parser refuses is a problem with a request id, not a bare status line', async () => {
    const refused: Array<[string, number, string]> = [
      ['GET /api/jobs HTTP/1.1\r\nHost: x\r\nX-Note: a\x01b\r\n\r\n', 400, 'malformed_request'],
      ['POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400, 'malformed_request'],
      [`GET /api/jobs HTTP/1.1\r\nHost: x\r\nX-Note: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
    ];
    for (const [request, status, code] of refused) {
      const answer = await rawExchange(stack.url, request);
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(problemKeys);
      expect(body).toMatchObject({ status, code });
      expect(body.requestId).toBe(answer.headers['x-request-id']);
      expect(answer.body).not.toContain('aaaa');
    }
  });

  test('one trailing slash is accepted wherever the path without it is', async () => {
    const created = await stack.http('POST', '/api/jobs/', { token, body: { title: 'Slash', company: 'Trailing' } });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++)
      expect((await stack.http('POST', '/api/jobs/', { token, body: { title: `Slash ${i}`, company: 'Trailing' } })).status).toBe(201);
    const plain = await stack.http('GET', '/api/jobs?limit=2', { token });
    const slashed = await stack.http('GET', '/api/jobs/?limit=2', { token });
    expect(slashed.status).toBe(200);
    expect(slashed.body).toEqual(plain.body);
    // The query string survives the rewrite.
    expect(slashed.body.items).toHaveLength(2);
    expect((await stack.http('GET', `/api/jobs/${created.body.id}/`, { token })).body.title).toBe('Slash');
    expect((await stack.http('GET', '/api/auth/me/', { token })).status).toBe(200);
    expect((await stack.http('PATCH', `/api/jobs/${created.body.id}/`, { token, body: { status: 'closed' } })).body.status).toBe('closed');
  });

  test('/openapi.json is OpenAPI 3.1 generated from the route schemas', async () => {
    const res = await stack.http('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const [p, methods] of Object.entries({
      '/api/auth/signup': ['post'],
      '/api/auth/login': ['post'],
      '/api/auth/me': ['get'],
      '/api/users': ['get', 'post'],
      '/api/users/{id}': ['patch'],
      '/api/jobs': ['get', 'post'],
      '/api/jobs/{id}': ['delete', 'get', 'patch'],
    })) {
      expect(Object.keys(doc.paths[p]).sort()).toEqual(methods);
    }
    expect(Object.keys(doc.components.schemas.Job.properties).sort()).toEqual([
      'company',
      'companyId',
      // Only in `?mine=true` answers to staff.
      'counts',
      'createdAt',
      'createdBy',
      'description',
      'id',
      'location',
      'status',
      'title',
      'updatedAt',
    ]);
    expect(Object.keys(doc.components.schemas.User.properties).sort()).toEqual(['createdAt', 'email', 'fullName', 'id', 'role']);
    expect(doc.components.schemas.UpdateUser.additionalProperties).toBe(false);
    const login = doc.paths['/api/auth/login'].post;
    // The form is taken (see the sign-in test below) but documented in words only: openapi-python-client
    // generates a module that does not import for a body with two content types.
    expect(Object.keys(login.requestBody.content)).toEqual(['application/json']);
    expect(login.description).toMatch(/application\/x-www-form-urlencoded.*`username`.*`password`/);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/api/auth/login' } },
      'x-tokenName': 'access_token',
    });
    const list = doc.paths['/api/jobs'].get;
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['companyId', 'cursor', 'limit', 'mine', 'q', 'status']);
    // The public job board: anonymous, or with a token for more.
    expect(list.security).toEqual([{}, { bearerAuth: [] }]);
    expect(Object.keys(doc.paths['/api/jobs'].post.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '405',
      '409',
      '413',
      '415',
      '422',
      '500',
      '503',
    ]);
    expect(doc.paths['/api/auth/signup'].post.security).toEqual([]);
  });
});

describe('CORS for configured origins', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: 'https://app.example, https://admin.example' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('a listed origin is allowed, an unlisted one is not', async () => {
    const allowed = await stack.http('GET', '/healthz', { headers: { Origin: 'https://admin.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const denied = await stack.http('GET', '/healthz', { headers: { Origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('preflight answers only for a listed origin', async () => {
    const headers = { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' };
    const ok = await stack.http('OPTIONS', '/api/jobs', { headers: { ...headers, Origin: 'https://app.example' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const no = await stack.http('OPTIONS', '/api/jobs', { headers: { ...headers, Origin: 'https://evil.example' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
    expect(no.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('server failures', () => {
  test('a 5xx body says only that the server failed, with the request id', async () => {
    const stack = await startStack();
    try {
      const { token } = await stack.user('candidate');
      await stack.services.orm.em.getConnection().execute('alter table jobs rename to jobs_moved_away');
      const res = await stack.http('GET', '/api/jobs', { token });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Object.keys(res.body).sort()).toEqual(problemKeys);
      expect(res.body).toMatchObject({ status: 500, code: 'internal_error', detail: 'The server failed to handle this request.' });
      expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
      expect(res.text).not.toMatch(/no such table|sqlite|select|jobs|\.ts|at /i);
    } finally {
      await stack.close();
    }
  });
});

describe('logs', () => {
  test('at debug level they contain no password, hash or token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-logs-'));
    const config = loadConfig(testEnv(dir, { LOG_LEVEL: 'debug' }));
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const services = await createServices(config, pino({ level: 'debug', name: 'api' }, sink));
    await migrateUp(services.orm);
    const server = createApp(services).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = (p: string, body: string, type = 'application/json') =>
      fetch(base + p, { method: 'POST', headers: { 'Content-Type': type }, body });
    try {
      const email = 'logged-user@example.com';
      const password = 'Canary-Password-4711';
      expect((await post('/api/auth/signup', JSON.stringify({ email, password }))).status).toBe(201);
      expect((await post('/api/auth/login', JSON.stringify({ email, password: 'Wrong-Canary-0815' }))).status).toBe(401);
      const login = (await (await post('/api/auth/login', JSON.stringify({ email, password }))).json()) as { accessToken: string };
      const form = (await (
        await post('/api/auth/login', new URLSearchParams({ username: email, password }).toString(), 'application/x-www-form-urlencoded')
      ).json()) as { accessToken: string };
      expect((await fetch(`${base}/api/auth/me`, { headers: { Authorization: `Bearer ${login.accessToken}` } })).status).toBe(200);
      const row = await services.orm.em.fork().findOne(UserSchema, { email }, { populate: ['passwordHash'] });

      // The capture works: the request log lines and the sign-up event are there.
      expect(output).toContain('"path":"/api/auth/login"');
      expect(output).toContain('candidate signed up');
      for (const secret of [
        password,
        'Wrong-Canary-0815',
        login.accessToken,
        form.accessToken,
        row!.passwordHash,
        row!.passwordHash.split('$').pop()!,
      ]) {
        expect(secret.length).toBeGreaterThan(10);
        expect(output).not.toContain(secret);
      }
      expect(output).not.toContain('Canary');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await services.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** One request written as raw bytes (as no HTTP client would send it) and the answer, read until the server closes. */
function rawExchange(url: string, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}
