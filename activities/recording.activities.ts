import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from '../src/logger';
import type { ProjectApplicationInput } from '../src/applications/application-projection';
import type { TransitionRecorder } from '../src/applications/transition-recorder';
import {
  givingUpReason,
  refusedData,
  reportRecordingFailure,
  type RecordingFailureReason,
  type RecordingFailureStats,
} from '../src/applications/recording-failures';
import type { NotificationEvent } from '../src/domain/notifications';
import { keptAlive } from './kept-alive';

/**
 * What the application workflow records after its transitions: SQL first, then the notifications.
 * One call covers everything the workflow accumulated since the previous one. Both halves are
 * idempotent (a versioned projection, job IDs per transition and recipient), so a failed attempt is
 * simply run again: with Redis down, SQL is already right and only mail waits.
 *
 * Retrying ends, loudly, in two cases: SQL refuses the data itself (a constraint, a value it cannot
 * hold), which no retry can change, so it fails at once; or the failure outlasts the retry window
 * (an outage longer than any we ride out). Either way the activity fails with an `ApplicationFailure`
 * of type `recording_<reason>` (a failed activity in the Web UI), logs an error naming the
 * application, and counts the failure in `ats_recording_failures_total`. The workflow carries on,
 * and its next transition records the whole history again.
 */
export interface TransitionRecord {
  /** The history up to the newest transition not yet recorded; null when only notifications wait. */
  projection: ProjectApplicationInput | null;
  /** Oldest first. */
  notifications: NotificationEvent[];
}

/**
 * `needsContent`: the projection came without the cover letter and résumé URL, and SQL has no row
 * to move: nothing was written, and the workflow sends the record again with them.
 */
export interface RecordingOutcome {
  needsContent: boolean;
}

export interface RecordingActivities {
  recordTransitions(record: TransitionRecord): Promise<RecordingOutcome>;
}

/**
 * The API writes the row as it answers the candidate, usually a moment after this activity first
 * runs. Retry that many attempts (a few hundred milliseconds) before asking for the content, so
 * history normally holds the content once, in the start input.
 */
const ATTEMPTS_AWAITING_ROW = 3;

/**
 * Long enough to ride out a Redis or SQL outage of realistic length; the workflow's retry policy waits at most seconds
 * between attempts.
 */
export const RECORDING_RETRY_WINDOW_MS = 60 * 60 * 1000;

export interface RecordingDeps {
  /** The one transition recorder (src/applications/transition-recorder.ts), the API's too. */
  record: TransitionRecorder;
  logger: Logger;
  failures: RecordingFailureStats;
  /** How long after the first attempt a failure that might pass is still retried. */
  retryWindowMs?: number;
}

export function createRecordingActivities({
  record,
  logger,
  failures,
  retryWindowMs = RECORDING_RETRY_WINDOW_MS,
}: RecordingDeps): RecordingActivities {
  /** The end of retrying: an error log naming the application, the counter, and a non-retryable failure. */
  async function giveUp(reason: RecordingFailureReason, record: TransitionRecord, err: unknown): Promise<never> {
    const { workflowExecution, attempt, scheduledTimestampMs } = Context.current().info;
    const applicationId = record.projection?.application.id ?? record.notifications[0]?.applicationId ?? workflowExecution?.workflowId;
    const seq = record.projection?.history.at(-1)?.seq ?? record.notifications.at(-1)?.seq;
    const message = (err as Error).message;
    await reportRecordingFailure(
      logger,
      failures,
      reason,
      err,
      { applicationId, seq, attempt, sinceFirstAttemptMs: Date.now() - scheduledTimestampMs },
      'SQL or notifications lag',
    );
    throw ApplicationFailure.create({
      type: `recording_${reason}`,
      message: `Recording application ${applicationId} up to transition ${seq ?? '-'} failed (${reason}): ${message}`,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }

  async function recordTransitions(kept: TransitionRecord): Promise<RecordingOutcome> {
    let refused = null as { reason: RecordingFailureReason; err: unknown } | null;
    try {
      const outcome = await record(
        { projection: kept.projection, events: kept.notifications },
        {
          sealed: true,
          stopIfMissing: true,
          projectionFailed(err) {
            const reason = refusedData(err);
            if (!reason) throw err;
            // The transition happened whatever SQL holds: its notifications still go out.
            refused = { reason, err };
          },
        },
      );
      if (outcome === 'missing') {
        if (Context.current().info.attempt < ATTEMPTS_AWAITING_ROW) {
          throw ApplicationFailure.retryable(
            'The application row is not written yet; the API writes it as it answers.',
            'application_row_pending',
          );
        }
        return { needsContent: true };
      }
    } catch (err) {
      const reason = givingUpReason(err, Date.now() - Context.current().info.scheduledTimestampMs, retryWindowMs);
      if (reason) return giveUp(reason, kept, err);
      throw err;
    }
    if (refused) await giveUp(refused.reason, kept, refused.err);
    return { needsContent: false };
  }

  return {
    recordTransitions: (kept) => keptAlive(() => recordTransitions(kept)),
  };
}
