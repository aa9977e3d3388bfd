import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * Right passwords cost a hash too: a client with a handful of valid accounts used to keep the hash
 * queue full, and everyone else's log-ins got 503. Behind a trusted proxy here, so each request
 * speaks from the address X-Forwarded-For names.
 */
describe('log-in budgets', () => {
  const PER_ADDRESS = 20;
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      TRUST_PROXY: 'true',
      LOGIN_MAX_PER_IP: String(PER_ADDRESS),
      LOGIN_MAX_PER_ACCOUNT: '3',
      SIGNUP_MAX_PER_IP: '2',
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  const login = (who: Actor, from: string, password = who.password) =>
    stack.http('POST', '/api/auth/login', { body: { email: who.user.email, password }, headers: { 'X-Forwarded-For': from } });
  const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

  test('a flood of right passwords from one /64 gets 429s before the hash queue fills; other addresses log in meanwhile (no 503)', async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, () => stack.user('candidate')));
    const honest = await Promise.all(Array.from({ length: 20 }, () => stack.user('candidate')));
    // Every request from another address of one /64, as any IPv6 subscriber can.
    const flood = Array.from({ length: 200 }, (_, i) => login(accounts[i % accounts.length], `2001:db8:66:1::${(i + 1).toString(16)}`));
    await new Promise((r) => setTimeout(r, 50));
    const others = await Promise.all(honest.map((who, i) => login(who, `203.0.113.${i + 1}`)));
    const flooded = (await Promise.all(flood)).map((r) => r.status);

    expect(others.map((r) => r.status)).toEqual(honest.map(() => 200));
    expect({ unexpected: flooded.filter((s) => s !== 200 && s !== 429) }).toEqual({ unexpected: [] });
    expect(count(flooded, 200)).toBeGreaterThan(0);
    expect(count(flooded, 200)).toBeLessThanOrEqual(PER_ADDRESS);
    // An account the flood never used: only the address's budget is spent.
    const fresh = await stack.user('candidate');
    const after = await login(fresh, '2001:db8:66:1:abcd::1');
    expect(after.status).toBe(429);
    expect(after.body).toMatchObject({ code: 'too_many_requests', detail: expect.stringContaining('from this address') });
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(0);
    // The next /64 has its own budget.
    expect((await login(fresh, '2001:db8:66:2::1')).status).toBe(200);
  });

  test('an account has a budget of successful log-ins; wrong passwords never spend it', async () => {
    const owner = await stack.user('candidate');
    for (let i = 0; i < 5; i++) expect((await login(owner, '198.51.100.200', 'wrong-password')).status).toBe(401);
    for (let i = 1; i <= 3; i++) expect((await login(owner, `198.51.100.${i}`)).status).toBe(200);
    const over = await login(owner, '198.51.100.99');
    expect(over.status).toBe(429);
    expect(over.body.detail).toContain('to this account');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await stack.user('candidate');
    expect((await login(other, '198.51.100.99')).status).toBe(200);
  });

  test('sign-ups from two addresses of one /64 share a budget, as do an IPv4 address and its IPv4-mapped form', async () => {
    const signup = (from: string) =>
      stack.http('POST', '/api/auth/signup', {
        body: { email: `v6-${randomUUID().slice(0, 8)}@example.com`, password: 'long-enough-pw' },
        headers: { 'X-Forwarded-For': from },
      });
    expect((await signup('2001:db8:5:6::1')).status).toBe(201);
    expect((await signup('2001:db8:5:6::2')).status).toBe(201);
    expect((await signup('2001:db8:5:6:ffff:1:2:3')).status).toBe(429);
    expect((await signup('2001:db8:5:7::1')).status).toBe(201);

    expect((await signup('::ffff:192.0.2.44')).status).toBe(201);
    expect((await signup('192.0.2.44')).status).toBe(201);
    expect((await signup('::ffff:c000:22c')).status).toBe(429);
  });
});
