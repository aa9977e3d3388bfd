import { startStack, type TestStack } from '../support/stack';
import { UserSchema } from '../../src/db/entities/user.entity';
import { ensureAdmin } from '../../src/accounts/admin';

const BASE = '/admin/queues';

/** Who may open the queue dashboard, and how a browser gets in without a token in any URL. */
describe('queue dashboard access', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  async function session(token: string): Promise<string> {
    const res = await stack.http('POST', `${BASE}/session`, { token });
    expect(res.status).toBe(204);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ats_queue_dashboard='))!;
    return cookie.split(';')[0];
  }

  test('no credentials: 401 problem with a Bearer challenge, for the page and its API alike', async () => {
    for (const path of [BASE, `${BASE}/`, `${BASE}/api/queues`, `${BASE}/static/favicon-32x32.png`]) {
      const res = await stack.http('GET', path);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body).toMatchObject({ status: 401, code: 'unauthorized' });
    }
  });

  test('candidates and recruiters get 403; admins get the dashboard with a bearer token', async () => {
    for (const role of ['candidate', 'recruiter'] as const) {
      const { token } = await stack.user(role);
      expect((await stack.http('GET', BASE, { token })).status).toBe(403);
      expect((await stack.http('GET', `${BASE}/api/queues`, { token })).status).toBe(403);
      expect((await stack.http('POST', `${BASE}/session`, { token })).status).toBe(403);
    }
    const { token } = await stack.user('admin');
    const page = await stack.http('GET', BASE, { token });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const api = await stack.http('GET', `${BASE}/api/queues?page=1&jobsPerPage=10`, { token });
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name)).toEqual([stack.config.notifier.queueName]);
  });

  test('an admin trades the token for a short-lived HttpOnly SameSite=Strict cookie that opens the dashboard', async () => {
    expect((await stack.http('POST', `${BASE}/session`)).status).toBe(401);
    const admin = await stack.user('admin');
    const res = await stack.http('POST', `${BASE}/session`, { token: admin.token });
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/ats_queue_dashboard=[^;]+; path=\/admin\/queues; expires=[^;]+; samesite=strict; httponly/i);
    expect(setCookie).not.toContain(admin.token);
    const cookie = await session(admin.token);

    const page = await stack.http('GET', BASE, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    expect((await stack.http('GET', `${BASE}/api/queues?page=1&jobsPerPage=10`, { headers: { Cookie: cookie } })).status).toBe(200);

    // The cookie is no API token, and a forged or altered one opens nothing.
    const value = cookie.split('=')[1];
    expect((await stack.http('GET', BASE, { token: value })).status).toBe(401);
    expect((await stack.http('GET', BASE, { headers: { Cookie: `ats_queue_dashboard=${value.slice(0, -2)}xx` } })).status).toBe(401);
    // Nor does an API token in the cookie.
    expect((await stack.http('GET', BASE, { headers: { Cookie: `ats_queue_dashboard=${admin.token}` } })).status).toBe(401);
  });

  test('cookie sessions refuse cross-site writes and die with the account', async () => {
    const admin = await stack.user('admin');
    const cookie = await session(admin.token);
    const cross = await stack.http('PUT', `${BASE}/api/queues/${stack.config.notifier.queueName}/pause`, {
      headers: { Cookie: cookie, Origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    const fetchSite = await stack.http('PUT', `${BASE}/api/queues/${stack.config.notifier.queueName}/pause`, {
      headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(fetchSite.status).toBe(403);
    const sameSite = await stack.http('PUT', `${BASE}/api/queues/${stack.config.notifier.queueName}/pause`, {
      headers: { Cookie: cookie, Origin: stack.url, 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(sameSite.status).toBe(200);
    expect(
      (
        await stack.http('PUT', `${BASE}/api/queues/${stack.config.notifier.queueName}/resume`, {
          headers: { Cookie: cookie, Origin: stack.url },
        })
      ).status,
    ).toBe(200);
    const asset = await stack.http('GET', `${BASE}/static/favicon-32x32.png`, { headers: { Cookie: cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('image/png');

    const em = stack.services.orm.em.fork();
    (await em.findOneOrFail(UserSchema, { id: admin.user.id })).role = 'recruiter';
    await em.flush();
    expect((await stack.http('GET', BASE, { headers: { Cookie: cookie } })).status).toBe(403);
    (await em.findOneOrFail(UserSchema, { id: admin.user.id })).active = false;
    await em.flush();
    expect((await stack.http('GET', BASE, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  test('a cookie issued before a password reset is refused, as the tokens of the old password are', async () => {
    const admin = await stack.user('admin');
    const cookie = await session(admin.token);
    expect((await stack.http('GET', BASE, { headers: { Cookie: cookie } })).status).toBe(200);
    expect(await ensureAdmin(stack.services, admin.user.email, 'a-new-operator-password', { resetPassword: true })).toBe('reset');
    const refused = await stack.http('GET', BASE, { headers: { Cookie: cookie } });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('unauthorized');
    expect((await stack.http('GET', `${BASE}/api/queues?page=1&jobsPerPage=10`, { headers: { Cookie: cookie } })).status).toBe(401);
    // A session opened under the new password works.
    const login = await stack.http('POST', '/api/auth/login', { body: { email: admin.user.email, password: 'a-new-operator-password' } });
    expect((await stack.http('GET', BASE, { headers: { Cookie: await session(login.body.accessToken) } })).status).toBe(200);
  });

  test('the sign-in page is public and holds no data; signing out clears the cookie', async () => {
    const login = await stack.http('GET', `${BASE}/login`);
    expect(login.status).toBe(200);
    expect(login.text).toContain('/api/auth/login');
    const out = await stack.http('DELETE', `${BASE}/session`);
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join()).toMatch(/ats_queue_dashboard=;.*expires=Thu, 01 Jan 1970/i);
  });
});
