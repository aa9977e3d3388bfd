import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startStack, type TestStack } from '../support/stack';
import { insertJob, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { addToTeam } from '../../src/jobs/hiring-team';
import { applicationWorkflowId } from '../../src/domain/ids';
import type { InterviewNotice } from '../../src/domain/interviews';
import { UserSchema, type User } from '../../src/db/entities/user.entity';
import { recordInterviewNotice } from '../../src/notifications/interview-notifications';
import { deleteOutboxFilesAbout } from '../../src/mail/dev-outbox';
import { removeNotificationJobsAbout } from '../../src/notifications/notification-erasure';

/**
 * An interview's notices through the real pipeline: recipients read from SQLite, outbox rows, BullMQ
 * jobs in Redis, the notifier's worker, and nodemailer writing each message to a dev-outbox folder.
 */
describe('interview notifications: notice to .eml', () => {
  let stack: TestStack;
  let harness: NotifierHarness;
  let outboxDir: string;
  let n = 0;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    outboxDir = fs.mkdtempSync(path.join(stack.dir, 'outbox-'));
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName: `${stack.config.notifier.queueName}-interviews-${++n}`,
      smtpUrl: '',
      outboxDir,
      outbox: true,
    });
    await harness.startWorker();
  });
  afterEach(async () => {
    await harness?.close();
  });

  const sql = () => stack.services.orm.em.fork().getConnection();

  /** A job whose team has two recruiters, a hiring manager and two interviewers (by team role; all recruiter accounts), and a candidate's application. */
  async function application() {
    const rita = (await stack.user('recruiter', { fullName: 'Rita Recruiter' })).user;
    const rob = (await stack.user('recruiter', { fullName: 'Rob Recruiter' })).user;
    const hana = (await stack.user('recruiter', { fullName: 'Hana Manager' })).user;
    const ivan = (await stack.user('recruiter', { fullName: 'Ivan Interviewer' })).user;
    const irma = (await stack.user('recruiter', { fullName: 'Irma Inquirer' })).user;
    const ann = (await stack.user('candidate', { fullName: 'Ann Applicant' })).user;
    const jobId = await insertJob(stack.services.orm, rita.id, { title: 'Backend Engineer', company: 'Acme' });
    const em = stack.services.orm.em.fork();
    await addToTeam(em, jobId, rob.id, rita.id, 'recruiter');
    await addToTeam(em, jobId, hana.id, rita.id, 'hiring_manager');
    await addToTeam(em, jobId, ivan.id, rita.id, 'interviewer');
    await addToTeam(em, jobId, irma.id, rita.id, 'interviewer');
    const applicationId = applicationWorkflowId(String(jobId), String(ann.id), 'abcdefghij');
    const now = new Date().toISOString();
    await sql().execute(
      'insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values (?, ?, ?, ?, 3, ?, ?)',
      [applicationId, jobId, ann.id, 'interview', now, now],
      'run',
    );
    const notice = (kind: InterviewNotice['kind'], fields: Partial<InterviewNotice> = {}): InterviewNotice => ({
      kind,
      applicationId,
      jobId: String(jobId),
      candidateId: String(ann.id),
      interview: {
        id: `interview-${randomUUID()}`,
        title: 'Technical interview',
        startsAt: '2026-12-08T14:00:00.000Z',
        endsAt: '2026-12-08T15:00:00.000Z',
        location: 'Room 4',
        interviewerIds: [String(ivan.id), String(irma.id)],
      },
      revision: 0,
      missing: [],
      candidateIncluded: true,
      at: '2026-12-01T09:30:00.000Z',
      ...fields,
    });
    return { rita, rob, hana, ivan, irma, ann, jobId, applicationId, notice };
  }

  interface Eml {
    file: string;
    to: string;
    subject: string;
    text: string;
  }
  /** The outbox's messages, each with its recipient's address and its whole source. */
  const emls = (): Eml[] =>
    fs
      .readdirSync(outboxDir)
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .map((file) => {
        const text = fs.readFileSync(path.join(outboxDir, file), 'utf8');
        // Headers unfolded (RFC 5322 keeps the folding white space); bodies without quoted-printable's soft breaks.
        const header = (name: string) => new RegExp(`^${name}: (.*(?:\r?\n[ \t].*)*)`, 'm').exec(text)?.[1].replace(/\r?\n/g, '') ?? '';
        const to = /<?([^<>\s]+@[^<>\s]+)>?$/.exec(header('To'))?.[1] ?? '';
        return { file, to, subject: header('Subject'), text: text.replace(/=\r?\n/g, '') };
      });
  const to = (user: User) => emls().filter((m) => m.to === user.email);
  /** iCalendar unfolds a line break and the one space after it. */
  const calendarOf = (eml: Eml) => eml.text.replace(/\r?\n[ \t]/g, '');

  async function record(notice: InterviewNotice): Promise<void> {
    await recordInterviewNotice({ orm: stack.services.orm, queue: harness.queue }, notice);
    await harness.waitForIdle();
  }

  test('an invitation reaches the candidate and both interviewers once, each with a METHOD:REQUEST calendar; a repeat adds nothing', async () => {
    const { ann, ivan, irma, rita, hana, notice } = await application();
    const invitation = notice('interview_invitation');
    await record(invitation);

    const messages = emls();
    expect(messages.map((m) => m.to).sort()).toEqual([ann.email, ivan.email, irma.email].sort());
    for (const m of messages) {
      expect(m.text).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
      expect(calendarOf(m)).toContain('METHOD:REQUEST');
      expect(calendarOf(m)).toContain(`UID:${invitation.interview.id}@ats.test`);
      expect(calendarOf(m)).toContain('SEQUENCE:0');
    }
    const [forAnn] = to(ann);
    expect(forAnn.subject).toBe('Interview: Technical interview for Backend Engineer at Acme');
    expect(forAnn.text).not.toMatch(/Ivan|Irma|Interviewer/);
    expect(to(ivan)[0].text).toContain('Ann Applicant');
    expect([...to(rita), ...to(hana)]).toEqual([]);

    const written = messages.map((m) => fs.statSync(path.join(outboxDir, m.file)).mtimeMs);
    await record(invitation);
    // A message sent again would overwrite its own file: nothing new is queued, and no file is written.
    expect(emls().map((m) => m.file)).toEqual(messages.map((m) => m.file));
    expect(messages.map((m) => fs.statSync(path.join(outboxDir, m.file)).mtimeMs)).toEqual(written);
    expect(await harness.queue.getJobCounts('completed', 'failed')).toEqual({ completed: 3, failed: 0 });
    const rows = await sql().execute<{ n: number }[]>(
      'select count(*) as n from notification_outbox where subject = ?',
      [invitation.applicationId],
      'all',
    );
    expect(Number(rows[0].n)).toBe(3);

    // The update and the cancellation replace it in the calendars: same UID, a higher SEQUENCE.
    await record({
      ...invitation,
      revision: 1,
      interview: { ...invitation.interview, startsAt: '2026-12-09T14:00:00.000Z', endsAt: '2026-12-09T15:00:00.000Z' },
    });
    await record({ ...invitation, kind: 'interview_cancelled', revision: 2 });
    const all = to(ivan).map(calendarOf);
    expect(all).toHaveLength(3);
    expect(
      all.filter((c) => c.includes('SEQUENCE:1') && c.includes('METHOD:REQUEST') && c.includes('DTSTART:20261209T140000Z')),
    ).toHaveLength(1);
    const cancelled = to(ann).find((m) => /method=CANCEL/.test(m.text));
    expect(calendarOf(cancelled!)).toMatch(/METHOD:CANCEL[\s\S]*STATUS:CANCELLED/);
    expect(calendarOf(cancelled!)).toContain(`UID:${invitation.interview.id}@ats.test`);
  });

  test('a reminder goes only to the interviewer whose scorecard is missing, and carries no calendar', async () => {
    const { ann, ivan, irma, rita, notice } = await application();
    await record(notice('scorecard_reminder', { missing: [String(irma.id)] }));

    expect(emls().map((m) => m.to)).toEqual([irma.email]);
    const [reminder] = to(irma);
    expect(reminder.subject).toBe("Reminder: your scorecard for Ann Applicant's interview for Backend Engineer");
    expect(reminder.text).not.toContain('text/calendar');
    expect([...to(ann), ...to(ivan), ...to(rita)]).toEqual([]);
  });

  test("an escalation goes only to the job's recruiter team members, naming whose scorecards are missing", async () => {
    const { ann, ivan, irma, rita, rob, hana, notice } = await application();
    await record(notice('scorecard_escalation', { missing: [String(ivan.id), String(irma.id)] }));

    expect(
      emls()
        .map((m) => m.to)
        .sort(),
    ).toEqual([rita.email, rob.email].sort());
    for (const m of emls()) {
      expect(m.subject).toBe("Scorecards missing: Ann Applicant's interview for Backend Engineer");
      expect(m.text).toContain('Ivan Interviewer and Irma Inquirer');
      expect(m.text).not.toContain('text/calendar');
    }
    expect([...to(ann), ...to(ivan), ...to(irma), ...to(hana)]).toEqual([]);
  });

  test('a deactivated interviewer gets nothing', async () => {
    const { ann, ivan, irma, notice } = await application();
    await stack.services.orm.em.fork().nativeUpdate(UserSchema, { id: irma.id }, { active: false });
    await record(notice('interview_invitation'));
    expect(
      emls()
        .map((m) => m.to)
        .sort(),
    ).toEqual([ann.email, ivan.email].sort());
  });

  test("without the candidate, only the interviewers hear of a cancellation, with no word of the candidate's, and erasure leaves it", async () => {
    const { ann, ivan, irma, applicationId, notice } = await application();
    await record(notice('interview_cancelled', { candidateIncluded: false }));

    expect(
      emls()
        .map((m) => m.to)
        .sort(),
    ).toEqual([ivan.email, irma.email].sort());
    for (const m of emls()) {
      expect(m.text).not.toContain('Ann');
      expect(m.text).toContain('the candidate');
      expect(calendarOf(m)).toContain('METHOD:CANCEL');
    }
    expect(await deleteOutboxFilesAbout(outboxDir, [applicationId])).toBe(0);
    expect(await removeNotificationJobsAbout(harness.queue, harness.producerRedis, [applicationId])).toBe(0);
    expect(to(ann)).toEqual([]);
  });

  test("erasure finds every message naming the candidate: the jobs in Redis and the outbox's files", async () => {
    const { applicationId, notice } = await application();
    await record(notice('interview_invitation'));
    await record(notice('scorecard_escalation', { missing: [] }));
    expect(emls()).toHaveLength(5);

    expect(await removeNotificationJobsAbout(harness.queue, harness.producerRedis, [applicationId])).toBe(5);
    expect(await deleteOutboxFilesAbout(outboxDir, [applicationId])).toBe(5);
    expect(emls()).toEqual([]);
  });
});
