import { enqueueAllNotifications, notificationJobs, type NotificationDeps } from '../src/notifications/notification-jobs';
import { recordOutbox } from '../src/notifications/notification-outbox';
import { addJobs } from '../src/notifications/add-jobs';
import type { NotificationEvent } from '../src/domain/notifications';

export type { NotificationEvent, NotificationKind } from '../src/domain/notifications';
export { enqueueAllNotifications, type NotificationDeps };

export interface NotificationActivities {
  /** Returns how many jobs were newly enqueued (0 when a retry finds them all already there). */
  enqueueNotifications(event: NotificationEvent): Promise<number>;
}

export function createNotificationActivities(deps: NotificationDeps): NotificationActivities {
  return {
    async enqueueNotifications(event) {
      const jobs = await notificationJobs(deps.orm, event);
      if (!jobs.length) return 0;
      await recordOutbox(deps.orm, jobs);
      // Adding an existing job ID is a no-op in BullMQ; looking first only tells the caller what was new.
      const before = await Promise.all(jobs.map((j) => deps.queue.getJob(j.opts.jobId)));
      await addJobs(deps.queue, jobs);
      return before.filter((j) => !j).length;
    },
  };
}
