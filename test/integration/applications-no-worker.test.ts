import { startStack, type TestStack } from '../support/stack';
import { createJob } from '../support/applications';
import { responseValidator } from '../support/openapi-validator';

/** With no worker polling, requests that need the workflow answer 503 in time instead of hanging. */
describe('applications while no worker runs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ TEMPORAL_REQUEST_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('apply answers 503 try_again with Retry-After within the deadline, and writes no row', async () => {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const job = await createJob(stack, recruiter.user.id);
    const started = Date.now();
    const res = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('try_again');
    expect(res.headers.get('retry-after')).toBe('1');
    (await responseValidator(stack))('post', '/api/jobs/{id}/apply', res);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [{ count }] = await stack.services.orm.em
      .fork()
      .execute<{ count: number }[]>('select count(*) as count from applications', [], 'all');
    expect(count).toBe(0);
  });
});
