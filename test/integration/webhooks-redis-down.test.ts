import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';

/** Redis unreachable from the API: writes without Idempotency-Key still answer; with it, 503. */
describe('webhooks and idempotency with Redis down', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails.
    stack = await startStack({ REDIS_URL: 'redis://127.0.0.1:1/0' });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  test('a job write with subscribers answers 201 within seconds; its delivery row waits in SQL for the sweep', async () => {
    const admin = await stack.user('admin');
    const recruiter = await stack.user('recruiter');
    const created = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: 'https://example.com/down', events: ['job.created'] },
    });
    expect(created.status).toBe(201);
    const started = Date.now();
    const job = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'Written anyway', company: 'Down' } });
    expect(job.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5_000);
    const rows = await stack.services.orm.em
      .fork()
      .execute<{ status: string }[]>('select status from webhook_deliveries where subscription_id = ?', [created.body.id], 'all');
    expect(rows).toEqual([{ status: 'pending' }]);
  });

  test('with an Idempotency-Key the write is refused with 503 try_again, and nothing is written', async () => {
    const recruiter = await stack.user('recruiter');
    const res = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { title: 'Keyed while down', company: 'Down' },
    });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('try_again');
    expect(res.headers.get('retry-after')).toBeTruthy();
    const [{ count }] = await stack.services.orm.em
      .fork()
      .execute<{ count: number }[]>('select count(*) as count from jobs where title = ?', ['Keyed while down'], 'all');
    expect(Number(count)).toBe(0);
  });
});
