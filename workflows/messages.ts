import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Stage } from '../src/domain/stages';

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
export type RefusalCode = 'invalid_transition' | 'stage_changed' | 'untrusted';

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
  rejectedSignals: RejectedSignal[];
  slaReminders: SlaReminder[];
}

/**
 * What an update answers and the workflow returns: the stage and its history, without the
 * candidate's cover letter and résumé URL. Every answer is kept in history; the start input holds
 * those two once, and the API knows them from the request or from SQL.
 */
export type ApplicationAnswer = Pick<
  ApplicationState,
  'applicationId' | 'jobId' | 'candidateId' | 'stage' | 'seq' | 'createdAt' | 'updatedAt' | 'history'
>;

/** Sent with the start (update-with-start): records `applied`; answered once Temporal has recorded it. */
export const submitUpdate = defineUpdate<ApplicationAnswer>('submit');

/** Moves the application; a validator refuses illegal changes before anything reaches history. */
export const changeStageUpdate = defineUpdate<ApplicationAnswer, [StageChangeRequest]>('changeStage');

/** The same change for fire-and-forget clients: an illegal one is recorded in `rejectedSignals` and ignored. */
export const changeStageSignal = defineSignal<[StageChangeRequest]>('changeStage');

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
