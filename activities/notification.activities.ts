import type { Stage } from '../src/domain/stages';

/**
 * What the application workflow tells the notification side about. The workflow passes IDs only;
 * the activity resolves recipients and enqueues one BullMQ job per recipient and channel, with a
 * job ID derived from (workflow, seq, recipient, channel), so a retried activity never sends twice.
 */
export type NotificationKind = 'application_received' | 'stage_changed' | 'final_outcome' | 'sla_reminder' | 'offer_expired';

export interface NotificationEvent {
  kind: NotificationKind;
  applicationId: string;
  /** Sequence number of the transition (or, for an SLA reminder, of the transition that entered the stage). */
  seq: number;
  jobId: string;
  candidateId: string;
  from: Stage | null;
  to: Stage;
  reason: string | null;
  at: string;
}

export interface NotificationActivities {
  /** Returns how many jobs were newly enqueued (0 when a retry finds them all already there). */
  enqueueNotifications(event: NotificationEvent): Promise<number>;
}

import type { MikroORM } from '@mikro-orm/sqlite';
import type { Queue } from 'bullmq';
import { JobSchema } from '../src/db/entities/job.entity';
import { notificationJobId, type NotificationJobData } from '../src/queue/notification-queue';

export interface NotificationDeps { orm: MikroORM; queue: Queue<NotificationJobData> }

/** Who hears about what: candidates about their own application, the job's recruiter about new work. */
function recipients(event: NotificationEvent, recruiterId: string): string[] {
  switch (event.kind) {
    case 'application_received':
    case 'offer_expired':
      return [event.candidateId, recruiterId];
    case 'sla_reminder':
      return [recruiterId];
    default:
      return [event.candidateId];
  }
}

export function createNotificationActivities({ orm, queue }: NotificationDeps): NotificationActivities {
  return {
    async enqueueNotifications(event) {
      const job = await orm.em.fork().findOneOrFail(JobSchema, { id: Number(event.jobId) });
      const jobs = recipients(event, String(job.createdBy)).map((recipientId) => {
        const data: NotificationJobData = { ...event, channel: 'email', recipientId };
        return { name: event.kind, data, opts: { jobId: notificationJobId(data) } };
      });
      const before = await Promise.all(jobs.map((j) => queue.getJob(j.opts.jobId)));
      await queue.addBulk(jobs);
      return before.filter((j) => !j).length;
    },
  };
}
