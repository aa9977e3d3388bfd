import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { withoutPersonalData, type NotificationJobData } from './notification-queue';

/** An active job is locked by the notifier sending it: wait this long, a few times, for it to settle. */
const LOCKED_RETRY_MS = 250;
const LOCKED_TRIES = 8;

const globEscape = (text: string) => text.replace(/[*?[\\\]]/g, '\\$&');

/** The ids of the queue's jobs (any state) about these applications: their ids begin with the application's id. */
async function jobIdsAbout(queue: Queue<NotificationJobData>, client: Redis, applicationIds: readonly string[]): Promise<Set<string>> {
  const base = queue.toKey('');
  const ids = new Set<string>();
  for (const applicationId of applicationIds) {
    // As notificationJobId spells it: BullMQ forbids ':' in job ids.
    const prefix = `${applicationId.replace(/:/g, '_')}.`;
    const stream = client.scanStream({ match: `${globEscape(base + prefix)}*`, count: 500 });
    // A job's hash and its side keys (`:lock`, `:logs`) share the id, which holds no ':'.
    for await (const keys of stream) for (const key of keys as string[]) ids.add(key.slice(base.length).split(':')[0]);
  }
  return ids;
}

/**
 * Erasure: removes every notification job about these applications, waiting, delayed, completed or
 * failed, with the e-mail addresses and names it copied. A job a notifier is sending right now cannot
 * be removed: it is waited for briefly, and if still held its copy of the person is blanked instead.
 * `redis`: the queue's connection (to find the jobs' keys). Returns how many jobs went.
 */
export async function removeNotificationJobsAbout(queue: Queue<NotificationJobData>, redis: Redis, applicationIds: readonly string[]): Promise<number> {
  let removed = 0;
  for (const id of await jobIdsAbout(queue, redis, applicationIds)) {
    for (let attempt = 1; ; attempt++) {
      if (await queue.remove(id)) { removed++; break; }
      const job = await queue.getJob(id);
      if (!job) break;
      if (attempt >= LOCKED_TRIES) {
        await job.updateData(withoutPersonalData(job.data));
        break;
      }
      await sleep(LOCKED_RETRY_MS);
    }
  }
  return removed;
}
