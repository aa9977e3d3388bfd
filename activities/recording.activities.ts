import type { MikroORM } from '@mikro-orm/sqlite';
import type { Queue } from 'bullmq';
import type { NotificationJobData } from '../src/queue/notification-queue';
import { projectApplication, type ProjectApplicationInput } from '../src/applications/application-projection';
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

export interface RecordingActivities {
  recordTransitions(record: TransitionRecord): Promise<void>;
}

export interface RecordingDeps { orm: MikroORM; queue: Queue<NotificationJobData> }

export function createRecordingActivities({ orm, queue }: RecordingDeps): RecordingActivities {
  return {
    async recordTransitions({ projection, notifications }) {
      if (projection) await projectApplication(orm, projection);
      await enqueueAllNotifications({ orm, queue }, notifications);
    },
  };
}
