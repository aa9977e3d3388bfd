import type { Queue } from 'bullmq';

/** From this many jobs on, one pipeline (`addBulk`) is cheaper than a command each. */
const PIPELINE_FROM = 8;

/**
 * Queues a transition's few jobs with one `add` each: building `addBulk`'s pipeline costs more CPU
 * than it saves for one or two jobs. Neither way is atomic; each job's id makes adding it again a no-op.
 */
export async function addJobs<T>(queue: Queue<T>, jobs: Parameters<Queue<T>['addBulk']>[0]): Promise<void> {
  if (jobs.length >= PIPELINE_FROM) {
    await queue.addBulk(jobs);
    return;
  }
  await Promise.all(jobs.map((job) => queue.add(job.name, job.data, job.opts)));
}
