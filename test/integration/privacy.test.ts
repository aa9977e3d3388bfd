import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { findApplication } from '../../src/applications/application-repository';
import { dataConverterFor } from '../../src/temporal/data-converter';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;
const text = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');
const wire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const unwire = (p: { data: string }) => JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'));

/**
 * Personal data in the engine: encrypted payloads, the candidate's fields sealed under their own key,
 * a codec endpoint for recruiters, and erasure that reaches into every history.
 */
describe('candidate privacy', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let admin: Actor;
  let jobId: string;
  let jobTitle: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    recruiter = await stack.user('recruiter');
    admin = await stack.user('admin');
    const job = await createJob(stack, recruiter.user.id);
    jobId = String(job.id);
    jobTitle = job.title;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  async function apply(name: string) {
    const candidate = await stack.user('candidate', { fullName: name });
    const coverLetter = `Dear team, ${name} here: ${Math.random().toString(36).slice(2)}`;
    const resumeUrl = `https://example.com/cv-${Math.random().toString(36).slice(2)}.pdf`;
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter, resumeUrl } });
    expect(res.status).toBe(201);
    return { candidate, id: res.body.id as string, coverLetter, resumeUrl };
  }

  /** Every payload of a workflow's history, as the server stores it. */
  async function storedPayloads(id: string): Promise<Payload[]> {
    const history = await stack.services.temporal.workflow.getHandle(id).fetchHistory();
    const found: Payload[] = [];
    const walk = (v: unknown) => {
      if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
      const r = v as Record<string, unknown>;
      if (r.data instanceof Uint8Array && r.metadata && typeof r.metadata === 'object') found.push(r as Payload);
      Object.values(r).forEach(walk);
    };
    walk(history);
    return found;
  }

  const startInput = async (id: string): Promise<Payload> =>
    (await stack.services.temporal.workflow.getHandle(id).fetchHistory()).events![0].workflowExecutionStartedEventAttributes!.input!
      .payloads![0] as Payload;
  const decodeVia = (body: unknown, headers: Record<string, string> = {}, token?: string) =>
    stack.http('POST', '/codec/decode', { body, headers, token });

  test("the raw history holds no cover letter, résumé URL, e-mail or name; the system's codecs and the codec endpoint read it back", async () => {
    const applied = await apply(`Grace Hopper ${Math.random().toString(36).slice(2, 7)}`);
    await stack.http('PATCH', `/api/applications/${applied.id}/stage`, { token: recruiter.token, body: { stage: 'screening' } });
    await eventually(
      async () => ((await findApplication(stack.services.orm.em.fork(), applied.id))?.seq === 2 ? true : undefined),
      10_000,
      'the recording',
    );

    // A client without the codec: what anyone with access to the cluster or its database reads.
    const plain = new Client({ connection: stack.services.temporal.connection, namespace: stack.config.temporal.namespace });
    const history = await plain.workflow.getHandle(applied.id).fetchHistory();
    const raw = Buffer.from(JSON.stringify(history, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v))).toString(
      'utf8',
    );
    for (const secret of [
      applied.coverLetter,
      applied.resumeUrl,
      applied.candidate.user.email,
      applied.candidate.user.fullName!,
      'Dear team',
    ]) {
      expect(raw).not.toContain(secret);
    }
    const payloads = await storedPayloads(applied.id);
    expect(payloads.length).toBeGreaterThan(3);
    // Search attributes are the server's to index, never encoded: they hold the stage (and its kind), the
    // job and the pipeline version only.
    const clear = payloads.filter((p) => text(p.metadata?.encoding) !== 'binary/encrypted').map((p) => text(p.data));
    expect(clear.length).toBeLessThan(payloads.length);
    for (const value of clear)
      expect([JSON.stringify('applied'), JSON.stringify('screening'), JSON.stringify(jobId), JSON.stringify(1)]).toContain(value);

    // The system's own data converter decrypts; the personal fields stay sealed under the candidate's key.
    let decoded = [await startInput(applied.id)];
    for (const codec of [...dataConverterFor(stack.config.auth).payloadCodecs!].reverse()) decoded = await codec.decode(decoded);
    const input = JSON.parse(text(decoded[0].data));
    expect(input).toMatchObject({ applicationId: applied.id, jobId, candidateId: String(applied.candidate.user.id) });
    expect(input.coverLetter).toMatch(/^ats-pd:v1:/);

    // A recruiter, through the codec endpoint, reads the plaintext.
    const res = await decodeVia({ payloads: [wire(await startInput(applied.id))] }, {}, recruiter.token);
    expect(res.status).toBe(200);
    expect(unwire(res.body.payloads[0])).toMatchObject({ coverLetter: applied.coverLetter, resumeUrl: applied.resumeUrl });
    // The Web UI's summary names the job and company, never the candidate.
    const description = await stack.services.temporal.workflow.getHandle(applied.id).describe();
    const summary = `${await description.staticSummary()}\n${await description.staticDetails()}`;
    expect(summary).toContain(`Application: ${jobTitle} at `);
    expect(summary).toContain('**Stage at start:** applied');
    for (const secret of [applied.candidate.user.email, applied.candidate.user.fullName!]) expect(summary).not.toContain(secret);
    // And the API's answers still carry them.
    expect((await stack.http('GET', `/api/applications/${applied.id}`, { token: recruiter.token })).body).toMatchObject({
      coverLetter: applied.coverLetter,
      resumeUrl: applied.resumeUrl,
    });
  });

  test('the codec endpoint: 401 without a token, 403 for a candidate, 200 for a recruiter, also by session cookie and under a namespace', async () => {
    const applied = await apply('Katherine Johnson');
    const body = { payloads: [wire(await startInput(applied.id))] };
    const none = await decodeVia(body);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await decodeVia(body, {}, applied.candidate.token)).status).toBe(403);
    expect((await stack.http('POST', '/codec/encode', { body, token: applied.candidate.token })).status).toBe(403);
    expect((await decodeVia(body, {}, admin.token)).status).toBe(200);

    const session = await stack.http('POST', '/codec/session', { token: recruiter.token });
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie')!.split(';')[0];
    const viaCookie = await stack.http('POST', `/codec/${stack.config.temporal.namespace}/decode`, { body, headers: { Cookie: cookie } });
    expect(viaCookie.status).toBe(200);
    expect(unwire(viaCookie.body.payloads[0]).coverLetter).toBe(applied.coverLetter);
    expect((await stack.http('POST', '/codec/session', { token: applied.candidate.token })).status).toBe(403);

    // Encoding encrypts and never signs: what it answers opens for no one, and no workflow trusts it.
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"a":1}').toString('base64') };
    const encoded = await stack.http('POST', '/codec/encode', { body: { payloads: [plain] }, token: recruiter.token });
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Object.keys(encoded.body.payloads[0].metadata)).not.toContain('ats-signature');
    expect((await decodeVia(encoded.body, {}, admin.token)).body).toEqual(encoded.body);

    // CORS for the Web UI's origin, with credentials; no other origin.
    const uiOrigin = new URL(stack.config.temporal.uiUrl).origin;
    const preflight = await fetch(`${stack.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { Origin: uiOrigin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const foreign = await stack.http('POST', '/codec/decode', {
      body,
      headers: { Origin: 'https://evil.example' },
      token: recruiter.token,
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  test("erasure: the candidate's histories no longer open, the export answers 404, SQL keeps no personal field; others untouched", async () => {
    const erased = await apply(`Ada Lovelace ${Math.random().toString(36).slice(2, 7)}`);
    const other = await apply(`Alan Turing ${Math.random().toString(36).slice(2, 7)}`);
    const stranger = await stack.user('candidate');

    // Export: the user themself or an admin; anyone else learns nothing.
    const own = await stack.http('GET', `/api/users/${erased.candidate.user.id}/export`, { token: erased.candidate.token });
    expect(own.status).toBe(200);
    expect(own.body.user).toMatchObject({ email: erased.candidate.user.email, fullName: erased.candidate.user.fullName });
    expect(own.body.applications).toEqual([
      expect.objectContaining({ id: erased.id, coverLetter: erased.coverLetter, history: [expect.objectContaining({ to: 'applied' })] }),
    ]);
    expect((await stack.http('GET', `/api/users/${erased.candidate.user.id}/export`, { token: admin.token })).status).toBe(200);
    expect((await stack.http('GET', `/api/users/${erased.candidate.user.id}/export`, { token: stranger.token })).status).toBe(404);
    expect((await stack.http('GET', `/api/users/${erased.candidate.user.id}/export`, { token: recruiter.token })).status).toBe(404);
    expect((await stack.http('POST', `/api/users/${erased.candidate.user.id}/erase`, { token: stranger.token })).status).toBe(404);
    expect((await stack.http('POST', `/api/users/${recruiter.user.id}/erase`, { token: recruiter.token })).status).toBe(403);

    const res = await stack.http('POST', `/api/users/${erased.candidate.user.id}/erase`, { token: erased.candidate.token });
    expect(res.status).toBe(202);

    // The running application was ended through its workflow.
    const record = await findApplication(stack.services.orm.em.fork(), erased.id);
    expect(record).toMatchObject({ stage: 'rejected', coverLetter: null, resumeUrl: null });
    expect(record!.history.at(-1)).toMatchObject({ to: 'rejected', reason: 'erased' });
    // The history payloads decrypt, but the personal fields inside no longer open.
    const decoded = await decodeVia({ payloads: [wire(await startInput(erased.id)), wire(await startInput(other.id))] }, {}, admin.token);
    expect(unwire(decoded.body.payloads[0])).toMatchObject({ applicationId: erased.id, coverLetter: null, resumeUrl: null });
    expect(unwire(decoded.body.payloads[1])).toMatchObject({ coverLetter: other.coverLetter, resumeUrl: other.resumeUrl });

    expect((await stack.http('GET', `/api/users/${erased.candidate.user.id}/export`, { token: admin.token })).status).toBe(404);
    expect(
      (await stack.http('POST', '/api/auth/login', { body: { email: erased.candidate.user.email, password: erased.candidate.password } }))
        .status,
    ).toBe(401);

    // SQL: no personal field of theirs anywhere; the other candidate's application as it was.
    const conn = stack.services.orm.em.getConnection();
    const dump = JSON.stringify([
      await conn.execute('select * from users'),
      await conn.execute('select * from applications'),
      await conn.execute('select * from stage_events'),
    ]);
    for (const secret of [erased.coverLetter, erased.resumeUrl, erased.candidate.user.email, erased.candidate.user.fullName!])
      expect(dump).not.toContain(secret);
    expect(dump).toContain(`erased-${erased.candidate.user.id}@invalid`);
    expect(await conn.execute('select * from candidate_data_keys where user_id = ?', [erased.candidate.user.id])).toEqual([]);
    expect(await findApplication(stack.services.orm.em.fork(), other.id)).toMatchObject({
      stage: 'applied',
      coverLetter: other.coverLetter,
      resumeUrl: other.resumeUrl,
    });
    expect(
      (await stack.http('GET', `/api/users/${other.candidate.user.id}/export`, { token: other.candidate.token })).body.user,
    ).toMatchObject({ email: other.candidate.user.email });
  });
});
