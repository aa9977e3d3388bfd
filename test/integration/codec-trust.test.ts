import type { Payload } from '@temporalio/common';
import { ensureAdmin } from '../../src/accounts/admin';
import { findApplication } from '../../src/applications/application-repository';
import { dataConverterFor } from '../../src/temporal/data-converter';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;
interface Wire {
  metadata?: Record<string, string>;
  data?: string;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const wire = (p: Payload): Wire => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const json = (value: unknown): Payload => ({
  metadata: { encoding: new TextEncoder().encode('json/plain') },
  data: new TextEncoder().encode(JSON.stringify(value)),
});
const shown = (p: Wire) => Buffer.from(p.data ?? '', 'base64').toString('utf8');

/**
 * `/codec/decode` is a window onto the histories a caller may read: the Web UI sends payloads with
 * no workflow id, so what opens is decided from each payload's own `applicationId`, against the
 * caller's hiring teams as they are at that moment.
 */
describe('the codec server opens only what the caller may read', () => {
  let stack: TestStack;
  let owner: Actor;
  let outsider: Actor;
  let admin: Actor;
  let job: { id: number; createdBy: number };
  let otherJobId: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    owner = await stack.user('recruiter');
    outsider = await stack.user('recruiter');
    admin = await stack.user('admin');
    job = await createJob(stack, owner.user.id);
    otherJobId = String((await createJob(stack, admin.user.id)).id);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  async function apply(jobId: string) {
    const candidate = await stack.user('candidate');
    const coverLetter = `Cover letter ${Math.random().toString(36).slice(2)}`;
    const resumeUrl = `https://example.com/cv-${Math.random().toString(36).slice(2)}.pdf`;
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter, resumeUrl } });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, candidate, coverLetter, resumeUrl };
  }

  /** Every payload of the application's history as the Web UI gets it from the server, once it is recorded. */
  async function historyPayloads(id: string): Promise<Wire[]> {
    await eventually(
      async () => ((await findApplication(stack.services.orm.em.fork(), id))?.seq === 1 ? true : undefined),
      10_000,
      'the recording',
    );
    const history = await stack.services.temporal.workflow.getHandle(id).fetchHistory();
    const found: Payload[] = [];
    const walk = (v: unknown) => {
      if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
      const r = v as Record<string, unknown>;
      if (r.data instanceof Uint8Array && r.metadata && typeof r.metadata === 'object') found.push(r as Payload);
      Object.values(r).forEach(walk);
    };
    walk(history.events);
    // Only what went through the codec: search attributes are the server's to index, in the clear.
    return found.filter((p) => Buffer.from(p.metadata?.encoding ?? []).toString() === 'binary/encrypted').map(wire);
  }

  const decode = async (actor: Actor, payloads: Wire[]) => {
    // As the Web UI calls it: a namespace header, no workflow id.
    const res = await stack.http('POST', '/codec/decode', {
      token: actor.token,
      body: { payloads },
      headers: { 'X-Namespace': stack.config.temporal.namespace },
    });
    expect(res.status).toBe(200);
    return res.body.payloads as Wire[];
  };
  const startInputOf = async (payloads: Wire[], actor: Actor, id: string) =>
    (await decode(actor, payloads))
      .map(shown)
      .map((text) => {
        try {
          return JSON.parse(text);
        } catch {
          return null;
        }
      })
      .find((value) => value?.applicationId === id && 'coverLetter' in value);

  test('a recruiter off the team gets every payload back as sent; on the team it opens; removed, it is sealed again at once', async () => {
    const applied = await apply(String(job.id));
    const payloads = await historyPayloads(applied.id);
    expect(payloads.length).toBeGreaterThan(2);
    // The API's own answer to the outsider.
    expect((await stack.http('GET', `/api/applications/${applied.id}`, { token: outsider.token })).status).toBe(404);

    const sealed = await decode(outsider, payloads);
    expect(sealed).toEqual(payloads);
    expect(sealed.map(shown).join()).not.toContain(applied.coverLetter);

    const opened = await startInputOf(payloads, owner, applied.id);
    expect(opened).toMatchObject({ applicationId: applied.id, coverLetter: applied.coverLetter, resumeUrl: applied.resumeUrl });

    expect((await stack.http('POST', `/api/jobs/${job.id}/team`, { token: admin.token, body: { userId: outsider.user.id } })).status).toBe(
      201,
    );
    expect(await startInputOf(payloads, outsider, applied.id)).toMatchObject({
      coverLetter: applied.coverLetter,
      resumeUrl: applied.resumeUrl,
    });

    expect((await stack.http('DELETE', `/api/jobs/${job.id}/team/${outsider.user.id}`, { token: admin.token })).status).toBe(204);
    expect(await decode(outsider, payloads)).toEqual(payloads);
    // Through the Web UI's session cookie too.
    const session = await stack.http('POST', '/codec/session', { token: outsider.token });
    const cookie = session.headers.get('set-cookie')!.split(';')[0];
    const viaCookie = await stack.http('POST', `/codec/${stack.config.temporal.namespace}/decode`, {
      body: { payloads },
      headers: { Cookie: cookie },
    });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body.payloads).toEqual(payloads);
  });

  test("staff open what their team role lets them read: a hiring manager the job's applications, an interviewer only the one they interview", async () => {
    const applied = await apply(String(job.id));
    const payloads = await historyPayloads(applied.id);
    const [manager, interviewer] = [await stack.user('hiring_manager'), await stack.user('hiring_manager')];
    expect(await decode(manager, payloads)).toEqual(payloads);
    const join = (who: Actor, teamRole: string) =>
      stack.http('POST', `/api/jobs/${job.id}/team`, { token: owner.token, body: { userId: String(who.user.id), teamRole } });
    expect((await join(manager, 'hiring_manager')).status).toBe(201);
    expect(await startInputOf(payloads, manager, applied.id)).toMatchObject({ coverLetter: applied.coverLetter });

    expect((await join(interviewer, 'interviewer')).status).toBe(201);
    expect(await decode(interviewer, payloads)).toEqual(payloads);
    const now = new Date().toISOString();
    const conn = stack.services.orm.em.fork().getConnection();
    await conn.execute(
      `insert into interviews (id, application_id, title, starts_at, ends_at, status, created_by, created_at, updated_at)
        values (?, ?, 'Onsite', ?, ?, 'scheduled', ?, ?, ?)`,
      [`interview-codec-${applied.id}`, applied.id, now, now, owner.user.id, now, now],
      'run',
    );
    await conn.execute('insert into interview_interviewers (interview_id, user_id) values (?, ?)', [
      `interview-codec-${applied.id}`,
      interviewer.user.id,
    ]);
    expect(await startInputOf(payloads, interviewer, applied.id)).toMatchObject({ coverLetter: applied.coverLetter });
  });

  test("an admin opens every application's payloads, and those naming none", async () => {
    const applied = await apply(otherJobId);
    const payloads = await historyPayloads(applied.id);
    expect(await startInputOf(payloads, admin, applied.id)).toMatchObject({
      coverLetter: applied.coverLetter,
      resumeUrl: applied.resumeUrl,
    });
    const decoded = await decode(admin, payloads);
    expect(decoded.every((p) => Buffer.from(p.metadata!.encoding, 'base64').toString() !== 'binary/encrypted')).toBe(true);

    // A signed payload naming no application: the admin reads it, a recruiter gets it as sent.
    const [signed] = await encodeAsTheSystem([json({ needsContent: false })]);
    expect(shown((await decode(admin, [signed]))[0])).toBe('{"needsContent":false}');
    expect(await decode(owner, [signed])).toEqual([signed]);
  });

  test("a payload pairing a readable application with another candidate's sealed field does not open it", async () => {
    const readable = await apply(String(job.id));
    const other = await apply(otherJobId);
    // The other candidate's sealed cover letter, as it stands in their start input.
    const [otherInput] = await decodeAsTheSystem(await historyPayloads(other.id));
    const sealedOther = JSON.parse(Buffer.from(otherInput.data!).toString()).coverLetter as string;
    expect(sealedOther).toMatch(/^ats-pd:v1:/);
    const forged = {
      applicationId: readable.id,
      jobId: String(job.id),
      candidateId: String(readable.candidate.user.id),
      coverLetter: sealedOther,
      resumeUrl: null,
    };

    // Encoded through the codec server: unsigned, so it opens for nobody, admins included.
    const encoded = await stack.http('POST', '/codec/encode', { token: owner.token, body: { payloads: [wire(json(forged))] } });
    expect(encoded.status).toBe(200);
    for (const actor of [owner, admin]) {
      const back = await decode(actor, encoded.body.payloads);
      expect(back).toEqual(encoded.body.payloads);
      expect(back.map(shown).join()).not.toContain(other.coverLetter);
    }
    // Even signed, the sealed field opens only for the candidate of an application the payload names.
    const [signed] = await encodeAsTheSystem([json(forged)]);
    const opened = JSON.parse(shown((await decode(owner, [signed]))[0]));
    expect(opened).toMatchObject({ applicationId: readable.id, coverLetter: sealedOther });
  });

  test('a codec session issued before a password reset is refused after it', async () => {
    const recruiter = await stack.user('recruiter');
    const session = await stack.http('POST', '/codec/session', { token: recruiter.token });
    expect(session.status).toBe(204);
    const cookie = session.headers.get('set-cookie')!.split(';')[0];
    const body = { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('1') }] };
    expect((await stack.http('POST', '/codec/decode', { body, headers: { Cookie: cookie } })).status).toBe(200);

    expect(await ensureAdmin(stack.services, recruiter.user.email, 'a-new-password-0123', { resetPassword: true })).toBe('reset');
    const after = await stack.http('POST', '/codec/decode', { body, headers: { Cookie: cookie } });
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toContain('application/problem+json');
    // A session from a token issued under the new password works.
    const login = await stack.http('POST', '/api/auth/login', { body: { email: recruiter.user.email, password: 'a-new-password-0123' } });
    const fresh = await stack.http('POST', '/codec/session', { token: login.body.accessToken });
    const freshCookie = fresh.headers.get('set-cookie')!.split(';')[0];
    expect((await stack.http('POST', '/codec/decode', { body, headers: { Cookie: freshCookie } })).status).toBe(200);
  });

  /** The API's and the workers' own data converter, which the test holds as they do. */
  async function encodeAsTheSystem(payloads: Payload[]): Promise<Wire[]> {
    let current = payloads;
    for (const codec of dataConverterFor(stack.config.auth).payloadCodecs!) current = await codec.encode(current);
    return current.map(wire);
  }

  async function decodeAsTheSystem(payloads: Wire[]): Promise<Payload[]> {
    let current: Payload[] = payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
    }));
    for (const codec of [...dataConverterFor(stack.config.auth).payloadCodecs!].reverse()) current = await codec.decode(current);
    return current.filter((p) =>
      Buffer.from(p.data ?? [])
        .toString()
        .includes('"coverLetter"'),
    );
  }
});
