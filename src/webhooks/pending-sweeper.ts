import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { Logger } from '../logger';
import type { WebhookJobData } from './webhook-queue';

/** A delivery row is written before its job; one still unsent after this long lost its enqueue (Redis was down). */
const GRACE_MS = 30_000;
/** Older rows are not swept again (their subscription was disabled, or they are long settled). */
const HORIZON_MS = 24 * 3600_000;

/**
 * Enqueues deliveries that have a row but never got a job: the API writes a job event's row, then
 * its job, and Redis may have been unreachable in between. The job id is the delivery id, so a
 * delivery already queued (or sweeps by several notifiers at once) adds nothing.
 */
export async function sweepPendingDeliveries(
  orm: MikroORM,
  queue: Queue<WebhookJobData>,
  now = Date.now(),
  graceMs = GRACE_MS,
): Promise<number> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: string; event: string }[]>(
      'select id, event from webhook_deliveries where status = ? and attempts = 0 and created_at < ? and created_at > ? order by created_at limit 500',
      ['pending', new Date(now - graceMs).toISOString(), new Date(now - HORIZON_MS).toISOString()],
      'all',
    );
  if (rows.length) await queue.addBulk(rows.map((r) => ({ name: r.event, data: { deliveryId: r.id }, opts: { jobId: r.id } })));
  return rows.length;
}

/** Sweeps every `intervalMs`; returns a function that stops it. */
export function startPendingSweeper(orm: MikroORM, queue: Queue<WebhookJobData>, logger: Logger, intervalMs = 60_000): () => void {
  const timer = setInterval(() => {
    sweepPendingDeliveries(orm, queue).catch((err: Error) =>
      logger.warn({ err: err.message }, 'webhook sweep failed; the next one retries'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
