import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { withoutPersonalData, type NotificationJobData } from './notification-queue';

/** An active job is locked by the notifier sending it: wait this long, a few times, for it to settle. */
const LOCKED_RETRY_MS = 250;
const LOCKED_TRIES = 8;

const globEscape = (text: string) => text.replace(/[*?[\\\]]/g, '\\$&');

/**
 * The ids of the queue's jobs (any state) about these applications: every one that names the candidate,
 * a transition's or an interview's, begins with the application's id (see notificationJobId).
 */
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
export async function removeNotificationJobsAbout(
  queue: Queue<NotificationJobData>,
  redis: Redis,
  applicationIds: readonly string[],
): Promise<number> {
  let removed = 0;
  const ids = await jobIdsAbout(queue, redis, applicationIds);
  for (const id of ids) {
    for (let attempt = 1; ; attempt++) {
      if (await queue.remove(id)) {
        removed++;
        break;
      }
      const job = await queue.getJob(id);
      if (!job) break;
      if (attempt >= LOCKED_TRIES) {
        await job.updateData(withoutPersonalData(job.data));
        break;
      }
      await sleep(LOCKED_RETRY_MS);
    }
  }
  await forgetEvents(queue, redis, ids);
  return removed;
}

/**
 * The queue's event stream (capped, read by dashboards and QueueEvents) repeats a failed job's reason,
 * which for a refused recipient names their address: the entries about these jobs go too.
 */
async function forgetEvents(queue: Queue<NotificationJobData>, redis: Redis, jobIds: ReadonlySet<string>): Promise<void> {
  if (!jobIds.size) return;
  const stream = queue.toKey('events');
  const entries = await redis.xrange(stream, '-', '+');
  const about = entries
    .filter(([, fields]) => {
      const at = fields.indexOf('jobId');
      return at >= 0 && at % 2 === 0 && jobIds.has(fields[at + 1]);
    })
    .map(([entryId]) => entryId);
  if (about.length) await redis.xdel(stream, ...about);
}
