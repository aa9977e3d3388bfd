import { ZodError } from 'zod';
import { SignupBody, LoginForm } from '../../src/http/schemas/auth.schemas';
import { UpdateUserBody, toUserJson } from '../../src/http/schemas/user.schemas';
import { UpdateJobBody, CreateJobBody } from '../../src/http/schemas/job.schemas';
import { fieldErrors, toProblem } from '../../src/http/middleware/error-handler';
import { toDbId } from '../../src/http/schemas/id.schemas';
import type { User } from '../../src/db/entities/user.entity';

const errorPaths = (result: { success: boolean; error?: ZodError }) =>
  result.error
    ? fieldErrors(result.error)
        .map((e) => e.path)
        .sort()
    : [];

describe('sign-up body', () => {
  test.each([
    ['Ada@Example.COM', 'ada@example.com'],
    ['  bob@example.org ', 'bob@example.org'],
  ])('e-mail %j is stored as %j', (email, stored) => {
    expect(SignupBody.parse({ email, password: '12345678' }).email).toBe(stored);
  });

  test.each([
    [{ email: 'nope', password: '12345678' }, ['email']],
    [{ email: 'a@b.co', password: '1234567' }, ['password']],
    [{ email: '', password: '' }, ['email', 'password']],
    [{ email: 'a@b.co', password: '12345678', isAdmin: true, passwordHash: 'x' }, ['isAdmin', 'passwordHash']],
    [{}, ['email', 'password']],
  ])('%j fails on %j', (body, paths) => {
    expect(errorPaths(SignupBody.safeParse(body))).toEqual(paths);
  });
});

describe('login form', () => {
  test('username becomes the lower-cased e-mail; OAuth2 extras are ignored', () => {
    expect(LoginForm.parse({ username: 'Ada@Example.com', password: 'pw', grant_type: 'password', scope: '' })).toEqual({
      email: 'ada@example.com',
      password: 'pw',
    });
  });
});

describe('patch bodies are strict', () => {
  test.each([
    [UpdateUserBody, { role: 'admin', email: 'x@y.z' }, ['email']],
    [UpdateUserBody, { active: 'yes' }, ['active']],
    [UpdateUserBody, {}, ['']],
    [UpdateJobBody, { createdBy: '1', id: '2' }, ['createdBy', 'id']],
    [UpdateJobBody, { title: ' ' }, ['title']],
    [UpdateJobBody, { description: null, location: null }, []],
  ] as const)('%#: %j', (schema, body, paths) => {
    expect(errorPaths(schema.safeParse(body))).toEqual(paths);
  });

  test('a new job is open unless told otherwise', () => {
    expect(CreateJobBody.parse({ title: 'T', company: 'C' }).status).toBe('open');
  });
});

describe('problems from validation errors', () => {
  test('422 with one entry per field, unknown keys named one by one', () => {
    const result = UpdateUserBody.safeParse({ role: 'owner', passwordHash: 'x', id: 3 });
    const problem = toProblem(result.error);
    expect(problem).toMatchObject({ status: 422, code: 'validation_failed' });
    expect(problem.errors).toEqual([
      { path: 'role', message: expect.any(String) },
      { path: 'passwordHash', message: 'Unknown field.' },
      { path: 'id', message: 'Unknown field.' },
    ]);
  });

  test('an unexpected error is a 500 that says nothing about itself', () => {
    const problem = toProblem(new Error('SQLITE_ERROR: no such table: jobs'));
    expect(problem).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(problem)).not.toContain('SQLITE');
  });
});

describe('user JSON', () => {
  test('ids are strings and the hash never appears', () => {
    const user = {
      id: 7,
      email: 'a@b.co',
      role: 'candidate',
      fullName: null,
      active: true,
      passwordHash: '$argon2id$secret',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: 'x',
    } as unknown as User;
    expect(toUserJson(user)).toEqual({
      id: '7',
      email: 'a@b.co',
      role: 'candidate',
      fullName: null,
      createdAt: '2024-01-01T00:00:00.000Z',
    });
  });
});

describe('path ids', () => {
  test.each([
    ['1', 1],
    ['42', 42],
    ['0', undefined],
    ['-1', undefined],
    ['1e3', undefined],
    ['abc', undefined],
    ['01', undefined],
    ['99999999999999999', undefined],
  ])('%j → %j', (id, dbId) => {
    expect(toDbId(id)).toBe(dbId);
  });
});
