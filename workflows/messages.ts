import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Stage } from '../src/domain/stages';

/**
 * The application workflow's public surface: its input, its state, and the messages the API sends
 * it. Shared by the workflow, the API and the tests, so every side speaks the same names and shapes.
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
  stage: Stage;
  by: string;
  reason?: string | null;
  /** Optimistic concurrency: refuse the change unless the application is still in this stage. */
  fromStage?: Stage | null;
}

/** Why a stage change was refused; the `type` of the ApplicationFailure an update rejects with. */
export type RefusalCode = 'invalid_transition' | 'stage_changed';

/** A signal that asked for an illegal change: kept for the record, never applied. */
export interface RejectedSignal {
  at: string;
  request: StageChangeRequest;
  code: RefusalCode;
  message: string;
}

export interface SlaReminder {
  /** The transition that entered the stage the application then sat in. */
  seq: number;
  stage: Stage;
  at: string;
}

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

/** Sent with the start (update-with-start): records `applied`; answered once Temporal has recorded it. */
export const submitUpdate = defineUpdate<ApplicationState>('submit');

/** Moves the application; a validator refuses illegal changes before anything reaches history. */
export const changeStageUpdate = defineUpdate<ApplicationState, [StageChangeRequest]>('changeStage');

/** The same change for fire-and-forget clients: an illegal one is recorded in `rejectedSignals` and ignored. */
export const changeStageSignal = defineSignal<[StageChangeRequest]>('changeStage');

/** Live state, including what SQL does not keep (refused signals, reminders sent). */
export const stateQuery = defineQuery<ApplicationState>('state');
