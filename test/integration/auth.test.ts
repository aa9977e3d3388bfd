import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UserSchema } from '../../src/db/entities/user.entity';
import { startStack, type TestStack } from '../support/stack';

const USER_KEYS = ['createdAt', 'email', 'fullName', 'id', 'role'];
const email = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.com`;
const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

describe('sign-up', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startStack(); });
  afterAll(async () => { await stack.close(); });

  const dbUser = (address: string) => stack.services.orm.em.fork().findOne(UserSchema, { email: address }, { populate: ['passwordHash'] });

  test('creates a candidate: 201 { user } with the contract fields and an argon2id hash stored', async () => {
    const address = email();
    const res = await stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw', fullName: 'Ada Lovelace' } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.user).sort()).toEqual(USER_KEYS);
    expect(res.body.user).toMatchObject({ email: address, role: 'candidate', fullName: 'Ada Lovelace' });
    expect(res.body.user.id).toMatch(/^\d+$/);
    const row = await dbUser(address);
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(res.text).not.toContain('argon2');
    expect(res.text).not.toContain('long-enough-pw');
  });

  test('stores the e-mail lower-cased and treats a differently cased one as taken (409)', async () => {
    const address = email('Mixed.Case');
    const first = await stack.http('POST', '/api/auth/signup', { body: { email: `  ${address.toUpperCase()} `, password: 'long-enough-pw' } });
    expect(first.status).toBe(201);
    expect(first.body.user.email).toBe(address.toLowerCase());
    const again = await stack.http('POST', '/api/auth/signup', { body: { email: address.toLowerCase(), password: 'another-password' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email_taken');
    expect(await stack.services.orm.em.fork().count(UserSchema, { email: address.toLowerCase() })).toBe(1);
  });

  test('two sign-ups for one e-mail at once: one 201, one 409', async () => {
    const address = email('race');
    const results = await Promise.all([0, 1, 2].map(() => stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw' } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  test('role "candidate" is accepted; any other role is 403 and creates nothing', async () => {
    expect((await stack.http('POST', '/api/auth/signup', { body: { email: email(), password: 'long-enough-pw', role: 'candidate' } })).body.user.role).toBe('candidate');
    for (const role of ['admin', 'recruiter', 'superuser']) {
      const address = email(role);
      const res = await stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw', role } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('role_not_allowed');
      expect(await dbUser(address)).toBeNull();
    }
  });

  test('422 lists every bad field: invalid e-mail, short password, unknown fields', async () => {
    const res = await stack.http('POST', '/api/auth/signup', { body: { email: 'not-an-email', password: 'short', active: false } });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 422, code: 'validation_failed', title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['active', 'email', 'password']);
    for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
    const sevenChars = await stack.http('POST', '/api/auth/signup', { body: { email: email(), password: '1234567' } });
    expect(sevenChars.body.errors).toEqual([{ path: 'password', message: expect.stringContaining('8') }]);
    expect((await stack.http('POST', '/api/auth/signup', { body: { email: email(), password: '12345678' } })).status).toBe(201);
  });
});

describe('login and me', () => {
  let stack: TestStack;
  // A generous allowance here; throttling has its own stacks below.
  beforeAll(async () => { stack = await startStack({ LOGIN_MAX_FAILURES: '100' }); });
  afterAll(async () => { await stack.close(); });

  test('JSON login answers a bearer token that /me accepts', async () => {
    const { user, password } = await stack.user('recruiter');
    const res = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600, accessToken: expect.any(String), tokenType: 'bearer', expiresIn: 3600 });
    expect(Object.keys(res.body).slice(0, 3)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(res.body.access_token).toBe(res.body.accessToken);
    const claims = jwt.decode(res.body.accessToken, { complete: true }) as jwt.Jwt;
    expect(claims.header.alg).toBe('HS256');
    expect(claims.payload).toMatchObject({ sub: String(user.id), role: 'recruiter', exp: expect.any(Number) });
    const me = await stack.http('GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: String(user.id), email: user.email, role: 'recruiter', fullName: user.fullName, createdAt: user.createdAt } });
  });

  test('the OAuth2 password form (username=…&password=…) works too, as Swagger UI sends it', async () => {
    const { user, password } = await stack.user('candidate');
    const res = await stack.http('POST', '/api/auth/login', { form: { grant_type: 'password', username: user.email.toUpperCase(), password, scope: '' } });
    expect(res.status).toBe(200);
    expect(res.body.tokenType).toBe('bearer');
    expect((await stack.http('GET', '/api/auth/me', { token: res.body.accessToken })).body.user.id).toBe(String(user.id));
  });

  test('the e-mail is matched case-insensitively', async () => {
    const { user, password } = await stack.user('candidate');
    expect((await stack.http('POST', '/api/auth/login', { body: { email: ` ${user.email.toUpperCase()}`, password } })).status).toBe(200);
  });

  test('a wrong password and an unknown e-mail get the same 401', async () => {
    const { user } = await stack.user('candidate');
    const wrong = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password: 'wrong-password' } });
    const unknown = await stack.http('POST', '/api/auth/login', { body: { email: email('nobody'), password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('unauthorized');
    expect(withoutRequestId(wrong.body)).toEqual(withoutRequestId(unknown.body));
  });

  test('an unknown e-mail costs about as long as a wrong password (a real hash check runs)', async () => {
    const { user } = await stack.user('candidate');
    const time = async (address: string) => {
      const started = performance.now();
      expect((await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'wrong-password' } })).status).toBe(401);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    await time(email('warm-up'));
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      wrong.push(await time(user.email));
      unknown.push(await time(email('nobody')));
    }
    // Without the dummy verification an unknown e-mail answers in ~1 ms against ~20 ms.
    expect(median(unknown) / median(wrong)).toBeGreaterThan(0.4);
    expect(median(unknown) / median(wrong)).toBeLessThan(2.5);
  });

  test('a deactivated user cannot log in, with the same 401', async () => {
    const { user, password } = await stack.user('candidate');
    const em = stack.services.orm.em.fork();
    await em.nativeUpdate(UserSchema, { id: user.id }, { active: false });
    const res = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password } });
    expect(res.status).toBe(401);
    const unknown = await stack.http('POST', '/api/auth/login', { body: { email: email('nobody'), password } });
    expect(withoutRequestId(res.body)).toEqual(withoutRequestId(unknown.body));
  });

  test('login validates its body (422) and refuses other content types (415)', async () => {
    const res = await stack.http('POST', '/api/auth/login', { body: { email: 'a@b.c' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: 'password', message: expect.any(String) }]);
    const form = await stack.http('POST', '/api/auth/login', { form: { password: 'x' } });
    expect(form.body.errors.map((e: { path: string }) => e.path)).toEqual(['username']);
    const text = await stack.http('POST', '/api/auth/login', { raw: 'email=a', headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  test('/me with no token is 401 with WWW-Authenticate: Bearer', async () => {
    const cases: Record<string, string>[] = [{}, { Authorization: 'Basic YTpi' }, { Authorization: 'Bearer' }, { Authorization: 'Bearer not.a.jwt' }];
    for (const headers of cases) {
      const res = await stack.http('GET', '/api/auth/me', { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.code).toBe('unauthorized');
    }
  });
});

describe('access tokens', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startStack(); });
  afterAll(async () => { await stack.close(); });

  const secret = () => stack.config.auth.secretKey;
  const meStatus = async (token: string) => {
    const res = await stack.http('GET', '/api/auth/me', { token });
    if (res.status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
    return res.status;
  };
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  test('a valid token passes (the control for the cases below)', async () => {
    const { user } = await stack.user('candidate');
    expect(await meStatus(jwt.sign({ role: 'candidate' }, secret(), { algorithm: 'HS256', subject: String(user.id), expiresIn: 60 }))).toBe(200);
  });

  test('alg "none" is refused', async () => {
    const { user } = await stack.user('admin');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(user.id), role: 'admin', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    expect(await meStatus(unsigned)).toBe(401);
  });

  test('another algorithm with the same secret (HS512) is refused', async () => {
    const { user } = await stack.user('candidate');
    expect(await meStatus(jwt.sign({ role: 'candidate' }, secret(), { algorithm: 'HS512', subject: String(user.id), expiresIn: 60 }))).toBe(401);
  });

  test('a token signed with another secret is refused', async () => {
    const { user } = await stack.user('candidate');
    expect(await meStatus(jwt.sign({ role: 'candidate' }, 'some-other-secret-of-sufficient-length', { algorithm: 'HS256', subject: String(user.id), expiresIn: 60 }))).toBe(401);
  });

  test('a tampered payload is refused', async () => {
    const { user, token } = await stack.user('candidate');
    const admin = await stack.user('admin');
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ sub: String(admin.user.id), role: 'admin', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
    expect(await meStatus(forged)).toBe(401);
    expect(await meStatus(token)).toBe(200);
    expect(user.role).toBe('candidate');
  });

  test('an expired token is refused', async () => {
    const { user } = await stack.user('candidate');
    const expired = jwt.sign({ role: 'candidate', exp: Math.floor(Date.now() / 1000) - 10 }, secret(), { algorithm: 'HS256', subject: String(user.id) });
    expect(await meStatus(expired)).toBe(401);
  });

  test('a token without exp, or for a user that does not exist, is refused', async () => {
    const { user } = await stack.user('candidate');
    expect(await meStatus(jwt.sign({ role: 'candidate' }, secret(), { algorithm: 'HS256', subject: String(user.id) }))).toBe(401);
    expect(await meStatus(jwt.sign({ role: 'admin' }, secret(), { algorithm: 'HS256', subject: '987654321', expiresIn: 60 }))).toBe(401);
  });

  test('a deactivated user\'s token stops working at once', async () => {
    const { user, token } = await stack.user('recruiter');
    const admin = await stack.user('admin');
    expect(await meStatus(token)).toBe(200);
    expect((await stack.http('PATCH', `/api/users/${user.id}`, { token: admin.token, body: { active: false } })).status).toBe(200);
    expect(await meStatus(token)).toBe(401);
    expect((await stack.http('GET', '/api/jobs', { token })).status).toBe(401);
  });

  test('a role change takes effect at once: 403 where the new role lacks access', async () => {
    const recruiter = await stack.user('recruiter');
    const admin = await stack.user('admin');
    expect((await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'a', company: 'b' } })).status).toBe(201);
    expect((await stack.http('PATCH', `/api/users/${recruiter.user.id}`, { token: admin.token, body: { role: 'candidate' } })).status).toBe(200);
    const after = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'a', company: 'b' } });
    expect(after.status).toBe(403);
    expect((await stack.http('GET', '/api/auth/me', { token: recruiter.token })).body.user.role).toBe('candidate');
  });
});

describe('failed log-in throttling', () => {
  const MAX = 3;
  let stack: TestStack;
  // Behind a trusted proxy, so each test can speak from its own address through X-Forwarded-For.
  beforeAll(async () => { stack = await startStack({ LOGIN_MAX_FAILURES: String(MAX), LOGIN_BLOCK_SECONDS: '120', TRUST_PROXY: 'true' }); });
  afterAll(async () => { await stack.close(); });

  const fromIp = () => ({ 'X-Forwarded-For': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` });
  const login = (address: string, password: string, headers: Record<string, string>) => stack.http('POST', '/api/auth/login', { body: { email: address, password }, headers });

  test(`after ${MAX} failures for one e-mail: 429 with Retry-After, even with the right password`, async () => {
    const { user, password } = await stack.user('candidate');
    const ip = fromIp();
    for (let i = 0; i < MAX; i++) expect((await login(user.email, 'wrong-password', ip)).status).toBe(401);
    const blocked = await login(user.email, password, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('content-type')).toContain('application/problem+json');
    expect(blocked.body.code).toBe('too_many_requests');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(100);
    expect(retryAfter).toBeLessThanOrEqual(120);
    // Per e-mail: the same account from another address is blocked too; another account is not.
    expect((await login(user.email, password, fromIp())).status).toBe(429);
    const other = await stack.user('candidate');
    expect((await login(other.user.email, other.password, ip)).status).toBe(200);
  });

  test('the counts live in Redis under this deployment\'s prefix', async () => {
    const { user } = await stack.user('candidate');
    await login(user.email, 'wrong-password', fromIp());
    const keys = await stack.services.redis.keys(`ats:${stack.config.notifier.queueName}:login-failures:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain(user.email);
  });

  test('a successful log-in resets the e-mail\'s failures', async () => {
    const { user, password } = await stack.user('candidate');
    const ip = fromIp();
    for (let i = 0; i < MAX - 1; i++) expect((await login(user.email, 'wrong-password', ip)).status).toBe(401);
    expect((await login(user.email, password, ip)).status).toBe(200);
    for (let i = 0; i < MAX - 1; i++) expect((await login(user.email, 'wrong-password', ip)).status).toBe(401);
    expect((await login(user.email, password, ip)).status).toBe(200);
  });

  test('one address failing across many e-mails gets blocked too', async () => {
    const ip = fromIp();
    const allowance = MAX * 10;
    for (let i = 0; i < allowance; i++) expect((await login(email('spray'), 'wrong-password', ip)).status).toBe(401);
    const { user, password } = await stack.user('candidate');
    const blocked = await login(user.email, password, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(user.email, password, fromIp())).status).toBe(200);
  });
});

describe('log-in throttling without a trusted proxy', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startStack({ LOGIN_MAX_FAILURES: '1' }); });
  afterAll(async () => { await stack.close(); });

  test('a client cannot escape the per-address limit by forging X-Forwarded-For', async () => {
    const forged = (n: number) => ({ 'X-Forwarded-For': `192.0.2.${n}` });
    const allowance = 10;
    for (let i = 0; i < allowance; i++) {
      expect((await stack.http('POST', '/api/auth/login', { body: { email: email('forger'), password: 'wrong-password' }, headers: forged(i) })).status).toBe(401);
    }
    const { user, password } = await stack.user('candidate');
    const blocked = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password }, headers: forged(200) });
    expect(blocked.status).toBe(429);
  });
});

describe('log-ins without Redis', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startStack({ REDIS_URL: 'redis://127.0.0.1:1/0', LOGIN_MAX_FAILURES: '2' }); });
  afterAll(async () => { await stack.close(); });

  test('still work, and failures are throttled in memory', async () => {
    const address = email('offline');
    expect((await stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw' } })).status).toBe(201);
    expect((await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'long-enough-pw' } })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'wrong-password' } })).status).toBe(401);
    const blocked = await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'long-enough-pw' } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });
});
