import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker as QueueWorker } from 'bullmq';
import type { Redis } from 'ioredis';
import { startStack, type TestStack } from '../support/stack';
import { queueDump } from '../support/queue-dump';
import { bundleWorkflows, eventually } from '../support/applications';
import { responseValidator } from '../support/openapi-validator';
import { createRedis } from '../../src/redis';
import { createNotificationWorker } from '../../src/notifications/notification-worker';
import { createMailer } from '../../src/mail/mailer';
import { addToTeam } from '../../src/jobs/hiring-team';

type Actor = Awaited<ReturnType<TestStack['user']>>;

const REMINDER_SECONDS = 3;
const ESCALATION_SECONDS = 6;

/** One message of the dev outbox: who it went to, what kind, and whether it carries an invitation or cancellation. */
interface Mail {
  to: string;
  kind: string;
  job: string;
  method: 'REQUEST' | 'CANCEL' | null;
  uid: string | null;
  text: string;
}

/**
 * Interviews and scorecards against a running system: the API, an in-process Temporal worker (the
 * application's workflow and one child workflow per interview), and the notifier writing the dev
 * outbox. The scorecard clocks run in seconds here (`SCORECARD_*_SECONDS`), on the real dev server.
 */
describe('interviews and scorecards', () => {
  let stack: TestStack;
  let mailWorker: QueueWorker;
  let connection: Redis;
  let recruiter: Actor;
  let admin: Actor;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;

  beforeAll(async () => {
    stack = await startStack(
      { SCORECARD_REMINDER_SECONDS: String(REMINDER_SECONDS), SCORECARD_ESCALATION_SECONDS: String(ESCALATION_SECONDS) },
      { worker: { workflowBundle: await bundleWorkflows() } },
    );
    connection = createRedis(stack.config.redisUrl, { forWorker: true });
    const { config, services } = stack;
    mailWorker = createNotificationWorker({
      connection,
      queueName: config.notifier.queueName,
      concurrency: 4,
      mailer: createMailer(config.mail, services.logger),
      mailFrom: config.mail.from,
      logger: services.logger,
      orm: services.orm,
    });
    recruiter = await stack.user('recruiter', { fullName: 'Rita Recruiter' });
    admin = await stack.user('admin');
    expectDocumented = await responseValidator(stack);
  }, 90_000);
  afterAll(async () => {
    await mailWorker?.close();
    connection?.disconnect();
    await stack?.close();
  });

  const outboxDir = () => stack.config.mail.outboxDir;
  function mails(): Mail[] {
    if (!fs.existsSync(outboxDir())) return [];
    return fs
      .readdirSync(outboxDir())
      .filter((f) => f.endsWith('.eml'))
      .map((f) => {
        const raw = fs.readFileSync(path.join(outboxDir(), f), 'utf8');
        const unfolded = raw.replace(/\r?\n[ \t]/g, ' ');
        const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'mi').exec(unfolded)?.[1]?.trim() ?? '';
        const job = header('X-ATS-Notification');
        const method = /METHOD:(REQUEST|CANCEL)/.exec(raw)?.[1] as Mail['method'] | undefined;
        return {
          to: header('To'),
          kind: /\.(interview_invitation|interview_cancelled|scorecard_reminder|scorecard_escalation|[a-z_]+)\.user/.exec(job)?.[1] ?? '',
          job,
          method: method ?? null,
          uid: /UID:([^\r\n]+)/.exec(raw)?.[1] ?? null,
          text: raw,
        };
      });
  }
  const mailsAbout = (interviewId: string) => mails().filter((m) => m.job.includes(interviewId.replace(/:/g, '_')));
  const addressOf = (a: Actor) => a.user.email;

  /** A job of the recruiter's, a candidate's application to it, and a hiring manager on its team as `hiring_manager`. */
  async function application() {
    const job = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Platform Engineer', company: 'Interview Co' },
    });
    expect(job.status).toBe(201);
    const teamManager = await stack.user('hiring_manager', { fullName: 'Hana Manager' });
    await addToTeam(stack.services.orm.em.fork(), Number(job.body.id), teamManager.user.id, recruiter.user.id, 'hiring_manager');
    const candidate = await stack.user('candidate', { fullName: `Cory Candidate ${randomUUID().slice(0, 8)}` });
    const applied = await stack.http('POST', `/api/jobs/${job.body.id}/apply`, { token: candidate.token, body: { coverLetter: 'Hello' } });
    expect(applied.status).toBe(201);
    return { id: applied.body.id as string, jobId: String(job.body.id), candidate, teamManager };
  }

  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const schedule = (applicationId: string, who: Actor, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    stack.http('POST', `/api/applications/${applicationId}/interviews`, { token: who.token, body, headers });
  const scorecard = (interviewId: string, who: Actor, body: Record<string, unknown>) =>
    stack.http('PUT', `/api/interviews/${interviewId}/scorecard`, { token: who.token, body });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('the whole flow: invitations, feedback, blind scorecards, a decision, and who sees what', async () => {
    const { id, candidate, teamManager } = await application();
    // Two interviewers who are not on the team: a hiring manager and another recruiter. They join it as `interviewer`.
    const first = await stack.user('hiring_manager', { fullName: 'Ivy Interviewer' });
    const second = await stack.user('recruiter', { fullName: 'Sam Second' });
    const scheduled = await schedule(id, recruiter, {
      title: 'Technical interview',
      startsAt: inSeconds(3),
      endsAt: inSeconds(5),
      location: 'Room 4',
      interviewerIds: [String(first.user.id), second.user.id],
    });
    expect(scheduled.status).toBe(201);
    expectDocumented('post', '/api/applications/{id}/interviews', scheduled);
    const interviewId = scheduled.body.id as string;
    expect(scheduled.body).toMatchObject({
      applicationId: id,
      title: 'Technical interview',
      location: 'Room 4',
      status: 'scheduled',
      interviewers: [
        { id: String(first.user.id), fullName: 'Ivy Interviewer', scorecardSubmitted: false },
        { id: String(second.user.id), fullName: 'Sam Second', scorecardSubmitted: false },
      ],
    });

    // Every invitation is an iCalendar REQUEST with the interview's UID: the candidate's holds no interviewer's name.
    const invitations = await eventually(async () => {
      const found = mailsAbout(interviewId).filter((m) => m.kind === 'interview_invitation');
      return found.length === 3 ? found : undefined;
    });
    expect(invitations.map((m) => m.method)).toEqual(['REQUEST', 'REQUEST', 'REQUEST']);
    expect(new Set(invitations.map((m) => m.uid)).size).toBe(1);
    expect(invitations[0].uid).toContain(interviewId);
    const candidateMail = invitations.find((m) => m.to.includes(addressOf(candidate)))!;
    expect(candidateMail).toBeDefined();
    expect(candidateMail.text).not.toContain('Ivy Interviewer');
    expect(candidateMail.text).not.toContain('Sam Second');
    for (const who of [first, second]) expect(invitations.some((m) => m.to.includes(addressOf(who)))).toBe(true);

    // Scorecards open at the start.
    const early = await scorecard(interviewId, first, { recommendation: 'yes' });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('interview_not_started');

    // The candidate sees the time, title, place and `scheduled`; nothing about the team.
    const seen = await stack.http('GET', `/api/applications/${id}/interviews`, { token: candidate.token });
    expect(seen.status).toBe(200);
    expectDocumented('get', '/api/applications/{id}/interviews', seen);
    expect(seen.body.items).toEqual([
      {
        id: interviewId,
        title: 'Technical interview',
        startsAt: scheduled.body.startsAt,
        endsAt: scheduled.body.endsAt,
        location: 'Room 4',
        status: 'scheduled',
      },
    ]);
    expect((await stack.http('GET', `/api/applications/${id}/scorecards`, { token: candidate.token })).status).toBe(404);

    // From its end the interview awaits feedback, at once, as read.
    await sleep(Date.parse(scheduled.body.endsAt) - Date.now() + 200);
    const waiting = await stack.http('GET', `/api/applications/${id}/interviews`, { token: recruiter.token });
    expect(waiting.body.items[0].status).toBe('awaiting_feedback');
    // The candidate is not told about feedback: past interviews stay `scheduled` to them.
    expect((await stack.http('GET', `/api/applications/${id}/interviews`, { token: candidate.token })).body.items[0].status).toBe(
      'scheduled',
    );

    // Blind: the first interviewer reads no scorecards, and not whether the other's is in, until theirs is.
    const second1 = await scorecard(interviewId, second, {
      recommendation: 'strong_yes',
      attributes: [{ name: 'System design', rating: 4, note: 'Clear trade-offs' }],
      notes: 'Hire.',
    });
    expect(second1.status).toBe(200);
    expectDocumented('put', '/api/interviews/{id}/scorecard', second1);
    const blind = await stack.http('GET', `/api/applications/${id}/scorecards`, { token: first.token });
    expect(blind.status).toBe(403);
    expect(blind.body.code).toBe('scorecards_hidden');
    const blindList = await stack.http('GET', `/api/applications/${id}/interviews`, { token: first.token });
    expect(blindList.body.items[0].interviewers).toEqual([
      { id: String(first.user.id), fullName: 'Ivy Interviewer', scorecardSubmitted: false },
      { id: String(second.user.id), fullName: 'Sam Second', scorecardSubmitted: null },
    ]);
    const blindApplication = await stack.http('GET', `/api/applications/${id}`, { token: first.token });
    expect(blindApplication.status).toBe(200);
    expect(blindApplication.body.evaluation).toBeNull();

    // Someone who is not an interviewer of it cannot submit one.
    const notMine = await scorecard(interviewId, teamManager, { recommendation: 'no' });
    expect(notMine.status).toBe(403);

    const first1 = await scorecard(interviewId, first, { recommendation: 'yes' });
    expect(first1.status).toBe(200);
    const open = await stack.http('GET', `/api/applications/${id}/scorecards`, { token: first.token });
    expect(open.status).toBe(200);
    expectDocumented('get', '/api/applications/{id}/scorecards', open);
    expect(open.body.items.map((s: { author: { id: string }; recommendation: string }) => [s.author.id, s.recommendation])).toEqual([
      [String(second.user.id), 'strong_yes'],
      [String(first.user.id), 'yes'],
    ]);

    // Complete; the application needs a decision, and the list finds it.
    const done = await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token });
    expect(done.body.evaluation).toEqual({
      interviews: 1,
      scorecardsDue: 0,
      scorecardsSubmitted: 2,
      recommendations: { strong_no: 0, no: 0, yes: 1, strong_yes: 1 },
      needsDecision: true,
    });
    expect((await stack.http('GET', `/api/applications/${id}/interviews`, { token: recruiter.token })).body.items[0].status).toBe(
      'complete',
    );
    const deciding = await stack.http('GET', `/api/applications?needsDecision=true&limit=100`, { token: recruiter.token });
    expect(deciding.status).toBe(200);
    expect(deciding.body.items.map((a: { id: string }) => a.id)).toContain(id);
    const notDeciding = await stack.http('GET', `/api/applications?needsDecision=false&limit=100`, { token: recruiter.token });
    expect(notDeciding.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    // And the Web UI's search attribute says so too.
    await eventually(async () => {
      const described = await stack.services.temporal.workflow.getHandle(id).describe();
      return (described.searchAttributes as Record<string, unknown[]>).NeedsDecision?.[0] === true ? true : undefined;
    });

    // The team's hiring manager reads everything, and moves nothing.
    for (const route of [`/api/applications/${id}`, `/api/applications/${id}/interviews`, `/api/applications/${id}/scorecards`])
      expect((await stack.http('GET', route, { token: teamManager.token })).status).toBe(200);
    const managerView = await stack.http('GET', `/api/applications/${id}`, { token: teamManager.token });
    expect(managerView.body.evaluation.needsDecision).toBe(true);
    const move = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: teamManager.token, body: { stage: 'screening' } });
    expect(move.status).toBe(403);
    const managerSchedules = await schedule(id, teamManager, {
      title: 'x',
      startsAt: inSeconds(60),
      endsAt: inSeconds(120),
      interviewerIds: [String(teamManager.user.id)],
    });
    expect(managerSchedules.status).toBe(403);

    // A recruiter off the team gets 404 for all of it.
    const outsider = await stack.user('recruiter');
    for (const [method, route, body] of [
      ['GET', `/api/applications/${id}/interviews`, undefined],
      ['GET', `/api/applications/${id}/scorecards`, undefined],
      [
        'POST',
        `/api/applications/${id}/interviews`,
        { title: 'x', startsAt: inSeconds(60), endsAt: inSeconds(120), interviewerIds: ['1'] },
      ],
      ['PATCH', `/api/interviews/${interviewId}`, { title: 'y' }],
      ['POST', `/api/interviews/${interviewId}/cancel`, undefined],
      ['PUT', `/api/interviews/${interviewId}/scorecard`, { recommendation: 'no' }],
    ] as const)
      expect({ method, route, status: (await stack.http(method, route, { token: outsider.token, body })).status }).toEqual({
        method,
        route,
        status: 404,
      });

    // A stage change is the decision: nothing waits for one any more.
    const moved = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage: 'screening' } });
    expect(moved.status).toBe(200);
    expect((await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token })).body.evaluation.needsDecision).toBe(false);
    await eventually(async () => {
      const described = await stack.services.temporal.workflow.getHandle(id).describe();
      return (described.searchAttributes as Record<string, unknown[]>).NeedsDecision?.[0] === false ? true : undefined;
    });

    // My interviews: the interviewer's own, with the candidate's application.
    const mine = await stack.http('GET', '/api/interviews?mine=true', { token: first.token });
    expect(mine.status).toBe(200);
    expectDocumented('get', '/api/interviews', mine);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(interviewId);
    expect((await stack.http('GET', '/api/interviews?mine=true', { token: candidate.token })).status).toBe(403);
  }, 90_000);

  test('the reminder and the escalation go out once each, at their delays; a rejection cancels what is pending', async () => {
    const { id, candidate } = await application();
    const late = await stack.user('recruiter', { fullName: 'Lee Late' });
    const prompt = await stack.user('hiring_manager', { fullName: 'Pat Prompt' });
    const scheduled = await schedule(id, recruiter, {
      title: 'Panel',
      startsAt: inSeconds(1),
      endsAt: inSeconds(2),
      interviewerIds: [late.user.id, prompt.user.id],
    });
    expect(scheduled.status).toBe(201);
    const interviewId = scheduled.body.id as string;
    const ends = Date.parse(scheduled.body.endsAt);
    await sleep(ends - Date.now() + 100);
    expect((await scorecard(interviewId, prompt, { recommendation: 'no' })).status).toBe(200);

    // A second interview, ahead, that the rejection below must call off.
    const ahead = await schedule(id, recruiter, {
      title: 'Final round',
      startsAt: inSeconds(3600),
      endsAt: inSeconds(7200),
      interviewerIds: [prompt.user.id],
    });
    expect(ahead.status).toBe(201);

    const reminders = await eventually(
      async () => {
        const found = mailsAbout(interviewId).filter((m) => m.kind === 'scorecard_reminder');
        return found.length ? found : undefined;
      },
      (REMINDER_SECONDS + 10) * 1000,
      'the reminder',
    );
    expect(Date.now() - ends).toBeGreaterThanOrEqual(REMINDER_SECONDS * 1000);
    expect(reminders.map((m) => m.to)).toEqual([expect.stringContaining(addressOf(late))]);

    const escalations = await eventually(
      async () => {
        const found = mailsAbout(interviewId).filter((m) => m.kind === 'scorecard_escalation');
        return found.length ? found : undefined;
      },
      (ESCALATION_SECONDS + 10) * 1000,
      'the escalation',
    );
    expect(Date.now() - ends).toBeGreaterThanOrEqual(ESCALATION_SECONDS * 1000);
    // To the job's recruiters, naming whose scorecard is missing.
    expect(escalations.map((m) => m.to)).toEqual([expect.stringContaining(addressOf(recruiter))]);
    expect(escalations[0].text).toContain('Lee Late');

    // Rejected: the interview ahead is cancelled (a CANCEL with its UID to the candidate and its interviewer).
    const rejected = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage: 'rejected' } });
    expect(rejected.status).toBe(200);
    const cancellations = await eventually(async () => {
      const found = mailsAbout(ahead.body.id).filter((m) => m.kind === 'interview_cancelled');
      return found.length === 2 ? found : undefined;
    });
    expect(cancellations.map((m) => m.method)).toEqual(['CANCEL', 'CANCEL']);
    expect(cancellations.some((m) => m.to.includes(addressOf(candidate)))).toBe(true);
    const listed = await stack.http('GET', `/api/applications/${id}/interviews`, { token: recruiter.token });
    expect(listed.body.items.find((i: { id: string }) => i.id === ahead.body.id).status).toBe('cancelled');

    // Nothing more goes out: exactly one reminder and one escalation, after a while too.
    await sleep(3000);
    expect(mailsAbout(interviewId).filter((m) => m.kind === 'scorecard_reminder')).toHaveLength(1);
    expect(mailsAbout(interviewId).filter((m) => m.kind === 'scorecard_escalation')).toHaveLength(1);
    expect(mailsAbout(ahead.body.id).filter((m) => m.kind !== 'interview_invitation' && m.kind !== 'interview_cancelled')).toEqual([]);
    // A final application takes no more interviews or scorecards.
    const after = await schedule(id, recruiter, {
      title: 'x',
      startsAt: inSeconds(60),
      endsAt: inSeconds(120),
      interviewerIds: [late.user.id],
    });
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('application_final');
    expect((await scorecard(interviewId, late, { recommendation: 'yes' })).status).toBe(409);
  }, 90_000);

  test('rescheduling sends an update with the same UID; cancelling sends a cancellation; bad input changes nothing', async () => {
    const { id } = await application();
    const interviewer = await stack.user('recruiter');
    const body = { title: 'Chat', startsAt: inSeconds(3600), endsAt: inSeconds(5400), interviewerIds: [interviewer.user.id] };
    for (const bad of [
      { ...body, endsAt: body.startsAt },
      { ...body, startsAt: inSeconds(-3600) },
      { ...body, interviewerIds: [] },
      { ...body, interviewerIds: ['999999'] },
      { ...body, startsAt: 'tomorrow' },
      { ...body, title: 'a\u0000b' },
      // Absurd times: centuries ahead, or an interview that lasts months.
      { ...body, startsAt: '9999-12-31T23:00:00Z', endsAt: '9999-12-31T23:59:59Z' },
      { ...body, endsAt: inSeconds(3600 + 90 * 86_400) },
    ]) {
      const refused = await schedule(id, recruiter, bad);
      expect({ bad, status: refused.status }).toEqual({ bad, status: 422 });
    }
    const candidateAsInterviewer = await schedule(id, recruiter, { ...body, interviewerIds: [(await stack.user('candidate')).user.id] });
    expect(candidateAsInterviewer.status).toBe(422);
    expect((await stack.http('GET', `/api/applications/${id}/interviews`, { token: recruiter.token })).body.items).toEqual([]);
    // An id of the recruiter's own job that names no application: 404 on its lists, as on the application.
    const unknown = id.replace(/-[a-z0-9]+$/, '-zzzzzzzzzz');
    for (const list of ['interviews', 'scorecards', 'notes']) {
      const missing = await stack.http('GET', `/api/applications/${unknown}/${list}`, { token: recruiter.token });
      expect({ list, status: missing.status }).toEqual({ list, status: 404 });
    }

    const hook = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: 'https://example.com/ats-hook', events: ['interview.scheduled', 'interview.updated', 'interview.cancelled'] },
    });
    expect(hook.status).toBe(201);

    // Keyed: the same key and body answer the first answer again; one interview only.
    const key = { 'Idempotency-Key': `interview-${Date.now()}` };
    const once = await schedule(id, recruiter, body, key);
    const again = await schedule(id, recruiter, body, key);
    expect(once.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(once.body.id);
    expect((await stack.http('GET', `/api/applications/${id}/interviews`, { token: admin.token })).body.items).toHaveLength(1);

    const moved = await stack.http('PATCH', `/api/interviews/${once.body.id}`, {
      token: recruiter.token,
      body: { startsAt: inSeconds(7200), endsAt: inSeconds(9000), location: 'Room 9' },
    });
    expect(moved.status).toBe(200);
    expectDocumented('patch', '/api/interviews/{id}', moved);
    expect(moved.body).toMatchObject({ location: 'Room 9', title: 'Chat', status: 'scheduled' });
    // A change to what it already is changes nothing: no new revision, invitation or webhook (checked below).
    for (const same of [
      {},
      { location: 'Room 9', title: 'Chat' },
      { startsAt: moved.body.startsAt, interviewerIds: [interviewer.user.id] },
    ]) {
      const unchanged = await stack.http('PATCH', `/api/interviews/${once.body.id}`, { token: recruiter.token, body: same });
      expect({ same, status: unchanged.status }).toEqual({ same, status: 200 });
      expect(unchanged.body).toEqual(moved.body);
    }
    const tooFar = await stack.http('PATCH', `/api/interviews/${once.body.id}`, {
      token: recruiter.token,
      body: { startsAt: '9999-01-01T00:00:00Z', endsAt: '9999-01-01T01:00:00Z' },
    });
    expect(tooFar.status).toBe(422);
    await eventually(async () =>
      mailsAbout(once.body.id).filter((m) => m.kind === 'interview_invitation').length === 4 ? true : undefined,
    );
    const cancelled = await stack.http('POST', `/api/interviews/${once.body.id}/cancel`, { token: recruiter.token });
    expect(cancelled.status).toBe(200);
    expectDocumented('post', '/api/interviews/{id}/cancel', cancelled);
    expect(cancelled.body.status).toBe('cancelled');

    const all = await eventually(async () => {
      const found = mailsAbout(once.body.id);
      return found.filter((m) => m.kind === 'interview_cancelled').length === 2 ? found : undefined;
    });
    const uids = new Set(all.map((m) => m.uid));
    expect(uids.size).toBe(1);
    const sequences = all.map((m) => Number(/SEQUENCE:(\d+)/.exec(m.text)?.[1])).sort();
    expect(sequences).toEqual([0, 0, 1, 1, 2, 2]);
    expect(all.filter((m) => m.kind === 'interview_invitation')).toHaveLength(4);
    // One delivery per event (the keyed repeat emitted nothing more), signed and sent like every other.
    const deliveries = await stack.http('GET', `/api/webhooks/${hook.body.id}/deliveries?limit=100`, { token: admin.token });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items.map((d: { event: string }) => d.event).sort()).toEqual([
      'interview.cancelled',
      'interview.scheduled',
      'interview.updated',
    ]);
    expect((await stack.http('DELETE', `/api/webhooks/${hook.body.id}`, { token: admin.token })).status).toBe(204);
    // A cancelled interview takes no changes.
    const changeCancelled = await stack.http('PATCH', `/api/interviews/${once.body.id}`, { token: recruiter.token, body: { title: 'z' } });
    expect(changeCancelled.status).toBe(409);
  }, 90_000);

  test('the export holds the notes, interviews and scorecards; after erasure none is readable and no reminder or invitation goes out', async () => {
    const { id, candidate } = await application();
    const [late, prompt] = [
      await stack.user('recruiter', { fullName: 'Lou Late' }),
      await stack.user('recruiter', { fullName: 'Pia Prompt' }),
    ];
    const past = await schedule(id, recruiter, {
      title: 'Screen',
      startsAt: inSeconds(1),
      endsAt: inSeconds(2),
      interviewerIds: [late.user.id, prompt.user.id],
    });
    const ahead = await schedule(id, recruiter, {
      title: 'Onsite',
      startsAt: inSeconds(3600),
      endsAt: inSeconds(7200),
      interviewerIds: [prompt.user.id],
    });
    expect([past.status, ahead.status]).toEqual([201, 201]);
    await sleep(Date.parse(past.body.startsAt) - Date.now() + 100);
    const feedback = `Scorecard feedback ${Date.now()}`;
    expect((await scorecard(past.body.id, prompt, { recommendation: 'no', notes: feedback })).status).toBe(200);
    const noteBody = `A note about the candidate ${Date.now()}`;
    expect((await stack.http('POST', `/api/applications/${id}/notes`, { token: recruiter.token, body: { body: noteBody } })).status).toBe(
      201,
    );
    await eventually(async () => (mailsAbout(ahead.body.id).length === 2 ? true : undefined));

    const exported = await stack.http('GET', `/api/users/${candidate.user.id}/export`, { token: candidate.token });
    expect(exported.status).toBe(200);
    expectDocumented('get', '/api/users/{id}/export', exported);
    expect(exported.body.notes.map((n: { body: string }) => n.body)).toEqual([noteBody]);
    expect(exported.body.interviews.map((i: { id: string }) => i.id).sort()).toEqual([past.body.id, ahead.body.id].sort());
    expect(exported.body.scorecards).toEqual([
      expect.objectContaining({ interviewId: past.body.id, notes: feedback, recommendation: 'no' }),
    ]);

    const erased = await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token });
    expect(erased.status).toBe(202);
    // The interview ahead is called off for its interviewer only, without the candidate's data; the candidate is sent nothing.
    const cancellations = await eventually(async () => {
      const found = mailsAbout(ahead.body.id).filter((m) => m.kind === 'interview_cancelled');
      return found.length ? found : undefined;
    });
    expect(cancellations.map((m) => m.to)).toEqual([expect.stringContaining(prompt.user.email)]);
    // Past the reminder and the escalation of the interview whose scorecard was missing: neither goes out.
    await sleep(Math.max(0, Date.parse(past.body.endsAt) + (ESCALATION_SECONDS + 2) * 1000 - Date.now()));
    const secrets = [candidate.user.fullName!, candidate.user.email, feedback, noteBody];
    const aboutPast = mailsAbout(past.body.id).map((m) => m.kind);
    expect(aboutPast.filter((k) => k === 'scorecard_reminder' || k === 'scorecard_escalation')).toEqual([]);
    for (const mail of mails())
      expect({ file: mail.job, found: secrets.filter((x) => mail.text.includes(x)) }).toEqual({ file: mail.job, found: [] });

    const sql = stack.services.orm.em.fork().getConnection();
    for (const table of ['notes', 'scorecards', 'interviews'])
      expect({ table, rows: await sql.execute(`select * from ${table} where application_id = ?`, [id], 'all') }).toEqual({
        table,
        rows: [],
      });
    const dump = await queueDump(stack.services.redis, stack.services.notifications);
    expect(secrets.filter((x) => dump.includes(x))).toEqual([]);
    // The account is gone as such: there is nothing left to export.
    expect((await stack.http('GET', `/api/users/${candidate.user.id}/export`, { token: admin.token })).status).toBe(404);
  }, 90_000);
});
