import { startStack, type TestStack } from '../support/stack';

describe('operations endpoints', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startStack(); });
  afterAll(async () => { await stack.close(); });

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

  test('unknown routes answer a 404 problem document', async () => {
    const res = await stack.http('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
  });

  test('metrics are Prometheus text with the HTTP latency histogram', async () => {
    await stack.http('GET', '/healthz');
    const res = await stack.http('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
  });

  test('an incoming well-formed X-Request-Id is echoed', async () => {
    const res = await stack.http('GET', '/healthz', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
