import type { InterviewNoticeKind } from './interviews';
import type { Stage } from './stages';

/**
 * What a transition tells the notification side about, in ids only. The transition recorder
 * resolves the recipients and records one outbox row and one BullMQ job per recipient and channel,
 * both with an id derived from (workflow, seq, kind, recipient, channel), so no writer sends twice.
 */
export type TransitionNotificationKind =
  | 'application_received'
  | 'stage_changed'
  | 'final_outcome'
  | 'sla_reminder'
  | 'offer_expired'
  /** A pipeline migration moved the application: nobody is mailed, webhooks are told. */
  | 'pipeline_migrated';

/** Every kind of message the notifier sends: a transition's, or an interview's (see `InterviewNotice`). */
export type NotificationKind = TransitionNotificationKind | InterviewNoticeKind;

export interface NotificationEvent {
  kind: NotificationKind;
  applicationId: string;
  /** Sequence number of the transition (or, for an SLA reminder, of the transition that entered the stage). */
  seq: number;
  jobId: string;
  candidateId: string;
  from: Stage | null;
  to: Stage;
  /** The kind of `to` in the pinned pipeline; absent for applications from before pipelines (ids are kinds there). */
  toKind?: string;
  reason: string | null;
  at: string;
}

/**
 * The event of one transition, as the workflow (for its signals and timers) and the API (for the
 * updates it records) both build it; for an SLA reminder, `entry` is the transition that entered the
 * stage and `at` the reminder's time.
 */
export function notificationEvent(
  application: { applicationId: string; jobId: string; candidateId: string },
  entry: { seq: number; from: Stage | null; to: Stage; toKind?: string; reason: string | null; at: string },
  kind: NotificationKind,
  at: string = entry.at,
): NotificationEvent {
  return {
    kind,
    applicationId: application.applicationId,
    seq: entry.seq,
    jobId: application.jobId,
    candidateId: application.candidateId,
    from: entry.from,
    to: entry.to,
    ...(entry.toKind === undefined ? {} : { toKind: entry.toKind }),
    reason: entry.reason,
    at,
  };
}
