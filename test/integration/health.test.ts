import { startStack, type TestStack } from '../support/stack';

describe('operations endpoints', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('healthz answers while the process runs', async () => {
    const res = await stack.http('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  test('readyz checks SQLite, Redis and Temporal', async () => {
    const res = await stack.http('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ sqlite: 'ok', redis: 'ok', temporal: 'ok' });
  });

  test('readyz answers 503 naming the engine that does not answer', async () => {
    const broken = await startStack({ REDIS_URL: 'redis://127.0.0.1:1/0' });
    try {
      const res = await broken.http('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.body.failing).toEqual(['redis']);
      expect(res.body.checks.sqlite).toBe('ok');
    } finally {
      await broken.close();
    }
  });

  test("readyz tells a remote caller only the status; an admin's token or this machine gets the details", async () => {
    const remote = await startStack({ TRUST_PROXY: 'true', REDIS_URL: 'redis://127.0.0.1:1/0' });
    try {
      const from = { 'X-Forwarded-For': '203.0.113.50' };
      const anonymous = await remote.http('GET', '/readyz', { headers: from });
      expect(anonymous.status).toBe(503);
      expect(anonymous.body).toEqual({ status: 'unavailable' });
      expect(anonymous.text).not.toMatch(/redis|ECONNREFUSED|sqlite|temporal/i);
      for (const role of ['candidate', 'recruiter'] as const) {
        const { token } = await remote.user(role);
        expect((await remote.http('GET', '/readyz', { headers: from, token })).body).toEqual({ status: 'unavailable' });
      }
      expect((await remote.http('GET', '/readyz', { headers: from, token: 'not.a.token' })).body).toEqual({ status: 'unavailable' });
      const admin = await remote.user('admin');
      const detailed = await remote.http('GET', '/readyz', { headers: from, token: admin.token });
      expect(detailed.status).toBe(503);
      expect(detailed.body).toMatchObject({
        status: 'unavailable',
        failing: ['redis'],
        checks: { sqlite: 'ok', redis: expect.stringMatching(/^failed: /) },
      });
      const local = await remote.http('GET', '/readyz', { headers: { 'X-Forwarded-For': '127.0.0.1' } });
      expect(local.body.failing).toEqual(['redis']);
    } finally {
      await remote.close();
    }
  });

  test('unknown routes answer a 404 problem document', async () => {
    const res = await stack.http('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  test('metrics are Prometheus text with the HTTP latency histogram (for an admin)', async () => {
    await stack.http('GET', '/healthz');
    const res = await stack.http('GET', '/metrics', { token: (await stack.user('admin')).token });
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
  });

  test('an incoming well-formed X-Request-Id is echoed', async () => {
    const res = await stack.http('GET', '/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
