import type { NotificationJobData } from './notification-queue';
import type { MessageContent } from './message-content';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue 8 Dec 2026, 14:00–15:00 UTC`; both dates when it ends on another day. Written out, so no locale data changes it. */
export function formatInterviewTime(startsAt: string, endsAt: string): string {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${startsAt} – ${endsAt}`;
  const day = (d: Date) => `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  const time = (d: Date) => d.toISOString().slice(11, 16);
  return day(start) === day(end)
    ? `${day(start)}, ${time(start)}–${time(end)} UTC`
    : `${day(start)}, ${time(start)} – ${day(end)}, ${time(end)} UTC`;
}

/** A list of names as a sentence: `Ann`, `Ann and Bo`, `Ann, Bo and Cy`. */
function names(list: readonly string[]): string {
  return list.length < 2 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/**
 * The wording of an interview's messages. The candidate's say when, what and where, and nothing of who
 * interviews; staff's name the candidate (unless erased) and, for reminders and escalations, whose scorecards are missing.
 */
export function interviewContent(d: NotificationJobData): MessageContent {
  const interview = d.interview!;
  const { title, company } = d.job;
  const position = `${title} at ${company}`;
  const candidate = (interview.candidateIncluded && d.candidate.name) || 'the candidate';
  const greeting = d.recipient.name ? `Hello ${d.recipient.name},` : 'Hello,';
  const when = formatInterviewTime(interview.startsAt, interview.endsAt);
  const updated = interview.revision > 0;
  const where: Array<[string, string]> = interview.location ? [['Where', interview.location]] : [];
  const facts = (...extra: Array<[string, string]>): Array<[string, string]> => [
    ['Interview', interview.title],
    ['When', when],
    ...where,
    ['Job', title],
    ['Company', company],
    ...extra,
  ];
  const staff = (...extra: Array<[string, string]>) =>
    facts(['Candidate', candidate], ['Interviewers', names(interview.interviewers ?? [])], ...extra);
  const missing = names(interview.missing ?? []);

  switch (d.kind) {
    case 'interview_invitation':
      if (d.audience === 'candidate') {
        return {
          subject: `${updated ? 'Updated interview' : 'Interview'}: ${interview.title} for ${position}`,
          greeting,
          paragraphs: [
            updated
              ? `Your interview for ${position} has changed. The updated details are below, and the attached invitation replaces the earlier one in your calendar.`
              : `You are invited to an interview for ${position}. The details are below, and the attached invitation adds it to your calendar.`,
          ],
          facts: facts(),
        };
      }
      return {
        subject: `${updated ? 'Updated interview' : 'Interview'}: ${candidate} for ${title}, ${when}`,
        greeting,
        paragraphs: [
          updated
            ? `The interview with ${candidate} for ${position} has changed. The attached invitation replaces the earlier one.`
            : `You are interviewing ${candidate} for ${position}. The attached invitation adds it to your calendar.`,
        ],
        facts: staff(),
      };
    case 'interview_cancelled':
      return d.audience === 'candidate'
        ? {
            subject: `Cancelled: ${interview.title} for ${position}`,
            greeting,
            paragraphs: [`Your interview for ${position} on ${when} has been cancelled.`],
            facts: facts(),
          }
        : {
            subject: `Cancelled: interview with ${candidate} for ${title}, ${when}`,
            greeting,
            paragraphs: [`The interview with ${candidate} for ${position} on ${when} has been cancelled.`],
            facts: staff(),
          };
    case 'scorecard_reminder':
      return {
        subject: `Reminder: your scorecard for ${candidate}'s interview for ${title}`,
        greeting,
        paragraphs: [`Your scorecard for the interview with ${candidate} for ${position} on ${when} is not in yet. Please submit it.`],
        facts: staff(['Scorecards missing', missing]),
      };
    case 'scorecard_escalation':
    default:
      return {
        subject: `Scorecards missing: ${candidate}'s interview for ${title}`,
        greeting,
        paragraphs: [`The interview with ${candidate} for ${position} on ${when} is still waiting for scorecards from ${missing}.`],
        facts: staff(['Scorecards missing', missing]),
      };
  }
}
