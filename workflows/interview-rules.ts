import type { Stage } from '../src/domain/stages';
import type { InterviewCancelRequest, InterviewRecord, InterviewRefusalCode, InterviewRequest, ScorecardRequest } from './messages';

/**
 * The interview rules the application's workflow enforces, as pure functions of its state (the API
 * checks the same before it sends, so most refusals never reach Temporal). Kept apart from the
 * workflow so they can be tested as tables.
 */

/** The reason of the rejection an erasure makes: interviews end without a word to or about the candidate. */
export { ERASED_REASON } from './stage-rules';

export type InterviewMessage =
  | { kind: 'schedule'; request: InterviewRequest | null }
  | { kind: 'change'; request: InterviewRequest | null }
  | { kind: 'cancel'; request: InterviewCancelRequest | null }
  | { kind: 'scorecard'; request: ScorecardRequest | null };

export interface InterviewRefusal {
  code: InterviewRefusalCode;
  message: string;
}

const refusal = (code: InterviewRefusalCode, message: string): InterviewRefusal => ({ code, message });

/** Null when the message may be applied now (`now`: workflow time, ms). */
export function refuseInterview(
  stage: Stage,
  final: boolean,
  interviews: readonly InterviewRecord[],
  message: InterviewMessage,
  applicationId: string,
  now: number,
): InterviewRefusal | null {
  const { request } = message;
  // Unsigned messages read as null; a signed one for another application is refused too.
  if (typeof request !== 'object' || request === null || request.applicationId !== applicationId)
    return refusal('untrusted', 'The request was not signed by the API for this application, and was ignored.');
  if (final) return refusal('application_final', `The application is ${stage}: its interviews are over.`);
  const id = message.kind === 'schedule' || message.kind === 'change' ? message.request!.interview.id : message.request!.interviewId;
  const record = interviews.find((i) => i.id === id);
  if (message.kind === 'schedule') return record ? refusal('interview_exists', 'This interview is already scheduled.') : null;
  if (!record) return refusal('interview_not_found', 'No such interview on this application.');
  switch (message.kind) {
    case 'cancel':
      return record.completedAt !== null ? refusal('interview_complete', 'Every scorecard of this interview is in.') : null;
    case 'change':
      if (record.status === 'cancelled') return refusal('interview_cancelled', 'The interview was cancelled.');
      return record.completedAt !== null ? refusal('interview_complete', 'Every scorecard of this interview is in.') : null;
    case 'scorecard': {
      if (record.status === 'cancelled') return refusal('interview_cancelled', 'The interview was cancelled.');
      if (!record.interviewerIds.includes(message.request!.by))
        return refusal('not_an_interviewer', 'Only the interviewers of this interview submit its scorecards.');
      if (now < Date.parse(record.startsAt)) return refusal('interview_not_started', 'Scorecards open when the interview starts.');
      return null;
    }
  }
}

/**
 * Whether the application waits for a decision: an interview has become complete since its last
 * stage change (`stageSince`), and none is still scheduled or awaiting feedback.
 */
export function needsDecision(interviews: readonly Pick<InterviewRecord, 'status' | 'completedAt'>[], stageSince: string): boolean {
  const live = interviews.filter((i) => i.status !== 'cancelled');
  return live.every((i) => i.completedAt !== null) && live.some((i) => i.completedAt! > stageSince);
}
