import { randomUUID } from 'node:crypto';
import { UserSchema } from '../../src/db/entities/user.entity';
import { startStack, type TestStack } from '../support/stack';

const email = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.com`;
const paths = (body: { errors: { path: string }[] }) => body.errors.map((e) => e.path).sort();

describe('users API (admin)', () => {
  let stack: TestStack;
  let admin: Awaited<ReturnType<TestStack['user']>>;
  beforeAll(async () => {
    stack = await startStack();
    admin = await stack.user('admin');
  });
  afterAll(async () => {
    await stack.close();
  });

  const dbUser = (id: number | string) => stack.services.orm.em.fork().findOne(UserSchema, { id: Number(id) });

  test('an admin creates a recruiter who can then log in', async () => {
    const address = email('Recruiter');
    const res = await stack.http('POST', '/api/users', {
      token: admin.token,
      body: { email: address, password: 'recruiter-pw', role: 'recruiter', fullName: 'Rita' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(/^\d+$/),
      email: address.toLowerCase(),
      role: 'recruiter',
      fullName: 'Rita',
      createdAt: expect.any(String),
      active: true,
    });
    expect(res.text).not.toMatch(/argon2|passwordHash|recruiter-pw/);
    const login = await stack.http('POST', '/api/auth/login', { body: { email: address, password: 'recruiter-pw' } });
    expect(login.status).toBe(200);
    expect((await stack.http('GET', '/api/auth/me', { token: login.body.accessToken })).body.user.role).toBe('recruiter');
  });

  test('creating: 409 for a taken e-mail (any case), 422 for a bad role or body', async () => {
    const { user } = await stack.user('candidate');
    const taken = await stack.http('POST', '/api/users', {
      token: admin.token,
      body: { email: user.email.toUpperCase(), password: 'long-enough', role: 'admin' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('email_taken');
    expect((await dbUser(user.id))?.role).toBe('candidate');
    const invalid = await stack.http('POST', '/api/users', {
      token: admin.token,
      body: { email: 'nope', password: 'short', role: 'owner', active: false },
    });
    expect(invalid.status).toBe(422);
    expect(paths(invalid.body)).toEqual(['active', 'email', 'password', 'role']);
  });

  test.each(['candidate', 'recruiter'] as const)('a %s gets 403 on every users endpoint; no token gets 401', async (role) => {
    const { token, user } = await stack.user(role);
    const address = email();
    const calls = [
      stack.http('POST', '/api/users', { token, body: { email: address, password: 'long-enough', role: 'admin' } }),
      stack.http('GET', '/api/users', { token }),
      stack.http('PATCH', `/api/users/${user.id}`, { token, body: { role: 'admin' } }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    expect((await dbUser(user.id))?.role).toBe(role);
    expect(await stack.services.orm.em.fork().count(UserSchema, { email: address })).toBe(0);
    expect((await stack.http('GET', '/api/users')).status).toBe(401);
  });

  test('the list pages newest first with ?limit= and ?cursor=, and never shows a hash', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push(
        (
          await stack.http('POST', '/api/users', {
            token: admin.token,
            body: { email: email('listed'), password: 'long-enough', role: 'candidate' },
          })
        ).body.user.id,
      );
    const first = await stack.http('GET', '/api/users?limit=2', { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((u: { id: string }) => u.id)).toEqual([made[2], made[1]]);
    expect(first.text).not.toMatch(/argon2|passwordHash/);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await stack.http(
        'GET',
        `/api/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin.token },
      );
      all.push(...page.body.items.map((u) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(await stack.services.orm.em.fork().count(UserSchema, {}));
    expect(all.map(Number)).toEqual([...all.map(Number)].sort((a, b) => b - a));
    const defaults = await stack.http('GET', '/api/users', { token: admin.token });
    expect(defaults.body.items.length).toBe(Math.min(20, all.length));
    for (const query of ['limit=0', 'limit=101', 'cursor=%%%'])
      expect((await stack.http('GET', `/api/users?${query}`, { token: admin.token })).status).toBe(422);
  });

  test('PATCH changes role and active and answers the user', async () => {
    const { user } = await stack.user('candidate');
    const res = await stack.http('PATCH', `/api/users/${user.id}`, { token: admin.token, body: { role: 'recruiter', active: false } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: String(user.id), role: 'recruiter', active: false, email: user.email });
    expect(await dbUser(user.id)).toMatchObject({ role: 'recruiter', active: false });
    const back = await stack.http('PATCH', `/api/users/${user.id}`, { token: admin.token, body: { active: true } });
    expect(back.body.user).toMatchObject({ role: 'recruiter', active: true });
  });

  test('PATCH refuses unknown fields (mass assignment) with 422 and changes nothing', async () => {
    const { user } = await stack.user('candidate');
    const before = await stack.services.orm.em.fork().findOne(UserSchema, { id: user.id }, { populate: ['passwordHash'] });
    const res = await stack.http('PATCH', `/api/users/${user.id}`, {
      token: admin.token,
      body: { role: 'admin', passwordHash: '$argon2id$forged', email: 'taken-over@example.com', id: '1', fullName: 'x' },
    });
    expect(res.status).toBe(422);
    expect(paths(res.body)).toEqual(['email', 'fullName', 'id', 'passwordHash']);
    const after = await stack.services.orm.em.fork().findOne(UserSchema, { id: user.id }, { populate: ['passwordHash'] });
    expect(after).toMatchObject({ role: 'candidate', email: user.email, passwordHash: before?.passwordHash, updatedAt: before?.updatedAt });
    expect((await stack.http('PATCH', `/api/users/${user.id}`, { token: admin.token, body: { role: 'owner', active: 'no' } })).status).toBe(
      422,
    );
  });

  test.each(['424242', 'abc', '0'])('PATCH /api/users/%s is 404', async (id) => {
    const res = await stack.http('PATCH', `/api/users/${id}`, { token: admin.token, body: { active: false } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });
});

describe('the last active admin', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('cannot be demoted or deactivated (409 last_admin) until another admin exists', async () => {
    const first = await stack.user('admin');
    for (const body of [{ role: 'recruiter' }, { active: false }, { role: 'candidate', active: false }]) {
      const res = await stack.http('PATCH', `/api/users/${first.user.id}`, { token: first.token, body });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('last_admin');
    }
    expect(await stack.services.orm.em.fork().findOne(UserSchema, { id: first.user.id })).toMatchObject({ role: 'admin', active: true });
    // Harmless changes to the last admin still pass.
    expect(
      (await stack.http('PATCH', `/api/users/${first.user.id}`, { token: first.token, body: { role: 'admin', active: true } })).status,
    ).toBe(200);

    const created = await stack.http('POST', '/api/users', {
      token: first.token,
      body: { email: email('second-admin'), password: 'long-enough', role: 'admin' },
    });
    const second = created.body.user;
    // An inactive admin does not count as the other admin.
    expect((await stack.http('PATCH', `/api/users/${second.id}`, { token: first.token, body: { active: false } })).status).toBe(200);
    expect((await stack.http('PATCH', `/api/users/${first.user.id}`, { token: first.token, body: { role: 'recruiter' } })).status).toBe(
      409,
    );
    expect((await stack.http('PATCH', `/api/users/${second.id}`, { token: first.token, body: { active: true } })).status).toBe(200);

    const demoted = await stack.http('PATCH', `/api/users/${first.user.id}`, { token: first.token, body: { role: 'recruiter' } });
    expect(demoted.status).toBe(200);
    expect(demoted.body.user.role).toBe('recruiter');
    expect((await stack.http('GET', '/api/users', { token: first.token })).status).toBe(403);

    const login = await stack.http('POST', '/api/auth/login', { body: { email: second.email, password: 'long-enough' } });
    const lastOne = await stack.http('PATCH', `/api/users/${second.id}`, { token: login.body.accessToken, body: { active: false } });
    expect(lastOne.status).toBe(409);
  });

  test('two admins demoting each other at once leave one admin', async () => {
    const fresh = await startStack();
    try {
      const [a, b] = await Promise.all([fresh.user('admin'), fresh.user('admin')]);
      const results = await Promise.all([
        fresh.http('PATCH', `/api/users/${b.user.id}`, { token: a.token, body: { role: 'candidate' } }),
        fresh.http('PATCH', `/api/users/${a.user.id}`, { token: b.token, body: { role: 'candidate' } }),
      ]);
      // The loser is refused either by the last-admin rule (409) or, if the winner committed before its
      // request was authenticated, because it is no longer an admin (403).
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      expect(await fresh.services.orm.em.fork().count(UserSchema, { role: 'admin', active: true })).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  test('the rule is stated in the OpenAPI summary', async () => {
    const doc = (await stack.http('GET', '/openapi.json')).body;
    expect(doc.paths['/api/users/{id}'].patch.summary).toMatch(/409 last_admin/);
  });
});
