import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { UserSchema } from '../../src/db/entities/user.entity';
import { ensureAdmin } from '../../src/accounts/admin';
import { freePort } from '../../src/dev/engines';
import { authenticate } from '../../src/http/middleware/auth';
import { startStack, testEnv, type TestStack } from '../support/stack';

const USER_KEYS = ['createdAt', 'email', 'fullName', 'id', 'role'];
const email = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.com`;
const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

describe('sign-up', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ SIGNUP_MAX_PER_IP: '100' });
  });
  afterAll(async () => {
    await stack.close();
  });

  const dbUser = (address: string) => stack.services.orm.em.fork().findOne(UserSchema, { email: address }, { populate: ['passwordHash'] });

  test('creates a candidate: 201 { user } with the contract fields and an argon2id hash stored', async () => {
    const address = email();
    const res = await stack.http('POST', '/api/auth/signup', {
      body: { email: address, password: 'long-enough-pw', fullName: 'Ada Lovelace' },
    });
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
    const first = await stack.http('POST', '/api/auth/signup', {
      body: { email: `  ${address.toUpperCase()} `, password: 'long-enough-pw' },
    });
    expect(first.status).toBe(201);
    expect(first.body.user.email).toBe(address.toLowerCase());
    const again = await stack.http('POST', '/api/auth/signup', { body: { email: address.toLowerCase(), password: 'another-password' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email_taken');
    expect(await stack.services.orm.em.fork().count(UserSchema, { email: address.toLowerCase() })).toBe(1);
  });

  test('two sign-ups for one e-mail at once: one 201, one 409', async () => {
    const address = email('race');
    const results = await Promise.all(
      [0, 1, 2].map(() => stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw' } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  test('role "candidate" is accepted; any other role is 403 and creates nothing', async () => {
    expect(
      (await stack.http('POST', '/api/auth/signup', { body: { email: email(), password: 'long-enough-pw', role: 'candidate' } })).body.user
        .role,
    ).toBe('candidate');
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
    expect(res.body).toMatchObject({
      status: 422,
      code: 'validation_failed',
      title: expect.any(String),
      type: expect.any(String),
      detail: expect.any(String),
    });
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
  beforeAll(async () => {
    stack = await startStack({ LOGIN_MAX_FAILURES: '100' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('JSON login answers a bearer token that /me accepts', async () => {
    const { user, password } = await stack.user('recruiter');
    const res = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3600,
      accessToken: expect.any(String),
      tokenType: 'bearer',
      expiresIn: 3600,
    });
    expect(Object.keys(res.body).slice(0, 3)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(res.body.access_token).toBe(res.body.accessToken);
    const claims = jwt.decode(res.body.accessToken, { complete: true }) as jwt.Jwt;
    expect(claims.header.alg).toBe('HS256');
    expect(claims.payload).toMatchObject({ sub: String(user.id), role: 'recruiter', exp: expect.any(Number) });
    const me = await stack.http('GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: { id: String(user.id), email: user.email, role: 'recruiter', fullName: user.fullName, createdAt: user.createdAt },
    });
  });

  test('the OAuth2 password form (username=…&password=…) works too, as Swagger UI sends it', async () => {
    const { user, password } = await stack.user('candidate');
    const res = await stack.http('POST', '/api/auth/login', {
      form: { grant_type: 'password', username: user.email.toUpperCase(), password, scope: '' },
    });
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
    // Fifteen of each, interleaved: the medians of a few samples swing with whatever else shares the machine.
    for (let i = 0; i < 15; i++) {
      wrong.push(await time(user.email));
      unknown.push(await time(email('nobody')));
    }
    if (process.env.ATS_REPORT_TIMINGS)
      process.stdout.write(`login: unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms\n`);
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
    const cases: Record<string, string>[] = [
      {},
      { Authorization: 'Basic YTpi' },
      { Authorization: 'Bearer' },
      { Authorization: 'Bearer not.a.jwt' },
    ];
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
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  const secret = () => stack.config.auth.secretKey;
  const meStatus = async (token: string) => {
    const res = await stack.http('GET', '/api/auth/me', { token });
    if (res.status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
    return res.status;
  };
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  /** The password version a real token of the same account carries, so forged tokens differ in one property only. */
  const pwv = (token: string) => (jwt.decode(token) as { pwv: string }).pwv;

  test('a valid token passes (the control for the cases below)', async () => {
    const { user, token } = await stack.user('candidate');
    expect(
      await meStatus(
        jwt.sign({ role: 'candidate', pwv: pwv(token) }, secret(), { algorithm: 'HS256', subject: String(user.id), expiresIn: 60 }),
      ),
    ).toBe(200);
  });

  test('alg "none" is refused', async () => {
    const { user, token } = await stack.user('admin');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(user.id), role: 'admin', pwv: pwv(token), exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    expect(await meStatus(unsigned)).toBe(401);
  });

  test('another algorithm with the same secret (HS512) is refused', async () => {
    const { user, token } = await stack.user('candidate');
    expect(
      await meStatus(
        jwt.sign({ role: 'candidate', pwv: pwv(token) }, secret(), { algorithm: 'HS512', subject: String(user.id), expiresIn: 60 }),
      ),
    ).toBe(401);
  });

  test('a token signed with another secret is refused', async () => {
    const { user, token } = await stack.user('candidate');
    expect(
      await meStatus(
        jwt.sign({ role: 'candidate', pwv: pwv(token) }, 'some-other-secret-of-sufficient-length', {
          algorithm: 'HS256',
          subject: String(user.id),
          expiresIn: 60,
        }),
      ),
    ).toBe(401);
  });

  test('a tampered payload is refused', async () => {
    const { user, token } = await stack.user('candidate');
    const admin = await stack.user('admin');
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ sub: String(admin.user.id), role: 'admin', pwv: pwv(admin.token), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
    expect(await meStatus(forged)).toBe(401);
    expect(await meStatus(token)).toBe(200);
    expect(user.role).toBe('candidate');
  });

  test('an expired token is refused', async () => {
    const { user, token } = await stack.user('candidate');
    const expired = jwt.sign({ role: 'candidate', pwv: pwv(token), exp: Math.floor(Date.now() / 1000) - 10 }, secret(), {
      algorithm: 'HS256',
      subject: String(user.id),
    });
    expect(await meStatus(expired)).toBe(401);
  });

  test('a token without exp, or for a user that does not exist, is refused', async () => {
    const { user, token } = await stack.user('candidate');
    expect(
      await meStatus(jwt.sign({ role: 'candidate', pwv: pwv(token) }, secret(), { algorithm: 'HS256', subject: String(user.id) })),
    ).toBe(401);
    expect(
      await meStatus(jwt.sign({ role: 'admin', pwv: pwv(token) }, secret(), { algorithm: 'HS256', subject: '987654321', expiresIn: 60 })),
    ).toBe(401);
  });

  test('a token issued under another password (or with no password version) is refused', async () => {
    const { user, token } = await stack.user('candidate');
    const other = await stack.user('candidate');
    expect(
      await meStatus(
        jwt.sign({ role: 'candidate', pwv: pwv(other.token) }, secret(), { algorithm: 'HS256', subject: String(user.id), expiresIn: 60 }),
      ),
    ).toBe(401);
    expect(await meStatus(jwt.sign({ role: 'candidate' }, secret(), { algorithm: 'HS256', subject: String(user.id), expiresIn: 60 }))).toBe(
      401,
    );
    expect(await meStatus(token)).toBe(200);
  });

  test("the user a request carries is the account's row, its password hash out of JSON and spreads", async () => {
    const { user, token } = await stack.user('recruiter');
    const ctx = { get: (name: string) => (name === 'Authorization' ? `Bearer ${token}` : ''), state: {} as Record<string, unknown> };
    let reached = false;
    await authenticate(stack.services)(ctx as never, async () => {
      reached = true;
    });
    expect(reached).toBe(true);
    const seen = ctx.state.user as Record<string, unknown>;
    expect(seen).toMatchObject({ id: user.id, email: user.email, role: 'recruiter', active: true });
    expect(seen.passwordHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(seen)).not.toMatch(/argon2|passwordHash/);
    expect(Object.keys({ ...seen }).sort()).toEqual(['active', 'createdAt', 'email', 'fullName', 'id', 'role', 'updatedAt']);
  });

  test("a deactivated user's token stops working at once", async () => {
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
    expect((await stack.http('PATCH', `/api/users/${recruiter.user.id}`, { token: admin.token, body: { role: 'candidate' } })).status).toBe(
      200,
    );
    const after = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title: 'a', company: 'b' } });
    expect(after.status).toBe(403);
    expect((await stack.http('GET', '/api/auth/me', { token: recruiter.token })).body.user.role).toBe('candidate');
  });
});

describe('failed log-in throttling', () => {
  const MAX = 3;
  let stack: TestStack;
  // Behind a trusted proxy, so each test can speak from its own address through X-Forwarded-For.
  beforeAll(async () => {
    stack = await startStack({ LOGIN_MAX_FAILURES: String(MAX), LOGIN_BLOCK_SECONDS: '120', TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await stack.close();
  });

  const fromIp = () => ({
    'X-Forwarded-For': `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  });
  const login = (address: string, password: string, headers: Record<string, string>) =>
    stack.http('POST', '/api/auth/login', { body: { email: address, password }, headers });

  test(`after ${MAX} failures for one e-mail from one address: 429 with Retry-After there, even with the right password`, async () => {
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
    const other = await stack.user('candidate');
    expect((await login(other.user.email, other.password, ip)).status).toBe(200);
  });

  test("an attacker cannot lock the owner out: the admin signs in from another address while the attacker's is throttled", async () => {
    const admin = await stack.user('admin');
    const attacker = fromIp();
    for (let i = 0; i < MAX * 4; i++) await login(admin.user.email, 'guess', attacker);
    expect((await login(admin.user.email, admin.password, attacker)).status).toBe(429);
    const res = await login(admin.user.email, admin.password, fromIp());
    expect(res.status).toBe(200);
    expect((await stack.http('GET', '/api/users', { token: res.body.accessToken })).status).toBe(200);
  });

  test.each([60, 300])(
    '%i parallel wrong passwords for one e-mail: at most the limit answer 401, the rest 429 with Retry-After',
    async (n) => {
      const { user, password } = await stack.user('candidate');
      const ip = fromIp();
      const results = await Promise.all(Array.from({ length: n }, () => login(user.email, 'wrong-password', ip)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      for (const r of results.filter((x) => x.status === 429)) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login(user.email, password, ip)).status).toBe(429);
    },
  );

  test("the counts live in Redis under this deployment's prefix, without e-mails or addresses in the keys", async () => {
    const { user } = await stack.user('candidate');
    const ip = fromIp();
    await login(user.email, 'wrong-password', ip);
    const keys = await stack.services.redis.keys(`ats:${stack.config.notifier.queueName}:login-failures:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain(user.email);
    expect(keys.join(' ')).not.toContain(ip['X-Forwarded-For']);
  });

  test('a successful log-in resets the failures of its e-mail and address', async () => {
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

describe('repeated log-in blocks', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ LOGIN_MAX_FAILURES: '2', LOGIN_BLOCK_SECONDS: '1', TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('each new block of the same e-mail and address lasts twice as long as the one before', async () => {
    const { user } = await stack.user('candidate');
    const headers = { 'X-Forwarded-For': '198.51.100.7' };
    const login = () => stack.http('POST', '/api/auth/login', { body: { email: user.email, password: 'wrong-password' }, headers });
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await login()).status).toBe(401);
      const blocked = await login();
      expect(blocked.status).toBe(429);
      waits.push(Number(blocked.headers.get('retry-after')));
      await new Promise((r) => setTimeout(r, waits[round] * 1000 + 200));
    }
    expect(waits).toEqual([1, 2, 4]);
  });
});

describe('sign-up limits', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ SIGNUP_MAX_PER_IP: '3', TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('one address gets a few sign-ups (201 or 409 alike), then 429 with Retry-After; another address is not affected', async () => {
    const ip = { 'X-Forwarded-For': '203.0.113.9' };
    const signup = (address: string, headers = ip) =>
      stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw' }, headers });
    const taken = email('taken');
    expect((await signup(taken)).status).toBe(201);
    expect((await signup(taken)).status).toBe(409);
    expect((await signup(email())).status).toBe(201);
    const limited = await signup(email('probe'));
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('too_many_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signup(taken)).status).toBe(429);
    expect((await signup(email(), { 'X-Forwarded-For': '203.0.113.10' })).status).toBe(201);
  });
});

describe('password hashing under a sign-up flood', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE_MAX: '3', SIGNUP_MAX_PER_IP: '1000' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('excess sign-ups answer 503 try_again with Retry-After, and a log-in still goes through', async () => {
    const { user, password } = await stack.user('candidate');
    const flood = Array.from({ length: 60 }, () =>
      stack.http('POST', '/api/auth/signup', { body: { email: email('flood'), password: 'long-enough-pw' } }),
    );
    await new Promise((r) => setTimeout(r, 20));
    const login = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password } });
    const results = await Promise.all(flood);
    expect(login.status).toBe(200);
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0].body.code).toBe('try_again');
    expect(Number(busy[0].headers.get('retry-after'))).toBeGreaterThan(0);
    expect(results.filter((r) => r.status !== 503 && r.status !== 201)).toEqual([]);
    const created = await stack.services.orm.em.fork().count(UserSchema, { email: { $like: 'flood-%' } });
    expect(created).toBe(results.filter((r) => r.status === 201).length);
  });
});

describe('an admin e-mail pre-registered by someone else', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('is not promoted; --reset-password takes it over and the old password and token stop working', async () => {
    const address = email('admin');
    expect((await stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'attacker-password' } })).status).toBe(201);
    const attackerToken = (await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'attacker-password' } })).body
      .accessToken;
    const services = stack.services;
    await expect(ensureAdmin(services, address, 'operator-password')).rejects.toThrow(/--reset-password/);
    expect((await stack.http('GET', '/api/users', { token: attackerToken })).status).toBe(403);
    const attackerAgain = await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'attacker-password' } });
    expect(jwt.decode(attackerAgain.body.accessToken)).toMatchObject({ role: 'candidate' });

    expect(await ensureAdmin(services, address, 'operator-password', { resetPassword: true })).toBe('reset');
    expect((await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'attacker-password' } })).status).toBe(401);
    expect((await stack.http('GET', '/api/users', { token: attackerToken })).status).toBe(401);
    const operator = await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'operator-password' } });
    expect(operator.status).toBe(200);
    expect((await stack.http('GET', '/api/users', { token: operator.body.accessToken })).status).toBe(200);
    expect(await ensureAdmin(services, address, 'operator-password')).toBe('unchanged');
  });
});

describe('ADMIN_EMAIL at API start-up for an e-mail someone pre-registered', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('the API starts, logs a warning and promotes nobody', async () => {
    const address = email('ops');
    expect((await stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'attacker-password' } })).status).toBe(201);
    const port = await freePort();
    const env = {
      ...testEnv(stack.dir),
      DATABASE_URL: stack.config.database.url,
      PORT: String(port),
      ADMIN_EMAIL: address,
      ADMIN_PASSWORD: 'operator-password',
      LOG_LEVEL: 'warn',
      PATH: process.env.PATH ?? '',
    };
    const api = spawn(process.execPath, [path.resolve(__dirname, '../../dist/src/main/api.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    api.stdout!.on('data', (d) => {
      output += d;
    });
    api.stderr!.on('data', (d) => {
      output += d;
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 30_000;
      while (
        !(await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline || api.exitCode !== null) throw new Error(`the API did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const login = (password: string) =>
        fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: address, password }),
        });
      expect((await login('operator-password')).status).toBe(401);
      const attacker = (await (await login('attacker-password')).json()) as { accessToken: string };
      expect(jwt.decode(attacker.accessToken)).toMatchObject({ role: 'candidate' });
      expect(output).toContain('--reset-password');
      const row = await stack.services.orm.em.fork().findOne(UserSchema, { email: address });
      expect(row?.role).toBe('candidate');
    } finally {
      api.kill('SIGTERM');
      await new Promise((r) => (api.exitCode === null ? api.once('exit', r) : r(null)));
    }
  });
});

describe('log-in throttling without a trusted proxy', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ LOGIN_MAX_FAILURES: '1' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('a client cannot escape the per-address limit by forging X-Forwarded-For', async () => {
    const forged = (n: number) => ({ 'X-Forwarded-For': `192.0.2.${n}` });
    const allowance = 10;
    for (let i = 0; i < allowance; i++) {
      expect(
        (await stack.http('POST', '/api/auth/login', { body: { email: email('forger'), password: 'wrong-password' }, headers: forged(i) }))
          .status,
      ).toBe(401);
    }
    const { user, password } = await stack.user('candidate');
    const blocked = await stack.http('POST', '/api/auth/login', { body: { email: user.email, password }, headers: forged(200) });
    expect(blocked.status).toBe(429);
  });
});

describe('log-ins without Redis', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ REDIS_URL: 'redis://127.0.0.1:1/0', LOGIN_MAX_FAILURES: '2' });
  });
  afterAll(async () => {
    await stack.close();
  });

  test('still work, and failures are throttled in memory', async () => {
    const address = email('offline');
    expect((await stack.http('POST', '/api/auth/signup', { body: { email: address, password: 'long-enough-pw' } })).status).toBe(201);
    expect((await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'long-enough-pw' } })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'wrong-password' } })).status).toBe(401);
    const blocked = await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'long-enough-pw' } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
  });
});
