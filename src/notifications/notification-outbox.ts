import type { EntityManager, MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { Logger } from '../logger';
import type { NotificationJobData } from './notification-queue';

export interface OutboxJob {
  name: string;
  data: NotificationJobData;
  opts: { jobId: string };
}

/** A row is written before its job; one still pending after this long may have lost its job with Redis. */
const GRACE_MS = 30_000;
/** Older rows are not swept again: BullMQ keeps completed job ids about this long at most. */
const HORIZON_MS = 7 * 24 * 3600_000;
const BATCH = 500;

/** Records the jobs in SQL before they go to Redis; recording the same job again changes nothing. */
export async function recordOutbox(orm: MikroORM, jobs: OutboxJob[], now = new Date()): Promise<void> {
  await recordOutboxIn(orm.em.fork(), jobs, now);
}

/** The same, inside the caller's transaction. */
export async function recordOutboxIn(em: EntityManager, jobs: OutboxJob[], now = new Date()): Promise<void> {
  if (!jobs.length) return;
  const at = now.toISOString();
  const values = jobs.map(() => "(?, ?, ?, 'pending', ?)").join(', ');
  await em.execute(
    `insert into notification_outbox (id, subject, data, status, created_at) values ${values} on conflict (id) do nothing`,
    jobs.flatMap((j) => [j.opts.jobId, j.data.applicationId, JSON.stringify({ name: j.name, data: j.data }), at]),
    'run',
  );
}

/**
 * What a notifier may do with a job's outbox row: send it (it now holds the row's lease), skip it
 * (already sent), wait (another notifier holds a live lease), or fall back to Redis's ledger (no row:
 * a job queued by older code, or one whose row was erased).
 */
export type OutboxClaim = { state: 'claimed' } | { state: 'sent' } | { state: 'in-doubt'; retryInMs: number } | { state: 'absent' };

/** The notifier's durable side of delivery: Redis's ledger can vanish with Redis, this cannot. */
export interface NotificationOutbox {
  /** Takes the row's lease when it is pending or its lease ran out: one conditional update. */
  claim(jobId: string, holder: string): Promise<OutboxClaim>;
  /** Marks the row sent if `holder` still holds it; with `null`, if nobody does (sent under the ledger's claim). */
  markSent(jobId: string, holder: string | null): Promise<boolean>;
  /** Gives the lease back after a send that definitely failed, so the retry need not wait. */
  release(jobId: string, holder: string): Promise<void>;
}

export interface OutboxOptions {
  /**
   * How long a lease keeps other notifiers off a row. Far longer than an SMTP send can last (the
   * mailer's connection, greeting and socket timeouts add up to under a minute): a lease that ran
   * out while its holder was still sending is what would let a second copy out.
   */
  leaseMs?: number;
}

export const LEASE_MS = 5 * 60_000;

export function createNotificationOutbox(orm: MikroORM, options: OutboxOptions = {}): NotificationOutbox {
  const leaseMs = options.leaseMs ?? LEASE_MS;
  // Plain statements on the shared connection: no entity is loaded, so no per-job fork is needed.
  const sql = () => orm.em.getConnection();
  return {
    async claim(jobId, holder) {
      const now = Date.now();
      const at = new Date(now).toISOString();
      // `returning` counts the rows taken the same way on SQLite and PostgreSQL.
      const taken = await sql().execute<{ id: string }[]>(
        `update notification_outbox set status = 'sending', lease_until = ?, lease_holder = ?
          where id = ? and (status = 'pending' or (status = 'sending' and (lease_until is null or lease_until <= ?))) returning id`,
        [new Date(now + leaseMs).toISOString(), holder, jobId, at],
        'all',
      );
      if (taken.length) return { state: 'claimed' };
      // Only when the row was not free: is it sent, held elsewhere, or missing?
      const [row] = await sql().execute<{ status: string; lease_until: string | null }[]>(
        'select status, lease_until from notification_outbox where id = ?',
        [jobId],
        'all',
      );
      if (!row) return { state: 'absent' };
      if (row.status === 'sent') return { state: 'sent' };
      const left = row.lease_until ? Date.parse(row.lease_until) - now : 0;
      return { state: 'in-doubt', retryInMs: Math.max(left, 250) };
    },
    async markSent(jobId, holder) {
      // A sent row needs no copy of the message (names, address) any more.
      const done =
        holder === null
          ? await sql().execute<{ id: string }[]>(
              "update notification_outbox set status = 'sent', sent_at = ?, data = '{}' where id = ? and status = 'pending' returning id",
              [new Date().toISOString(), jobId],
              'all',
            )
          : await sql().execute<{ id: string }[]>(
              `update notification_outbox set status = 'sent', sent_at = ?, data = '{}', lease_until = null, lease_holder = null
            where id = ? and status = 'sending' and lease_holder = ? returning id`,
              [new Date().toISOString(), jobId, holder],
              'all',
            );
      return done.length > 0;
    },
    async release(jobId, holder) {
      await sql().execute(
        "update notification_outbox set status = 'pending', lease_until = null, lease_holder = null where id = ? and status = 'sending' and lease_holder = ?",
        [jobId, holder],
        'run',
      );
    },
  };
}

/**
 * Queues again the pending rows whose job is gone from Redis, under the same job id: a job still
 * there (waiting, delayed, failed) is left alone, and sweeps by several notifiers at once add one job.
 * A row being sent under a live lease is left alone too, whatever Redis says: its holder may still be
 * talking to SMTP. One whose lease ran out (its holder died mid-send) is pending again.
 */
export async function sweepNotificationOutbox(
  orm: MikroORM,
  queue: Queue<NotificationJobData>,
  graceMs = GRACE_MS,
  now = Date.now(),
): Promise<number> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: string; data: string }[]>(
      `select id, data from notification_outbox
      where (status = 'pending' or (status = 'sending' and (lease_until is null or lease_until <= ?))) and created_at <= ? and created_at > ?
      order by created_at limit ?`,
      [new Date(now).toISOString(), new Date(now - graceMs).toISOString(), new Date(now - HORIZON_MS).toISOString(), BATCH],
      'all',
    );
  const present = await Promise.all(rows.map((r) => queue.getJob(r.id)));
  const lost = rows
    .filter((_, i) => !present[i])
    .map((r) => {
      const { name, data } = JSON.parse(r.data) as { name: string; data: NotificationJobData };
      return { name, data, opts: { jobId: r.id } };
    });
  if (lost.length) await queue.addBulk(lost);
  return lost.length;
}

/** Sweeps once now and then every `intervalMs`; returns a function that stops it. */
export function startNotificationSweeper(
  orm: MikroORM,
  queue: Queue<NotificationJobData>,
  logger: Logger,
  options: { intervalMs?: number; graceMs?: number } = {},
): () => void {
  const sweep = () => {
    sweepNotificationOutbox(orm, queue, options.graceMs).then(
      (n) => {
        if (n) logger.warn({ requeued: n }, 'notification jobs lost from Redis were queued again');
      },
      (err: Error) => logger.warn({ err: err.message }, 'notification sweep failed; the next one retries'),
    );
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
