import { ApplicationFailure, Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/sqlite';
import type { Queue } from 'bullmq';
import type { NotificationJobData } from '../src/queue/notification-queue';
import { writeProjection, type ProjectApplicationInput } from '../src/applications/application-projection';
import { enqueueAllNotifications, type NotificationEvent } from './notification.activities';

/**
 * What the application workflow records after its transitions: SQL first, then the notifications.
 * One call covers everything the workflow accumulated since the previous one. Both halves are
 * idempotent (a versioned projection, job IDs per transition and recipient), so the workflow retries
 * the whole call until it succeeds: with Redis down, SQL is already right and only mail waits.
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
export interface RecordingOutcome { needsContent: boolean }

export interface RecordingActivities {
  recordTransitions(record: TransitionRecord): Promise<RecordingOutcome>;
}

/**
 * The API writes the row as it answers the candidate, usually a moment after this activity first
 * runs. Retry that many attempts (a few hundred milliseconds) before asking for the content, so
 * history normally holds the content once, in the start input.
 */
const ATTEMPTS_AWAITING_ROW = 3;

export interface RecordingDeps { orm: MikroORM; queue: Queue<NotificationJobData> }

export function createRecordingActivities({ orm, queue }: RecordingDeps): RecordingActivities {
  return {
    async recordTransitions({ projection, notifications }) {
      if (projection && (await writeProjection(orm, projection)) === 'missing') {
        if (Context.current().info.attempt < ATTEMPTS_AWAITING_ROW) {
          throw ApplicationFailure.retryable('The application row is not written yet; the API writes it as it answers.', 'application_row_pending');
        }
        return { needsContent: true };
      }
      await enqueueAllNotifications({ orm, queue }, notifications);
      return { needsContent: false };
    },
  };
}
