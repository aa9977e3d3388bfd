import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Stage } from '../src/domain/stages';
import type { InterviewDetails, StoredInterviewStatus } from '../src/domain/interviews';
import type { PipelineSnapshot, StageKind } from '../src/domain/pipelines';

/**
 * The application workflow's public surface: its input, its state, and the messages the API sends
 * it. Shared by the workflow, the API and the tests, so every side speaks the same names and shapes.
 *
 * Shapes of one application, each named once: `ApplicationInput` (what starts the workflow),
 * `ApplicationState` (the workflow's live state), `ApplicationAnswer` (the state an update returns,
 * without the content); elsewhere `ApplicationContent` (cover letter and résumé URL; `Submission` is
 * its alias), `ApplicationFacts` (the row the projection writes), `ApplicationRecord` (the row read
 * back from SQL), `ApplicationOutcome` (an answer with its content) and `ApplicationView` (the API's JSON).
 */

/** Facts fixed when the candidate applies. Timer durations come in here so tests can run them in seconds. */
export interface ApplicationInput {
  applicationId: string;
  jobId: string;
  candidateId: string;
  coverLetter: string | null;
  resumeUrl: string | null;
  stageSlaSeconds: number;
  offerExpirySeconds: number;
  /**
   * Who records an update's transition, fixed at the start so a workflow replays the code it began
   * with: `ACTIVITY_RECORDS_UPDATES` (absent) or `API_RECORDS_UPDATES` (which also never cancels a timer).
   */
  design?: number;
  /**
   * The pipeline version the application is pinned to, as it was when the candidate applied. Absent
   * in applications started before pipelines existed: they run the default pipeline, forward only.
   */
  pipeline?: PipelineSnapshot;
  /**
   * How long a rejection by staff stays reopenable: the workflow stays open that long after one.
   * Absent in applications started before reopening existed, which close at once.
   */
  reopenWindowSeconds?: number;
}

/** A migration's mark on the history entry that moved an application onto another pipeline version. */
export interface MigrationMark {
  id: string;
  fromVersion: number;
  toVersion: number;
}

/** One accepted transition. `seq` numbers them 1, 2, 3… with no gaps; seq 1 is `null → applied`. */
export interface HistoryEntry {
  seq: number;
  from: Stage | null;
  to: Stage;
  /** Workflow time, ISO-8601 UTC. */
  at: string;
  /** Who acted: a user id, or `system` for the workflow's own timers. */
  by: string;
  reason: string | null;
  /** The kind of `to` in the pinned pipeline (`rejected` for the rejection); absent before pipelines existed. */
  toKind?: StageKind | 'rejected';
  /** Set on the entry a pipeline migration made. */
  migration?: MigrationMark;
}

export interface StageChangeRequest {
  /**
   * The application this request is for. The request is signed as a whole, so a copy taken from
   * one application's history and sent to another is refused there.
   */
  applicationId: string;
  stage: Stage;
  by: string;
  reason?: string | null;
  /** Optimistic concurrency: refuse the change unless the application is still in this stage. */
  fromStage?: Stage | null;
}

/**
 * Why a stage change was refused; the `type` of the ApplicationFailure an update rejects with.
 * `untrusted`: the message was not signed by the API (it reads as `null`), or was for another application.
 */
export type RefusalCode =
  'invalid_transition' | 'stage_changed' | 'untrusted' | 'reason_required' | 'not_reopenable' | 'not_on_version' | 'incomplete_map';

/** A signal that asked for an illegal change: kept for the record, never applied. */
export interface RejectedSignal {
  at: string;
  /** `null` when the signal was not signed by the API: what it asked for is not known. */
  request: StageChangeRequest | null;
  code: RefusalCode;
  message: string;
}

export interface SlaReminder {
  /** The transition that entered the stage the application then sat in. */
  seq: number;
  stage: Stage;
  at: string;
}

/** The workflow's live state, as its query answers: the answer plus the content, refused signals and reminders. */
export interface ApplicationState {
  applicationId: string;
  jobId: string;
  candidateId: string;
  coverLetter: string | null;
  resumeUrl: string | null;
  stage: Stage;
  /** Sequence number of the last accepted transition (0 until the application is submitted). */
  seq: number;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
  /** The pipeline version the application runs under (1, the default, for those from before pipelines). */
  pipelineVersion?: number;
  rejectedSignals: RejectedSignal[];
  slaReminders: SlaReminder[];
  /** The application's interviews, in the order they were scheduled (absent in workflows from before interviews). */
  interviews?: InterviewRecord[];
}

/**
 * What an update answers and the workflow returns: the stage and its history, without the
 * candidate's cover letter and résumé URL. Every answer is kept in history; the start input holds
 * those two once, and the API knows them from the request or from SQL.
 */
export type ApplicationAnswer = Pick<
  ApplicationState,
  'applicationId' | 'jobId' | 'candidateId' | 'stage' | 'seq' | 'createdAt' | 'updatedAt' | 'history' | 'pipelineVersion'
>;

/** Sent with the start (update-with-start): records `applied`; answered once Temporal has recorded it. */
export const submitUpdate = defineUpdate<ApplicationAnswer>('submit');

/** Moves the application; a validator refuses illegal changes before anything reaches history. */
export const changeStageUpdate = defineUpdate<ApplicationAnswer, [StageChangeRequest]>('changeStage');

/** The same change for fire-and-forget clients: an illegal one is recorded in `rejectedSignals` and ignored. */
export const changeStageSignal = defineSignal<[StageChangeRequest]>('changeStage');

/**
 * Undoes a rejection by staff within the reopen window: back into `stage` (a non-final stage of the
 * pinned pipeline), with a reason.
 */
export interface ReopenRequest {
  applicationId: string;
  stage: Stage;
  reason: string;
  by: string;
}

/**
 * Moves the application onto another version of its job's pipeline: `pipeline` is that version, and
 * `stageMap` says where each non-final stage of the current one goes. Sent by a migration's workflow.
 */
export interface MigrationRequest {
  applicationId: string;
  migration: MigrationMark;
  pipeline: PipelineSnapshot;
  stageMap: Record<string, string>;
  by: string;
}

export const reopenUpdate = defineUpdate<ApplicationAnswer, [ReopenRequest]>('reopen');
export const migrateUpdate = defineUpdate<ApplicationAnswer, [MigrationRequest]>('migratePipeline');

/** Live state, including what SQL does not keep (refused signals, reminders sent). Queries are not kept in history. */
export const stateQuery = defineQuery<ApplicationState>('state');

/**
 * `ApplicationInput.design` of workflows whose recording activity records every transition, and whose stage entries
 * cancel the previous timer.
 */
export const ACTIVITY_RECORDS_UPDATES = 1;
/** `ApplicationInput.design` of workflows that leave their updates' transitions to the API that asked for them. */
export const API_RECORDS_UPDATES = 2;
/** What new applications start with. */
export const APPLICATION_DESIGN = API_RECORDS_UPDATES;

/** An interview as the application's workflow keeps it: what was scheduled, and what happened since. */
export interface InterviewRecord extends InterviewDetails {
  status: StoredInterviewStatus;
  /** 0 when scheduled, one more on each change: the invitation's iCalendar `SEQUENCE`. */
  revision: number;
  /** The interviewers whose scorecard is in, in the order they submitted. */
  submittedBy: string[];
  /** When the last interviewer's scorecard came in (workflow time); null until then. */
  completedAt: string | null;
  scheduledBy: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * The interview messages a recruiter (or an admin) sends through the API, signed as a whole like a
 * stage change and naming their application. A change carries the whole new `interview` (same id).
 */
export interface InterviewRequest {
  applicationId: string;
  by: string;
  interview: InterviewDetails;
  /** The interview's clocks after `endsAt` (see `InterviewInput`), from the API's configuration. */
  reminderSeconds: number;
  escalationSeconds: number;
}

export interface InterviewCancelRequest {
  applicationId: string;
  by: string;
  interviewId: string;
}

/** An interviewer's scorecard is in (its content is SQL's; the workflow keeps who and when). */
export interface ScorecardRequest {
  applicationId: string;
  by: string;
  interviewId: string;
}

/** Why an interview message was refused: the `type` of the ApplicationFailure its update rejects with. */
export type InterviewRefusalCode =
  | 'untrusted'
  | 'application_final'
  | 'interview_exists'
  | 'interview_not_found'
  | 'interview_cancelled'
  | 'interview_complete'
  | 'not_an_interviewer'
  | 'interview_not_started';

export const scheduleInterviewUpdate = defineUpdate<InterviewRecord, [InterviewRequest]>('scheduleInterview');
export const changeInterviewUpdate = defineUpdate<InterviewRecord, [InterviewRequest]>('changeInterview');
export const cancelInterviewUpdate = defineUpdate<InterviewRecord, [InterviewCancelRequest]>('cancelInterview');
export const submitScorecardUpdate = defineUpdate<InterviewRecord, [ScorecardRequest]>('submitScorecard');

/** Starts an interview's own workflow, a child of the application's. */
export interface InterviewInput {
  applicationId: string;
  jobId: string;
  candidateId: string;
  interview: InterviewDetails;
  scheduledBy: string;
  createdAt: string;
  /** After `endsAt`: when an interviewer without a scorecard is reminded, and when the job's recruiters are told. */
  reminderSeconds: number;
  escalationSeconds: number;
}

/** What the application's workflow tells an interview's: always naming the interview, so a stray copy is ignored. */
export interface InterviewChange {
  interviewId: string;
  interview: InterviewDetails;
  revision: number;
}
export interface InterviewCancellation {
  interviewId: string;
  /** False when the application ends by erasure: the candidate is told nothing, and nobody is told about them. */
  candidateIncluded: boolean;
}
export interface ScorecardIn {
  interviewId: string;
  interviewerId: string;
}

export const interviewChangedSignal = defineSignal<[InterviewChange]>('interviewChanged');
export const interviewCancelledSignal = defineSignal<[InterviewCancellation]>('interviewCancelled');
export const scorecardInSignal = defineSignal<[ScorecardIn]>('scorecardIn');

/** The interview's workflow id: one per interview, under its application's. */
export const interviewWorkflowId = (applicationId: string, interviewId: string) => `${applicationId}.${interviewId}`;

/** Starts a migration's workflow (its id is the migration's): what to move, from where to where. */
export interface PipelineMigrationInput {
  migrationId: string;
  jobId: string;
  fromVersion: number;
  /** The version the applications move onto, as they will carry it. */
  pipeline: PipelineSnapshot;
  stageMap: Record<string, string>;
  by: string;
  /** Carried over a continue-as-new: where the walk stands and what it has counted. */
  after?: string | null;
  migrated?: number;
  failed?: number;
}
