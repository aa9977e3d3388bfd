import { Queue, type DefaultJobOptions } from 'bullmq';
import type { TraceCarrier } from '../telemetry/trace-context';
import type { Redis } from 'ioredis';
import type { NotificationKind } from '../domain/notifications';
import type { Stage } from '../domain/stages';
import type { Logger } from '../logger';

export type Channel = 'email';
export type Audience = 'candidate' | 'recruiter' | 'interviewer';

/**
 * The interview a message is about, as it was when the notice was recorded. Names are in staff's
 * copies only: the candidate's shows the time, title and location.
 */
export interface InterviewPart {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location: string | null;
  /** The calendar's SEQUENCE: 0 when scheduled, one more on each change. */
  revision: number;
  /** False when the candidate was erased: the message names nobody of theirs, and erasure need not find it. */
  candidateIncluded: boolean;
  /** Staff only: who interviews. */
  interviewers?: string[];
  /** Staff only, reminders and escalations: the interviewers whose scorecard is not in. */
  missing?: string[];
}

/**
 * One message to one recipient on one channel. It carries everything the message needs, resolved by
 * the recorder when the transition happened, so the notifier reads the database only for its outbox
 * row (sent once) and scales on its own. Only what the message shows is copied: names, an address,
 * the job's title. With tracing on, also the W3C context it was queued in.
 */
export interface NotificationJobData extends TraceCarrier {
  kind: NotificationKind;
  channel: Channel;
  applicationId: string;
  seq: number;
  at: string;
  audience: Audience;
  recipient: { id: string; email: string; name: string | null };
  job: { id: string; title: string; company: string };
  candidate: { id: string; name: string | null };
  from: Stage | null;
  to: Stage;
  /** The kind of `to` in the pinned pipeline (absent before pipelines, whose ids are kinds). */
  toKind?: string;
  reason: string | null;
  /** Interview messages only; their `seq` is the interview's revision and `to` the application's stage. */
  interview?: InterviewPart;
}

/**
 * The job's data once its message is out (or its person erased): ids, the job, the stage change and the interview;
 * no address and no names. Kept completed jobs hold this, not a copy of the person.
 */
export function withoutPersonalData(data: NotificationJobData): NotificationJobData {
  const blanked: NotificationJobData = {
    ...data,
    recipient: { id: data.recipient.id, email: '', name: null },
    candidate: { id: data.candidate.id, name: null },
  };
  if (data.interview) {
    const { id, title, startsAt, endsAt, location, revision, candidateIncluded } = data.interview;
    blanked.interview = { id, title, startsAt, endsAt, location, revision, candidateIncluded };
  }
  return blanked;
}

export type NotificationJobKey = Pick<NotificationJobData, 'applicationId' | 'seq' | 'kind' | 'channel'> & {
  recipientId: string;
  interview?: Pick<InterviewPart, 'id' | 'revision' | 'candidateIncluded'>;
};

/**
 * Stable across activity retries, so a second enqueue of the same message is a no-op. BullMQ forbids ':' in IDs.
 * A message about the candidate begins with the application's id, which is how erasure finds its job and its
 * dev-outbox file. An interview's carries the interview's id and revision, so two interviews of one application,
 * or two revisions of one, never share an id; one without the candidate's data (they were erased) begins with
 * `interview.` instead, so the erasure under way does not take the interviewers' cancellation with it.
 */
export function notificationJobId(k: NotificationJobKey): string {
  const about = k.interview
    ? [...(k.interview.candidateIncluded ? [k.applicationId] : []), 'interview', k.interview.id, `r${k.interview.revision}`]
    : [k.applicationId, k.seq];
  return [...about, k.kind, `user${k.recipientId}`, k.channel].join('.').replace(/:/g, '_');
}

/** Completed jobs are kept this long: their IDs are what makes a retried enqueue a no-op. */
export const DEDUPLICATION_WINDOW_SECONDS = 7 * 24 * 3600;

export const DEFAULT_JOB_OPTIONS = {
  // 1, 2, 4 … 64 s: about two minutes of SMTP trouble is ridden out before a job is left failed.
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: DEDUPLICATION_WINDOW_SECONDS },
  // Failed jobs stay until someone retries or cleans them from the dashboard.
  removeOnFail: false,
} satisfies DefaultJobOptions;

export interface NotificationQueueOptions {
  jobOptions?: Partial<DefaultJobOptions>;
  /** Queue errors mirror the connection's; without a logger they are left to the connection's own listener. */
  logger?: Logger;
}

export function createNotificationQueue(
  connection: Redis,
  name: string,
  options: NotificationQueueOptions = {},
): Queue<NotificationJobData> {
  const queue = new Queue<NotificationJobData>(name, { connection, defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...options.jobOptions } });
  queue.on('error', (err) => options.logger?.warn({ err: err.message, queue: name }, 'notification queue error'));
  return queue;
}
