import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';
import { addToTeam, bundleWorkflows, createJob, expectSqlMatchesWorkflow } from '../support/applications';
import { responseValidator } from '../support/openapi-validator';
import { idempotencyPrefix } from '../../src/http/idempotency';

type Actor = Awaited<ReturnType<TestStack['user']>>;

describe('Idempotency-Key', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let admin: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    recruiter = await stack.user('recruiter');
    admin = await stack.user('admin');
    expectDocumented = await responseValidator(stack);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const key = () => ({ 'Idempotency-Key': randomUUID() });

  test('20 concurrent identical stage changes with one key: one history entry, 20 identical answers', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const { body: application } = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    const headers = key();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        stack.http('PATCH', `/api/applications/${application.id}/stage`, { token: recruiter.token, headers, body: { stage: 'screening' } }),
      ),
    );

    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of results) expectDocumented('PATCH', '/api/applications/{id}/stage', r);
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    const state = await expectSqlMatchesWorkflow(stack, application.id);
    expect(state.history.map((h) => h.to)).toEqual(['applied', 'screening']);

    // Later, the same again: the stored answer, not a second change (nor a 409 invalid_transition).
    const again = await stack.http('PATCH', `/api/applications/${application.id}/stage`, {
      token: recruiter.token,
      headers,
      body: { stage: 'screening' },
    });
    expect(again.status).toBe(200);
    expect(again.text).toBe(results[0].text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  test('the key is the Temporal update ID: with the stored answer gone, Temporal itself answers the first change again', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const { body: application } = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    const headers = key();
    const send = () =>
      stack.http('PATCH', `/api/applications/${application.id}/stage`, { token: recruiter.token, headers, body: { stage: 'screening' } });
    const first = await send();
    expect(first.status).toBe(200);
    await stack.services.redis.del(`${idempotencyPrefix(stack.config)}${recruiter.user.id}:${headers['Idempotency-Key']}`);
    const second = await send();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.history).toEqual(first.body.history);
    expect((await expectSqlMatchesWorkflow(stack, application.id)).history).toHaveLength(2);
  });

  test('without the key, the same change twice is refused the second time (the key is what makes it safe)', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const { body: application } = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    const send = () =>
      stack.http('PATCH', `/api/applications/${application.id}/stage`, { token: recruiter.token, body: { stage: 'screening' } });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(409);
  });

  test('the same key with another body → 422 idempotency_key_reused, nothing changed', async () => {
    const headers = key();
    const first = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body: { title: 'Once', company: 'Idem' } });
    expect(first.status).toBe(201);
    const replay = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body: { title: 'Once', company: 'Idem' } });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expectDocumented('POST', '/api/jobs', replay);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const other = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body: { title: 'Twice', company: 'Idem' } });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(other.body.code).toBe('idempotency_key_reused');
    expectDocumented('POST', '/api/jobs', other);
    const [{ count }] = await stack.services.orm.em
      .fork()
      .execute<{ count: number }[]>('select count(*) as count from jobs where title in (?, ?)', ['Once', 'Twice'], 'all');
    expect(Number(count)).toBe(1);
  });

  test("a creation retried after its job was deleted gets the stored 201 again and creates nothing (Stripe's replay)", async () => {
    const headers = key();
    const body = { title: 'Created, deleted, retried', company: 'Idem' };
    const first = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body });
    expect(first.status).toBe(201);
    expect((await stack.http('DELETE', `/api/jobs/${first.body.id}`, { token: recruiter.token })).status).toBe(204);

    const retried = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body });
    expect({ status: retried.status, replayed: retried.headers.get('idempotent-replayed') }).toEqual({ status: 201, replayed: 'true' });
    expect(retried.body).toEqual(first.body);
    expectDocumented('POST', '/api/jobs', retried);
    // The answer is history: the job stays deleted and no second one appears.
    expect((await stack.http('GET', `/api/jobs/${first.body.id}`, { token: recruiter.token })).status).toBe(404);
    const listed = await stack.http('GET', `/api/jobs?q=${encodeURIComponent(body.title)}`, { token: recruiter.token });
    expect(listed.body.items).toEqual([]);
    // A new operation takes a new key, and creates.
    const anew = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers: key(), body });
    expect({ status: anew.status, replayed: anew.headers.get('idempotent-replayed') }).toEqual({ status: 201, replayed: null });
    expect(anew.body.id).not.toBe(first.body.id);
  });

  test('keys are per user: another user with the same key gets a request of their own', async () => {
    const headers = key();
    const other = await stack.user('recruiter');
    const a = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body: { title: 'Mine', company: 'Idem' } });
    const b = await stack.http('POST', '/api/jobs', { token: other.token, headers, body: { title: 'Mine', company: 'Idem' } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  test('an error is not stored: after a refused request the same key runs again', async () => {
    const headers = key();
    const refused = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body: { title: 'No company' } });
    expect(refused.status).toBe(422);
    const ok = await stack.http('POST', '/api/jobs', { token: recruiter.token, headers, body: { title: 'No company', company: 'Now' } });
    expect(ok.status).toBe(201);
  });

  test('a malformed key, an empty one included → 422, and nothing is created', async () => {
    for (const value of ['x'.repeat(256), '']) {
      const title = `Malformed key ${value.length}`;
      const res = await stack.http('POST', '/api/jobs', {
        token: recruiter.token,
        headers: { 'Idempotency-Key': value },
        body: { title, company: 'C' },
      });
      expect([value.length, res.status]).toEqual([value.length, 422]);
      expect(res.body.errors[0].path).toBe('Idempotency-Key');
      const listed = await stack.http('GET', `/api/jobs?q=${encodeURIComponent(title)}`, { token: recruiter.token });
      expect(listed.body.items).toEqual([]);
    }
  });

  test('webhook creation replays the same subscription and secret', async () => {
    const headers = key();
    const body = { url: 'https://example.com/idem', events: ['job.created'] };
    const a = await stack.http('POST', '/api/webhooks', { token: admin.token, headers, body });
    const b = await stack.http('POST', '/api/webhooks', { token: admin.token, headers, body });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    const list = (await stack.http('GET', '/api/webhooks', { token: admin.token })).body.items as { url: string }[];
    expect(list.filter((s) => s.url === body.url)).toHaveLength(1);
  });

  test('apply and withdraw take a key too', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const headers = key();
    const a = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, headers, body: { coverLetter: 'hi' } });
    const b = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, headers, body: { coverLetter: 'hi' } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.text).toBe(a.text);
    const w = key();
    const w1 = await stack.http('POST', `/api/applications/${a.body.id}/withdraw`, { token: candidate.token, headers: w });
    const w2 = await stack.http('POST', `/api/applications/${a.body.id}/withdraw`, { token: candidate.token, headers: w });
    expect([w1.status, w2.status]).toEqual([200, 200]);
    expect(w2.headers.get('idempotent-replayed')).toBe('true');
  });

  test('a replay is answered only to a caller who may still see the application: off the team, 404 as a fresh request', async () => {
    const job = await createJob(stack, recruiter.user.id);
    const colleague = await stack.user('recruiter');
    await addToTeam(stack, job, colleague.user.id);
    const candidate = await stack.user('candidate');
    const { body: application } = await stack.http('POST', `/api/jobs/${job.id}/apply`, {
      token: candidate.token,
      body: { coverLetter: 'Private letter' },
    });
    const headers = key();
    const send = () =>
      stack.http('PATCH', `/api/applications/${application.id}/stage`, { token: colleague.token, headers, body: { stage: 'screening' } });
    const first = await send();
    expect(first.status).toBe(200);
    expect((await send()).headers.get('idempotent-replayed')).toBe('true');

    await stack.http('DELETE', `/api/jobs/${job.id}/team/${colleague.user.id}`, { token: recruiter.token });
    const replay = await send();
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 404, code: 'not_found' });
    expect(replay.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.text).not.toContain('Private letter');
    // The candidate's own keyed withdrawal replays to them alone.
    const w = key();
    expect((await stack.http('POST', `/api/applications/${application.id}/withdraw`, { token: candidate.token, headers: w })).status).toBe(
      200,
    );
    const other = await stack.user('candidate');
    expect((await stack.http('POST', `/api/applications/${application.id}/withdraw`, { token: other.token, headers: w })).status).toBe(404);
  });

  test("the records are kept under the deployment's prefix, like every other key, and indexed by the candidate they show", async () => {
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const { body: application } = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
    const headers = key();
    expect(
      (
        await stack.http('PATCH', `/api/applications/${application.id}/stage`, {
          token: recruiter.token,
          headers,
          body: { stage: 'screening' },
        })
      ).status,
    ).toBe(200);
    const prefix = `ats:${stack.config.notifier.queueName}:idempotency:`;
    expect(idempotencyPrefix(stack.config)).toBe(prefix);
    const stored = `${prefix}${recruiter.user.id}:${headers['Idempotency-Key']}`;
    expect(await stack.services.redis.get(stored)).toContain('"state":"done"');
    expect(await stack.services.redis.exists(`idempotency:${recruiter.user.id}:${headers['Idempotency-Key']}`)).toBe(0);
    expect(await stack.services.redis.smembers(`${prefix}about-candidate:${candidate.user.id}`)).toEqual([stored]);
    expect(await stack.services.redis.ttl(stored)).toBeGreaterThan(23 * 3600);
  });
});
