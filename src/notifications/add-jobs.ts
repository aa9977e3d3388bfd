import type { Queue } from 'bullmq';
import { currentTraceContext } from '../telemetry/trace-context';

/** From this many jobs on, one pipeline (`addBulk`) is cheaper than a command each. */
const PIPELINE_FROM = 8;

/**
 * Queues a transition's few jobs with one `add` each: building `addBulk`'s pipeline costs more CPU
 * than it saves for one or two jobs. Neither way is atomic; each job's id makes adding it again a no-op.
 */
export async function addJobs<T>(queue: Queue<T>, queued: Parameters<Queue<T>['addBulk']>[0]): Promise<void> {
  const jobs = withTraceContext(queued);
  if (jobs.length >= PIPELINE_FROM) {
    await queue.addBulk(jobs);
    return;
  }
  await Promise.all(jobs.map((job) => queue.add(job.name, job.data, job.opts)));
}

/**
 * With tracing on, each job carries the queuing span's W3C context (`traceparent`) in its data, so
 * the notifier's span joins the request's trace. With tracing off there is none, and the data is unchanged.
 */
function withTraceContext<J extends { data: unknown }>(jobs: J[]): J[] {
  const carrier = currentTraceContext();
  return carrier ? jobs.map((job) => ({ ...job, data: { ...(job.data as object), ...carrier } })) : jobs;
}
