import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows } from '../support/applications';
import { idempotencyPrefix } from '../../src/http/idempotency';
import { responseValidator } from '../support/openapi-validator';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * Notes on an application: the job's hiring team and admins write and read them; only a note's
 * author or an admin deletes it; candidates and staff off the team get 404 everywhere.
 */
describe('notes', () => {
  let stack: TestStack;
  let owner: Actor;
  let teammate: Actor;
  let outsider: Actor;
  let admin: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    [owner, teammate, outsider, admin] = [
      await stack.user('recruiter'),
      await stack.user('recruiter'),
      await stack.user('recruiter'),
      await stack.user('admin'),
    ];
    expectDocumented = await responseValidator(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** A job of the owner's with the teammate on its team, and one application to it by a fresh candidate. */
  async function application(): Promise<{ id: string; jobId: string; candidate: Actor }> {
    const job = await stack.http('POST', '/api/jobs', { token: owner.token, body: { title: 'Notes Engineer', company: 'Notes Inc' } });
    expect(job.status).toBe(201);
    const added = await stack.http('POST', `/api/jobs/${job.body.id}/team`, {
      token: owner.token,
      body: { userId: String(teammate.user.id) },
    });
    expect(added.status).toBe(201);
    const candidate = await stack.user('candidate');
    const applied = await stack.http('POST', `/api/jobs/${job.body.id}/apply`, { token: candidate.token, body: {} });
    expect(applied.status).toBe(201);
    return { id: applied.body.id, jobId: job.body.id, candidate };
  }

  const write = (id: string, who: Actor, body: unknown, headers: Record<string, string> = {}) =>
    stack.http('POST', `/api/applications/${id}/notes`, { token: who.token, body, headers });
  const list = (id: string, who: Actor, query = '') => stack.http('GET', `/api/applications/${id}/notes${query}`, { token: who.token });
  const remove = (noteId: string, who: Actor) => stack.http('DELETE', `/api/notes/${noteId}`, { token: who.token });
  const rows = async (applicationId: string) =>
    stack.services.orm.em
      .fork()
      .getConnection()
      .execute<{ body: string }[]>('select body from notes where application_id = ? order by id', [applicationId], 'all');

  test('the team and admins write and read notes, oldest first, page by page, with the author named', async () => {
    const { id } = await application();
    const first = await write(id, owner, { body: 'Strong portfolio.' });
    expect(first.status).toBe(201);
    expectDocumented('post', '/api/applications/{id}/notes', first);
    expect(first.body).toEqual({
      id: expect.any(String),
      applicationId: id,
      author: { id: String(owner.user.id), fullName: owner.user.fullName },
      body: 'Strong portfolio.',
      createdAt: expect.stringMatching(/Z$/),
    });
    expect((await write(id, teammate, { body: 'Agreed.\n\tAsk about on-call.' })).status).toBe(201);
    expect((await write(id, admin, { body: 'Fast-track.' })).status).toBe(201);

    const all = await list(id, teammate);
    expect(all.status).toBe(200);
    expectDocumented('get', '/api/applications/{id}/notes', all);
    expect(all.body.items.map((n: { body: string }) => n.body)).toEqual([
      'Strong portfolio.',
      'Agreed.\n\tAsk about on-call.',
      'Fast-track.',
    ]);
    expect(all.body.nextCursor).toBeNull();

    const one = await list(id, admin, '?limit=2');
    expect(one.body.items).toHaveLength(2);
    const two = await list(id, admin, `?limit=2&cursor=${encodeURIComponent(one.body.nextCursor)}`);
    expect(two.body.items.map((n: { body: string }) => n.body)).toEqual(['Fast-track.']);
    expect(two.body.nextCursor).toBeNull();
    expect((await list(id, admin, '?cursor=nonsense')).status).toBe(422);
  });

  test('a recruiter off the team and the candidate get 404 on every note route, and nothing changes', async () => {
    const { id, candidate } = await application();
    const note = await write(id, owner, { body: 'Private.' });
    for (const who of [outsider, candidate]) {
      const answers = [
        (await write(id, who, { body: 'Sneaky.' })).status,
        (await list(id, who)).status,
        (await remove(note.body.id, who)).status,
      ];
      expect(answers).toEqual([404, 404, 404]);
    }
    const missing = await list('application-job999999-candidate1', admin);
    expect(missing.status).toBe(404);
    expectDocumented('get', '/api/applications/{id}/notes', missing);
    expect((await remove('999999999', admin)).status).toBe(404);
    expect((await remove('not-a-note', admin)).status).toBe(404);
    expect(await rows(id)).toEqual([{ body: 'Private.' }]);
  });

  test("only a note's author or an admin deletes it (403 for the rest of the team), and nothing of it is left", async () => {
    const { id } = await application();
    const mine = (await write(id, owner, { body: 'Mine.' })).body;
    const theirs = (await write(id, teammate, { body: 'Theirs.' })).body;

    const refused = await remove(mine.id, teammate);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'not_note_author' });
    expectDocumented('delete', '/api/notes/{id}', refused);

    const deleted = await remove(mine.id, owner);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await remove(mine.id, owner)).status).toBe(404);
    expect((await remove(theirs.id, admin)).status).toBe(204);
    expect(await rows(id)).toEqual([]);
    expect((await list(id, owner)).body.items).toEqual([]);
    expect((await stack.http('PATCH', `/api/notes/${theirs.id}`, { token: admin.token, body: { body: 'x' } })).status).toBe(405);
  });

  test('a body of 1 to 10,000 characters without control characters; anything else is a 422 naming it, and nothing is written', async () => {
    const { id } = await application();
    const wrong = [];
    for (const body of [
      { body: '' },
      { body: '   ' },
      { body: 'x'.repeat(10_001) },
      { body: 'nul\u0000' },
      { body: '\u0007bell' },
      { body: 'cr\r' },
      {},
      { body: 'ok', role: 'admin' },
    ]) {
      const res = await write(id, owner, body);
      expectDocumented('post', '/api/applications/{id}/notes', res);
      const paths = (res.body.errors ?? []).map((e: { path: string }) => e.path);
      if (res.status !== 422 || paths.length === 0) wrong.push({ body: JSON.stringify(body).slice(0, 40), status: res.status, paths });
    }
    expect(wrong).toEqual([]);
    expect(await rows(id)).toEqual([]);
    expect((await write(id, owner, { body: 'x'.repeat(10_000) })).status).toBe(201);
  });

  test('Idempotency-Key: the same write answers the first answer again, another body is a 422, and a caller who lost access gets 404', async () => {
    const { id, jobId } = await application();
    const key = { 'Idempotency-Key': randomUUID() };
    const first = await write(id, teammate, { body: 'Once.' }, key);
    expect(first.status).toBe(201);
    const again = await write(id, teammate, { body: 'Once.' }, key);
    expect({ status: again.status, replayed: again.headers.get('idempotent-replayed'), body: again.body }).toEqual({
      status: 201,
      replayed: 'true',
      body: first.body,
    });
    expect((await write(id, teammate, { body: 'Twice.' }, key)).status).toBe(422);
    expect(await rows(id)).toEqual([{ body: 'Once.' }]);

    expect((await stack.http('DELETE', `/api/jobs/${jobId}/team/${teammate.user.id}`, { token: owner.token })).status).toBe(204);
    const lost = await write(id, teammate, { body: 'Once.' }, key);
    expect({ status: lost.status, replayed: lost.headers.get('idempotent-replayed') }).toEqual({ status: 404, replayed: null });
  });

  test("the candidate's export holds the notes about them; erasure deletes them and their idempotency records; an erased author's notes stay, unnamed", async () => {
    const { id, candidate } = await application();
    const author = await stack.user('recruiter');
    const job = id.match(/^application-job(\d+)-/)![1];
    expect(
      (await stack.http('POST', `/api/jobs/${job}/team`, { token: owner.token, body: { userId: String(author.user.id) } })).status,
    ).toBe(201);
    const key = randomUUID();
    const secret = `Salary expectation ${randomUUID()}`;
    const note = (await write(id, owner, { body: secret }, { 'Idempotency-Key': key })).body;
    const byAuthor = (await write(id, author, { body: 'Written by someone who leaves.' })).body;

    const exported = await stack.http('GET', `/api/users/${candidate.user.id}/export`, { token: candidate.token });
    expect(exported.status).toBe(200);
    expectDocumented('get', '/api/users/{id}/export', exported);
    expect(exported.body.notes).toEqual([note, byAuthor]);

    // The author leaves first: the note stays, their name goes.
    expect((await stack.http('POST', `/api/users/${author.user.id}/erase`, { token: admin.token })).status).toBe(202);
    const listed = await list(id, owner);
    expect(listed.body.items.map((n: { author: unknown }) => n.author)).toEqual([
      { id: String(owner.user.id), fullName: owner.user.fullName },
      { id: String(author.user.id), fullName: null },
    ]);

    const storeKey = `${idempotencyPrefix(stack.config)}${owner.user.id}:${key}`;
    expect(await stack.services.redis.exists(storeKey)).toBe(1);
    expect((await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token })).status).toBe(202);
    expect(await rows(id)).toEqual([]);
    expect(await stack.services.redis.exists(storeKey)).toBe(0);
    expect((await list(id, admin)).body.items).toEqual([]);
  });
});
