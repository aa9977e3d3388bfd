import type { Redis } from 'ioredis';
import { ConstraintViolationException, DriverException } from '@mikro-orm/core';
import type { Metrics } from '../metrics';
import type { Logger } from '../logger';

/**
 * Recordings of accepted transitions that failed for good, counted in Redis by the workers (which
 * serve no HTTP of their own) so that any API replica reports them in `/metrics` as
 * `ats_recording_failures_total{reason}`. Monotonic, like Prometheus counters.
 */
export const RECORDING_FAILURE_REASONS = ['constraint_violation', 'value_refused', 'retries_exhausted'] as const;
export type RecordingFailureReason = (typeof RECORDING_FAILURE_REASONS)[number];

export interface RecordingFailureStats {
  record(reason: RecordingFailureReason): Promise<void>;
  read(): Promise<Record<RecordingFailureReason, number>>;
}

export function recordingFailuresKey(taskQueue: string): string {
  return `ats:recording:${taskQueue}:failures`;
}

export function createRecordingFailureStats(redis: Redis, taskQueue: string): RecordingFailureStats {
  const key = recordingFailuresKey(taskQueue);
  return {
    async record(reason) {
      await redis.hincrby(key, reason, 1);
    },
    async read() {
      const raw = await redis.hgetall(key);
      return Object.fromEntries(RECORDING_FAILURE_REASONS.map((r) => [r, Number(raw[r] ?? 0)])) as Record<RecordingFailureReason, number>;
    },
  };
}

/** Puts the workers' recording failures for `taskQueue` into this process's `/metrics`. */
export function observeRecordingFailures(metrics: Metrics, redis: Redis, taskQueue: string): void {
  const stats = createRecordingFailureStats(redis, taskQueue);
  metrics.watchRecordingFailures(() => stats.read());
}

/**
 * Whether SQL refused the data itself, so that sending the same write again can never succeed: a
 * constraint (unique, not null, foreign key, check, a trigger's RAISE) or a value the column or the
 * database cannot hold. SQLite reports these as `SQLITE_CONSTRAINT*`, `SQLITE_TOOBIG`,
 * `SQLITE_MISMATCH`, `SQLITE_RANGE`; PostgreSQL as SQLSTATE classes 22 (data exception, e.g. a NUL
 * in text) and 23 (integrity constraint). Anything else (locks, I/O, a lost connection) may pass.
 */
export function refusedData(err: unknown): Exclude<RecordingFailureReason, 'retries_exhausted'> | null {
  if (err instanceof ConstraintViolationException) return 'constraint_violation';
  if (!(err instanceof DriverException)) return null;
  const code = String(err.code ?? err.sqlState ?? '');
  if (code.startsWith('SQLITE_CONSTRAINT') || code.startsWith('23')) return 'constraint_violation';
  if (/^SQLITE_(TOOBIG|MISMATCH|RANGE)/.test(code) || /^22[0-9A-Z]{3}$/.test(code)) return 'value_refused';
  return null;
}

/**
 * Why retrying a failed recording ends now, or null while it may still pass: data SQL refuses, or a failure that
 * outlasted the retry window.
 */
export function givingUpReason(err: unknown, sinceFirstAttemptMs: number, retryWindowMs: number): RecordingFailureReason | null {
  return refusedData(err) ?? (sinceFirstAttemptMs >= retryWindowMs ? 'retries_exhausted' : null);
}

/**
 * A recording that failed for good, told loudly: an error log naming the application (`fields`) and
 * what now lags the workflow, and `ats_recording_failures_total{reason}`. The count is best effort.
 */
export async function reportRecordingFailure(
  logger: Logger,
  failures: RecordingFailureStats,
  reason: RecordingFailureReason,
  err: unknown,
  fields: Record<string, unknown>,
  lagging: 'SQL lags' | 'SQL or notifications lag',
): Promise<void> {
  logger.error(
    { ...fields, reason, err: (err as Error).message },
    `recording of accepted transitions failed for good; ${lagging} the workflow until its next transition`,
  );
  await failures.record(reason).catch((countErr: Error) => logger.warn({ err: countErr.message, reason }, 'recording failure not counted'));
}
