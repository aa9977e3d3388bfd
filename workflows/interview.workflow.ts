import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { InterviewNotice, InterviewNoticeKind } from '../src/domain/interviews';
import type { InterviewActivities } from '../activities/interview.activities';
import {
  interviewCancelledSignal,
  interviewChangedSignal,
  scorecardInSignal,
  type InterviewCancellation,
  type InterviewChange,
  type InterviewInput,
  type ScorecardIn,
} from './messages';
import { RECORDING_ACTIVITY_OPTIONS } from './recording-options';

// Sending is queueing: the activity writes the projection and the outbox in SQL and the jobs to Redis,
// each idempotent, so it is retried through an outage as the transition recording is.
const { projectInterview, sendInterviewNotice } = proxyActivities<InterviewActivities>(RECORDING_ACTIVITY_OPTIONS);

/** How an interview's workflow ended. */
export type InterviewOutcome = 'complete' | 'cancelled';

/**
 * One interview, from its invitation to its last scorecard: the waiting, reminding and escalating
 * happen here, durably, by themselves. The application's workflow starts it and tells it what
 * happens (a change, a scorecard, a cancellation); it tells the people involved, at the right times.
 *
 * From `endsAt` the interview awaits feedback; an interviewer whose scorecard is not in is reminded
 * once `reminderSeconds` later, and the job's recruiters are told once `escalationSeconds` later. A
 * change to the interview sends an updated invitation (the same UID, the next SEQUENCE) and starts
 * the clocks again from its new end; a cancellation sends a cancellation for an interview not yet
 * over, and ends it.
 */
export async function interviewWorkflow(startInput: InterviewInput | null): Promise<InterviewOutcome> {
  // A start not signed by a worker reads as null; one for another interview is refused too.
  if (!startInput || !workflowInfo().workflowId.endsWith(`.${startInput.interview?.id}`)) return 'cancelled';
  const input = startInput;
  let interview = input.interview;
  let revision = 0;
  const submitted = new Set<string>();
  let cancellation: InterviewCancellation | null = null;
  let pendingChange: InterviewChange | null = null;

  setHandler(interviewChangedSignal, (change: InterviewChange | null) => {
    if (change?.interviewId === interview.id && change.revision > revision) pendingChange = change;
  });
  setHandler(interviewCancelledSignal, (cancelled: InterviewCancellation | null) => {
    if (cancelled?.interviewId === interview.id) cancellation ??= cancelled;
  });
  setHandler(scorecardInSignal, (scorecard: ScorecardIn | null) => {
    if (scorecard?.interviewId === interview.id) submitted.add(scorecard.interviewerId);
  });

  const missing = () => interview.interviewerIds.filter((id) => !submitted.has(id));
  const complete = () => missing().length === 0;
  const notice = (kind: InterviewNoticeKind, candidateIncluded = true): InterviewNotice => ({
    kind,
    applicationId: input.applicationId,
    jobId: input.jobId,
    candidateId: input.candidateId,
    interview,
    revision,
    missing: missing(),
    candidateIncluded,
    at: new Date().toISOString(),
  });
  /** Waits until `at` (or for ever when null); true when something happened first. */
  const interrupted = async (at: number | null) => {
    const happened = () => cancellation !== null || pendingChange !== null || complete();
    if (at === null) return condition(happened).then(() => true);
    const wait = at - Date.now();
    return wait > 0 ? condition(happened, wait) : happened();
  };

  const project = (cancelled: boolean) =>
    projectInterview({
      applicationId: input.applicationId,
      interview,
      revision,
      scheduledBy: input.scheduledBy,
      createdAt: input.createdAt,
      cancelled,
    });
  // Should the API have died before writing it, SQL learns of the interview here.
  await project(false);
  await sendInterviewNotice(notice('interview_invitation'));

  for (;;) {
    const ends = Date.parse(interview.endsAt);
    const steps: Array<{ at: number | null; kind: InterviewNoticeKind | null }> = [
      { at: ends, kind: null },
      { at: ends + input.reminderSeconds * 1000, kind: 'scorecard_reminder' },
      { at: ends + input.escalationSeconds * 1000, kind: 'scorecard_escalation' },
      { at: null, kind: null },
    ];
    let changed = false;
    for (const step of steps) {
      if (await interrupted(step.at)) break;
      if (step.kind) await sendInterviewNotice(notice(step.kind));
    }
    if (cancellation) {
      const cancelled: InterviewCancellation = cancellation;
      // A cancellation by the application's end (rejection, withdrawal, hiring, erasure) reaches SQL here.
      await project(true);
      // Only an interview still ahead is taken out of calendars; one already held needs no message.
      if (Date.now() < ends) {
        // After any change not yet sent, so calendars take the cancellation over every copy they hold.
        revision = Math.max(revision, (pendingChange as InterviewChange | null)?.revision ?? 0) + 1;
        await sendInterviewNotice(notice('interview_cancelled', cancelled.candidateIncluded));
      }
      return 'cancelled';
    }
    if (pendingChange) {
      const change: InterviewChange = pendingChange;
      pendingChange = null;
      interview = change.interview;
      revision = change.revision;
      await sendInterviewNotice(notice('interview_invitation'));
      changed = true;
    }
    if (!changed && complete()) return 'complete';
  }
}
