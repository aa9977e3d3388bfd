import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NotificationKind } from '../../activities/notification.activities';
import type { Stage } from '../domain/stages';

export type Channel = 'email';

/** One message to one recipient on one channel. */
export interface NotificationJobData {
  kind: NotificationKind;
  channel: Channel;
  applicationId: string;
  seq: number;
  recipientId: string;
  jobId: string;
  candidateId: string;
  from: Stage | null;
  to: Stage;
  reason: string | null;
  at: string;
}

/** BullMQ job IDs may not contain ':'; this one is stable across activity retries. */
export function notificationJobId(d: Pick<NotificationJobData, 'applicationId' | 'seq' | 'kind' | 'recipientId' | 'channel'>): string {
  return [d.applicationId, d.seq, d.kind, d.recipientId, d.channel].join('.');
}

export function createNotificationQueue(connection: Redis, name: string): Queue<NotificationJobData> {
  return new Queue<NotificationJobData>(name, {
    connection,
    defaultJobOptions: {
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
      // Completed jobs are kept for a week: their IDs are what makes a retried enqueue a no-op.
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    },
  });
}
