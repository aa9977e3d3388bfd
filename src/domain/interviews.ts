/**
 * Interviews and scorecards as the workflow, the API and the notifier share them. Pure: no I/O, no clock.
 */

export const RECOMMENDATIONS = ['strong_no', 'no', 'yes', 'strong_yes'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

/** As stored: an interview is `scheduled` until it is `cancelled`; the rest is computed when read. */
export type StoredInterviewStatus = 'scheduled' | 'cancelled';
export type InterviewStatus = 'scheduled' | 'awaiting_feedback' | 'complete' | 'cancelled';

/** What an interview is, as scheduled (or last changed). Times are ISO-8601 UTC. */
export interface InterviewDetails {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location: string | null;
  /** User ids, as text. */
  interviewerIds: string[];
}

/**
 * The status a reader sees: `cancelled` as stored; `complete` once every interviewer's scorecard is
 * in; `awaiting_feedback` from `endsAt`, at once (no timer needs to have fired); else `scheduled`.
 */
export function interviewStatus(
  stored: StoredInterviewStatus,
  interview: Pick<InterviewDetails, 'endsAt' | 'interviewerIds'>,
  submittedBy: readonly string[],
  now: number,
): InterviewStatus {
  if (stored === 'cancelled') return 'cancelled';
  if (interview.interviewerIds.length > 0 && interview.interviewerIds.every((id) => submittedBy.includes(id))) return 'complete';
  return now >= Date.parse(interview.endsAt) ? 'awaiting_feedback' : 'scheduled';
}

/**
 * What an interview's workflow asks the notifier to send. Recipients are resolved from SQL when the
 * notice is recorded, by kind:
 * - `interview_invitation`: the candidate (time, title and location only) and every interviewer, with
 *   an iCalendar `METHOD:REQUEST` whose `UID` is the interview's and `SEQUENCE` is `revision`
 *   (0 when scheduled, one more on each change, so calendars replace the earlier copy);
 * - `interview_cancelled`: the same people, `METHOD:CANCEL`, same `UID`;
 * - `scorecard_reminder`: the interviewers in `missing` (their scorecard is not in);
 * - `scorecard_escalation`: the job's `recruiter` team members, naming the interviewers in `missing`.
 */
export type InterviewNoticeKind = 'interview_invitation' | 'interview_cancelled' | 'scorecard_reminder' | 'scorecard_escalation';

export interface InterviewNotice {
  kind: InterviewNoticeKind;
  applicationId: string;
  jobId: string;
  candidateId: string;
  interview: InterviewDetails;
  revision: number;
  /** Interviewer ids without a scorecard (reminder and escalation). */
  missing: string[];
  /** False when the candidate was erased: they get nothing, and the others' messages carry no data of theirs. */
  candidateIncluded: boolean;
  /** Workflow time of the notice, ISO-8601 UTC. */
  at: string;
}
