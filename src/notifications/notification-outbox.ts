import type { EntityManager, MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import { placeholders } from '../db/placeholders';
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
  /**
   * The claims of one turn of the event loop, taken in one statement: a notifier working on many jobs
   * at once writes the outbox once for all of them rather than once a job (about a third of the SQL
   * work a mail costs). Each row still goes to the one holder its lease names.
   */
  const claims = groupedByTurn<{ jobId: string; holder: string }, OutboxClaim>(async (batch) => {
    const now = Date.now();
    const ids = batch.map((c) => c.jobId);
    const taken = new Set(
      (
        await sql().execute<{ id: string }[]>(
          `update notification_outbox set status = 'sending', lease_until = ?, lease_holder = ${holderCase(batch.length)}
            where id in (${placeholders(batch.length)}) and (status = 'pending' or (status = 'sending' and (lease_until is null or lease_until <= ?))) returning id`,
          [new Date(now + leaseMs).toISOString(), ...holderPairs(batch), ...ids, new Date(now).toISOString()],
          'all',
        )
      ).map((r) => r.id),
    );
    const untaken = ids.filter((id) => !taken.has(id));
    // Only for rows that were not free: is each sent, held elsewhere, or missing?
    const rows = untaken.length
      ? await sql().execute<{ id: string; status: string; lease_until: string | null }[]>(
          `select id, status, lease_until from notification_outbox where id in (${placeholders(untaken.length)})`,
          untaken,
          'all',
        )
      : [];
    const found = new Map(rows.map((r) => [r.id, r]));
    return batch.map(({ jobId }): OutboxClaim => {
      if (taken.has(jobId)) return { state: 'claimed' };
      const row = found.get(jobId);
      if (!row) return { state: 'absent' };
      if (row.status === 'sent') return { state: 'sent' };
      const left = row.lease_until ? Date.parse(row.lease_until) - now : 0;
      return { state: 'in-doubt', retryInMs: Math.max(left, 250) };
    });
  });
  /** The sent marks of one turn, likewise; each row only if its holder still holds it. A sent row needs no copy of the message. */
  const marksSent = groupedByTurn<{ jobId: string; holder: string }, boolean>(async (batch) => {
    const marked = new Set(
      (
        await sql().execute<{ id: string }[]>(
          `update notification_outbox set status = 'sent', sent_at = ?, data = '{}', lease_until = null, lease_holder = null
            where id in (${placeholders(batch.length)}) and status = 'sending' and lease_holder = ${holderCase(batch.length)} returning id`,
          [new Date().toISOString(), ...batch.map((m) => m.jobId), ...holderPairs(batch)],
          'all',
        )
      ).map((r) => r.id),
    );
    return batch.map((m) => marked.has(m.jobId));
  });
  return {
    claim: (jobId, holder) => claims({ jobId, holder }),
    async markSent(jobId, holder) {
      if (holder !== null) return marksSent({ jobId, holder });
      const done = await sql().execute<{ id: string }[]>(
        "update notification_outbox set status = 'sent', sent_at = ?, data = '{}' where id = ? and status = 'pending' returning id",
        [new Date().toISOString(), jobId],
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

/** Each row's own holder, by its id: `case id when ? then ? … end`. */
const holderCase = (n: number) => `case id ${Array.from({ length: n }, () => 'when ? then ?').join(' ')} end`;
const holderPairs = (batch: { jobId: string; holder: string }[]) => batch.flatMap((b) => [b.jobId, b.holder]);

/** At most this many rows in one statement. */
const GROUP_LIMIT = 100;

/**
 * Runs the requests made in one turn of the event loop together, `run` answering each in order.
 * A job id appears at most once in a group (a second request for it waits for the next group, so two
 * holders never race inside one statement); if `run` fails, every request of its group fails with it.
 */
export function groupedByTurn<I extends { jobId: string }, O>(run: (batch: I[]) => Promise<O[]>): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  let queued: Waiting[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const all = queued;
    queued = [];
    while (all.length) {
      const ids = new Set<string>();
      const group: Waiting[] = [];
      for (let i = 0; i < all.length && group.length < GROUP_LIMIT;) {
        if (ids.has(all[i].item.jobId)) i++;
        else {
          ids.add(all[i].item.jobId);
          group.push(...all.splice(i, 1));
        }
      }
      const settle = run(group.map((w) => w.item)).then(
        (out) => group.forEach((w, i) => w.resolve(out[i])),
        (err: unknown) => group.forEach((w) => w.reject(err)),
      );
      if (all.length) {
        // The rest waits for this group: a later request for the same row sees what this one did.
        const rest = all.splice(0);
        void settle.finally(() => {
          queued.unshift(...rest);
          if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
          }
        });
      }
    }
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      queued.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
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
