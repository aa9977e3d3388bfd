import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { Logger } from '../logger';
import type { NotificationJobData } from './notification-queue';

export interface OutboxJob { name: string; data: NotificationJobData; opts: { jobId: string } }

/** A row is written before its job; one still pending after this long may have lost its job with Redis. */
const GRACE_MS = 30_000;
/** Older rows are not swept again: BullMQ keeps completed job ids about this long at most. */
const HORIZON_MS = 7 * 24 * 3600_000;
const BATCH = 500;

/** Records the jobs in SQL before they go to Redis; recording the same job again changes nothing. */
export async function recordOutbox(orm: MikroORM, jobs: OutboxJob[], now = new Date()): Promise<void> {
  if (!jobs.length) return;
  const at = now.toISOString();
  const values = jobs.map(() => "(?, ?, ?, 'pending', ?)").join(', ');
  await orm.em.fork().getConnection().execute(
    `insert into notification_outbox (id, subject, data, status, created_at) values ${values} on conflict (id) do nothing`,
    jobs.flatMap((j) => [j.opts.jobId, j.data.applicationId, JSON.stringify({ name: j.name, data: j.data }), at]),
    'run',
  );
}

/** The notifier's durable side of delivery: Redis's ledger can vanish with Redis, this cannot. */
export interface NotificationOutbox {
  isSent(jobId: string): Promise<boolean>;
  markSent(jobId: string): Promise<void>;
}

export function createNotificationOutbox(orm: MikroORM): NotificationOutbox {
  // Plain statements on the shared connection: no entity is loaded, so no per-job fork is needed.
  const sql = () => orm.em.getConnection();
  return {
    async isSent(jobId) {
      const rows = await sql().execute<{ status: string }[]>('select status from notification_outbox where id = ?', [jobId], 'all');
      return rows[0]?.status === 'sent';
    },
    async markSent(jobId) {
      // A sent row needs no copy of the message (names, address) any more.
      await sql().execute("update notification_outbox set status = 'sent', sent_at = ?, data = '{}' where id = ? and status = 'pending'", [new Date().toISOString(), jobId], 'run');
    },
  };
}

/**
 * Queues again the pending rows whose job is gone from Redis, under the same job id: a job still
 * there (waiting, delayed, failed) is left alone, and sweeps by several notifiers at once add one job.
 */
export async function sweepNotificationOutbox(orm: MikroORM, queue: Queue<NotificationJobData>, graceMs = GRACE_MS, now = Date.now()): Promise<number> {
  const rows = await orm.em.fork().getConnection().execute<{ id: string; data: string }[]>(
    'select id, data from notification_outbox where status = ? and created_at <= ? and created_at > ? order by created_at limit ?',
    ['pending', new Date(now - graceMs).toISOString(), new Date(now - HORIZON_MS).toISOString(), BATCH],
    'all',
  );
  const present = await Promise.all(rows.map((r) => queue.getJob(r.id)));
  const lost = rows.filter((_, i) => !present[i]).map((r) => {
    const { name, data } = JSON.parse(r.data) as { name: string; data: NotificationJobData };
    return { name, data, opts: { jobId: r.id } };
  });
  if (lost.length) await queue.addBulk(lost);
  return lost.length;
}

/** Sweeps once now and then every `intervalMs`; returns a function that stops it. */
export function startNotificationSweeper(orm: MikroORM, queue: Queue<NotificationJobData>, logger: Logger, options: { intervalMs?: number; graceMs?: number } = {}): () => void {
  const sweep = () => {
    sweepNotificationOutbox(orm, queue, options.graceMs).then(
      (n) => { if (n) logger.warn({ requeued: n }, 'notification jobs lost from Redis were queued again'); },
      (err: Error) => logger.warn({ err: err.message }, 'notification sweep failed; the next one retries'),
    );
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
