import nodemailer from 'nodemailer';
import { renderNotification } from '../../src/notifications/notification-templates';
import { interviewCalendar, organizerOf } from '../../src/notifications/interview-calendar';
import { formatInterviewTime } from '../../src/notifications/interview-content';
import { toNodemailer } from '../../src/mail/mail-message';
import {
  notificationJobId,
  withoutPersonalData,
  type InterviewPart,
  type NotificationJobData,
} from '../../src/notifications/notification-queue';

const INTERVIEW: InterviewPart = {
  id: 'interview-7f3a',
  title: 'Technical interview',
  startsAt: '2026-12-08T14:00:00.000Z',
  endsAt: '2026-12-08T15:00:00.000Z',
  location: 'Room 4, Main Street 1',
  revision: 0,
  candidateIncluded: true,
};
const STAFF_PART = { interviewers: ['Ivan Interviewer', 'Irma Inquirer'], missing: [] };

function data(overrides: Partial<NotificationJobData> = {}, interview: Partial<InterviewPart> = {}): NotificationJobData {
  return {
    kind: 'interview_invitation',
    channel: 'email',
    applicationId: 'application-job1-candidate2-abcdefghij',
    seq: interview.revision ?? 0,
    at: '2026-12-01T09:30:00.000Z',
    audience: 'candidate',
    recipient: { id: '2', email: 'ann@example.com', name: 'Ann Applicant' },
    job: { id: '1', title: 'Backend Engineer', company: 'Acme' },
    candidate: { id: '2', name: 'Ann Applicant' },
    from: null,
    to: 'interview',
    reason: null,
    interview: { ...INTERVIEW, ...interview },
    ...overrides,
  };
}
const interviewer = (kind: NotificationJobData['kind'], interview: Partial<InterviewPart> = {}) =>
  data(
    { kind, audience: 'interviewer', recipient: { id: '9', email: 'ivan@example.com', name: 'Ivan Interviewer' } },
    { ...STAFF_PART, ...interview },
  );

const OPTIONS = { organizer: 'ATS <no-reply@ats.test>', domain: 'ats.test' };
/** The calendar's content lines, unfolded (RFC 5545 folds lines over 75 octets). */
const lines = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n');
const field = (ics: string, name: string) => lines(ics).filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));

describe('interview calendars', () => {
  test('an invitation, its update and its cancellation share one UID; SEQUENCE is the revision', () => {
    const invited = interviewCalendar(data(), OPTIONS)!;
    const moved = interviewCalendar(
      data({}, { revision: 1, startsAt: '2026-12-09T10:00:00.000Z', endsAt: '2026-12-09T11:00:00.000Z' }),
      OPTIONS,
    )!;
    const cancelled = interviewCalendar(data({ kind: 'interview_cancelled' }, { revision: 2 }), OPTIONS)!;

    expect([invited.method, moved.method, cancelled.method]).toEqual(['REQUEST', 'REQUEST', 'CANCEL']);
    expect(field(invited.content, 'METHOD')).toEqual(['METHOD:REQUEST']);
    expect(field(cancelled.content, 'METHOD')).toEqual(['METHOD:CANCEL']);
    for (const c of [invited, moved, cancelled]) expect(field(c.content, 'UID')).toEqual(['UID:interview-7f3a@ats.test']);
    expect(field(invited.content, 'SEQUENCE')).toEqual(['SEQUENCE:0']);
    expect(field(moved.content, 'SEQUENCE')).toEqual(['SEQUENCE:1']);
    expect(field(cancelled.content, 'SEQUENCE')).toEqual(['SEQUENCE:2']);
    expect(field(invited.content, 'STATUS')).toEqual(['STATUS:CONFIRMED']);
    expect(field(cancelled.content, 'STATUS')).toEqual(['STATUS:CANCELLED']);

    expect(field(invited.content, 'DTSTART')).toEqual(['DTSTART:20261208T140000Z']);
    expect(field(invited.content, 'DTEND')).toEqual(['DTEND:20261208T150000Z']);
    expect(field(moved.content, 'DTSTART')).toEqual(['DTSTART:20261209T100000Z']);
    expect(field(invited.content, 'SUMMARY')).toEqual(['SUMMARY:Technical interview']);
    expect(field(invited.content, 'LOCATION')).toEqual(['LOCATION:Room 4\\, Main Street 1']);
    expect(field(invited.content, 'ORGANIZER')).toEqual(['ORGANIZER;CN="ATS":mailto:no-reply@ats.test']);
    // The same notice renders the same calendar, whenever it is sent.
    expect(interviewCalendar(data(), OPTIONS)!.content).toBe(invited.content);
  });

  test("the candidate's event shows time, title and location; no interviewer, no description", () => {
    const candidate = interviewCalendar(data({}, STAFF_PART), OPTIONS)!.content;
    expect(field(candidate, 'DESCRIPTION')).toEqual([]);
    expect(candidate).not.toContain('Ivan');
    expect(candidate).not.toContain('Irma');
    expect(field(candidate, 'ATTENDEE')).toHaveLength(1);
    expect(field(candidate, 'ATTENDEE')[0]).toMatch(/mailto:ann@example\.com$/i);

    const staff = interviewCalendar(interviewer('interview_invitation'), OPTIONS)!.content;
    expect(lines(staff).join('\n')).toContain('Candidate: Ann Applicant');
    expect(field(staff, 'ATTENDEE')[0]).toMatch(/mailto:ivan@example\.com$/i);
  });

  test('reminders, escalations and transitions carry no calendar', () => {
    expect(interviewCalendar(interviewer('scorecard_reminder'), OPTIONS)).toBeUndefined();
    expect(interviewCalendar(data({ kind: 'scorecard_escalation', audience: 'recruiter' }), OPTIONS)).toBeUndefined();
    expect(interviewCalendar(data({ kind: 'stage_changed', interview: undefined }), OPTIONS)).toBeUndefined();
    expect(renderNotification(interviewer('scorecard_reminder')).calendar).toBeUndefined();
  });

  test.each([
    ['ATS <no-reply@ats.example>', { name: 'ATS', email: 'no-reply@ats.example' }],
    ['"The ATS" <jobs@acme.test>', { name: 'The ATS', email: 'jobs@acme.test' }],
    ['no-reply@ats.example', { name: 'no-reply@ats.example', email: 'no-reply@ats.example' }],
  ])('the organizer of %s', (from, expected) => {
    expect(organizerOf(from)).toEqual(expected);
  });

  test('nodemailer sends it as a text/calendar part with its method', async () => {
    const message = renderNotification(data(), OPTIONS);
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await transport.sendMail({
      from: OPTIONS.organizer,
      ...toNodemailer({ to: { address: 'ann@example.com', name: null }, messageId: '<m@ats.test>', ...message }),
    });
    const eml = (info.message as Buffer).toString();
    expect(eml).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    expect(eml).toContain('invite.ics');
  });
});

describe('interview wording', () => {
  test.each<[string, NotificationJobData, string, Array<string | RegExp>]>([
    [
      'invitation, candidate',
      data({}, STAFF_PART),
      'Interview: Technical interview for Backend Engineer at Acme',
      ['invited to an interview', /When:\s+Tue 8 Dec 2026, 14:00–15:00 UTC/, /Where:\s+Room 4, Main Street 1/],
    ],
    [
      'update, candidate',
      data({}, { revision: 1 }),
      'Updated interview: Technical interview for Backend Engineer at Acme',
      ['has changed', 'replaces the earlier one'],
    ],
    [
      'invitation, interviewer',
      interviewer('interview_invitation'),
      'Interview: Ann Applicant for Backend Engineer, Tue 8 Dec 2026, 14:00–15:00 UTC',
      ['You are interviewing Ann Applicant', /Interviewers:\s+Ivan Interviewer and Irma Inquirer/, /Candidate:\s+Ann Applicant/],
    ],
    [
      'cancellation, candidate',
      data({ kind: 'interview_cancelled' }),
      'Cancelled: Technical interview for Backend Engineer at Acme',
      ['on Tue 8 Dec 2026, 14:00–15:00 UTC has been cancelled'],
    ],
    [
      'cancellation, interviewer, candidate erased',
      interviewer('interview_cancelled', { candidateIncluded: false }),
      'Cancelled: interview with the candidate for Backend Engineer, Tue 8 Dec 2026, 14:00–15:00 UTC',
      ['The interview with the candidate'],
    ],
    [
      'scorecard reminder',
      interviewer('scorecard_reminder', { missing: ['Ivan Interviewer'] }),
      "Reminder: your scorecard for Ann Applicant's interview for Backend Engineer",
      ['is not in yet', /Scorecards missing:\s+Ivan Interviewer/],
    ],
    [
      'scorecard escalation',
      data(
        { kind: 'scorecard_escalation', audience: 'recruiter', recipient: { id: '5', email: 'rita@example.com', name: 'Rita' } },
        { ...STAFF_PART, missing: ['Ivan Interviewer', 'Irma Inquirer'] },
      ),
      "Scorecards missing: Ann Applicant's interview for Backend Engineer",
      ['waiting for scorecards from Ivan Interviewer and Irma Inquirer', /Scorecards missing:\s+Ivan Interviewer and Irma Inquirer/],
    ],
  ])('%s', (_name, d, subject, body) => {
    const message = renderNotification(d, OPTIONS);
    expect(message.subject).toBe(subject);
    for (const expected of body) expect(message.text).toMatch(expected);
    expect(message.html).toContain('Technical interview');
  });

  test("the candidate's message names no interviewer and no team", () => {
    const message = renderNotification(data({}, { ...STAFF_PART, missing: ['Irma Inquirer'] }), OPTIONS);
    for (const part of [message.text, message.html, message.subject, message.calendar!.content]) {
      expect(part).not.toMatch(/Ivan|Irma|Interviewers|Candidate:/);
    }
  });

  test('an erased candidate is named nowhere, calendar included', () => {
    const d = interviewer('interview_cancelled', { candidateIncluded: false });
    const message = renderNotification({ ...d, candidate: { id: '2', name: null } }, OPTIONS);
    for (const part of [message.text, message.html, message.subject, message.calendar!.content]) expect(part).not.toContain('Ann');
  });

  test.each([
    ['2026-12-08T14:00:00.000Z', '2026-12-08T15:30:00.000Z', 'Tue 8 Dec 2026, 14:00–15:30 UTC'],
    ['2026-12-31T23:30:00.000Z', '2027-01-01T00:30:00.000Z', 'Thu 31 Dec 2026, 23:30 – Fri 1 Jan 2027, 00:30 UTC'],
  ])('%s to %s reads %s', (start, end, expected) => {
    expect(formatInterviewTime(start, end)).toBe(expected);
  });
});

describe('interview job ids', () => {
  const key = (interview: Partial<InterviewPart> = {}, kind: NotificationJobData['kind'] = 'interview_invitation') => ({
    applicationId: 'application-job1-candidate2-abcdefghij',
    seq: 0,
    kind,
    channel: 'email' as const,
    recipientId: '9',
    interview: { id: 'interview-7f3a', revision: 0, candidateIncluded: true, ...interview },
  });

  test("a transition's id is as it always was", () => {
    expect(
      notificationJobId({
        applicationId: 'application-job1-candidate2',
        seq: 3,
        kind: 'stage_changed',
        channel: 'email',
        recipientId: '2',
      }),
    ).toBe('application-job1-candidate2.3.stage_changed.user2.email');
  });

  test('ids about the candidate begin with the application id and name the interview and its revision', () => {
    expect(notificationJobId(key())).toBe(
      'application-job1-candidate2-abcdefghij.interview.interview-7f3a.r0.interview_invitation.user9.email',
    );
  });

  test('two interviews, two revisions, two kinds or two recipients never collide', () => {
    const ids = [
      key(),
      key({ id: 'interview-8b4c' }),
      key({ revision: 1 }),
      key({}, 'interview_cancelled'),
      { ...key(), recipientId: '10' },
      key({ candidateIncluded: false }),
    ].map(notificationJobId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("without the candidate's data the id does not begin with the application's, so erasure leaves it", () => {
    const id = notificationJobId(key({ candidateIncluded: false }, 'interview_cancelled'));
    expect(id).toBe('interview.interview-7f3a.r0.interview_cancelled.user9.email');
    expect(id.startsWith('application-job1-candidate2-abcdefghij.')).toBe(false);
  });

  test('withoutPersonalData drops the names and keeps the interview', () => {
    const blank = withoutPersonalData(interviewer('scorecard_reminder', { missing: ['Ivan Interviewer'] }));
    expect(JSON.stringify(blank)).not.toMatch(/Ivan|Irma|Ann|@example/);
    expect(blank.interview).toEqual(INTERVIEW);
  });
});
