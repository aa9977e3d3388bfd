import { WorkflowNotFoundError } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/sql';
import type { Services } from '../services';
import type { Logger } from '../logger';
import type { TransitionStep } from '../metrics';
import { stateQuery, type ApplicationAnswer } from '../../workflows/messages';
import { projectionOf } from './application-projection';
import { notificationsOf } from './transition-recorder';
import { createRecordingFailureStats, givingUpReason, reportRecordingFailure } from './recording-failures';

/**
 * The API records the transitions it asks for: once the workflow has answered (so the transition is
 * in Temporal's history), it writes the projection, the notification outbox and the webhooks, then
 * answers. Workflows leave those transitions to it, so an update costs Temporal one workflow task
 * and no activity.
 *
 * What keeps that safe is a journal written before the change is sent: a `transition_intents` row,
 * deleted once everything is recorded. A row that outlives the request (the API died between
 * Temporal's answer and SQL, SQL refused, Redis was away) is finished by `sweepTransitionIntents`
 * from the workflow's own state, which every API process runs on a timer. Each step is idempotent
 * (a versioned projection, outbox and delivery ids per transition), so a step done twice changes
 * nothing, and the notifier's outbox check keeps a mail from going out twice.
 */

/** How long queueing may wait for Redis in a request: the outbox row is durable, and the notifier's sweep queues it later. */
const ENQUEUE_TIMEOUT_MS = 1_000;

export { notificationsOf };

/**
 * Journals a change about to be sent to `applicationId`'s workflow. `id` is the update's id (the
 * client's Idempotency-Key when it sent one: a repeat reuses the row). `after_seq` is what SQL holds now.
 */
export async function openIntent(orm: MikroORM, id: string, applicationId: string, now = new Date(), afterSeq?: number): Promise<void> {
  // `where true`: SQLite reads `on conflict` after a bare select as part of a join.
  await orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into transition_intents (id, application_id, after_seq, created_at)
      select ?, ?, coalesce(?, (select seq from applications where id = ?), 0), ? where true
      on conflict (id) do nothing`,
      [id, applicationId, afterSeq ?? null, applicationId, now.toISOString()],
      'run',
    );
}

export async function closeIntent(orm: MikroORM, id: string): Promise<void> {
  await orm.em.fork().getConnection().execute('delete from transition_intents where id = ?', [id], 'run');
}

/**
 * Records the transition an update answered: in one SQL transaction the projection (for the next
 * read), the notifications' outbox rows, the webhooks' delivery rows and the journal's delete; then
 * the jobs go to Redis (the answer does not wait for Redis: the rows already guarantee them). The
 * transaction's failure is the caller's to report (the intent stays, for the sweep). Redis not
 * taking the jobs is the notifier's sweeps' to mend: the rows are committed.
 */
export async function recordAnswer(
  services: Services,
  intentId: string,
  answer: ApplicationAnswer,
  content?: { coverLetter: string | null; resumeUrl: string | null },
  step: (step: TransitionStep) => void = () => undefined,
): Promise<void> {
  await services.recordTransitions(
    { projection: projectionOf(answer, content), events: notificationsOf(answer, answer.history.slice(-1)) },
    {
      alongside: (em) => em.execute('delete from transition_intents where id = ?', [intentId], 'run').then(() => undefined),
      enqueueTimeoutMs: ENQUEUE_TIMEOUT_MS,
      enqueueInBackground: true,
      step,
    },
  );
}

interface IntentRow {
  id: string;
  application_id: string;
  after_seq: number;
  created_at: string;
}

/** As long as the recording activity retries a failure that may pass (RECORDING_RETRY_WINDOW_MS). */
export const SWEEP_RETRY_WINDOW_MS = 60 * 60 * 1000;

export interface SweepOptions {
  /** Intents younger than this are requests still in flight, left alone. */
  graceMs: number;
  /** How long after the change a failure that may pass is still retried; then the sweep gives up. */
  retryWindowMs?: number;
  now?: number;
}

/**
 * Finishes the intents older than the grace (longer than any request waits on Temporal): reads the
 * workflow's state and records everything after the intent's `after_seq`. An application whose
 * workflow never started (the apply failed before Temporal took it) has nothing to finish. SQL that
 * keeps failing is retried at the next sweep; data SQL refuses (a constraint, a value it cannot hold)
 * and a failure that outlasts the retry window end the intent, loudly, as the recording activity's
 * do: an error log naming the application and `ats_recording_failures_total{reason}`; the
 * notifications still go out. Returns how many intents were finished.
 */
export async function sweepTransitionIntents(services: Services, options: SweepOptions): Promise<number> {
  const { orm, logger } = services;
  const now = options.now ?? Date.now();
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<IntentRow[]>(
      'select id, application_id, after_seq, created_at from transition_intents where created_at <= ? order by created_at limit 200',
      [new Date(now - options.graceMs).toISOString()],
      'all',
    );
  let finished = 0;
  for (const row of rows) {
    try {
      await finishIntent(services, row, now, options.retryWindowMs ?? SWEEP_RETRY_WINDOW_MS);
      finished++;
    } catch (err) {
      // Temporal or SQL away, or a failure that may pass: the next sweep tries again.
      logger.warn(
        { applicationId: row.application_id, err: (err as Error).message },
        'a stage change left unrecorded could not be recorded yet',
      );
    }
  }
  return finished;
}

/**
 * Finishes now, whatever their age, the intents a request left on `applicationId`: an apply refused
 * as a duplicate because an earlier attempt started the workflow (its API died before recording it)
 * makes that application visible before it answers 409, so the candidate's next read finds it.
 */
export async function finishIntentsOf(services: Services, applicationId: string): Promise<void> {
  const rows = await services.orm.em
    .fork()
    .getConnection()
    .execute<IntentRow[]>(
      'select id, application_id, after_seq, created_at from transition_intents where application_id = ?',
      [applicationId],
      'all',
    );
  for (const row of rows) await finishIntent(services, row, Date.now(), SWEEP_RETRY_WINDOW_MS, { early: true });
}

/** `early`: the request may still be in flight, so a workflow not yet started (or not yet past its first task) keeps the intent for the sweep. */
async function finishIntent(
  services: Services,
  row: IntentRow,
  now: number,
  retryWindowMs: number,
  { early = false }: { early?: boolean } = {},
): Promise<void> {
  const { orm, temporal, config, logger } = services;
  let state;
  try {
    state = await temporal.workflow.getHandle(row.application_id).query(stateQuery);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    state = null;
  }
  if (state && state.seq > 0) {
    const { seq, coverLetter, resumeUrl } = state;
    // The intent's delete waits for the recording: should it fail, the next sweep records it again.
    await services.recordTransitions(
      {
        projection: projectionOf(state, { coverLetter, resumeUrl }),
        events: notificationsOf(
          state,
          state.history.filter((e) => e.seq > Number(row.after_seq)),
        ),
      },
      {
        sealed: true,
        enqueueTimeoutMs: ENQUEUE_TIMEOUT_MS,
        async projectionFailed(err) {
          const reason = givingUpReason(err, now - Date.parse(row.created_at), retryWindowMs);
          if (!reason) throw err;
          await reportRecordingFailure(
            logger,
            createRecordingFailureStats(services.redis, config.temporal.taskQueue),
            reason,
            err,
            { applicationId: row.application_id, seq },
            'SQL lags',
          );
        },
      },
    );
  } else if (early) {
    return;
  }
  await closeIntent(orm, row.id);
}

/** Sweeps every `intervalMs` (first after one interval); returns a function that stops it. */
export function startTransitionSweeper(services: Services, logger: Logger, options: { intervalMs: number; graceMs: number }): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepTransitionIntents(services, { graceMs: options.graceMs })
      .then(
        (n) => {
          if (n) logger.warn({ finished: n }, 'stage changes a request left unrecorded were recorded from their workflows');
        },
        (err: Error) => logger.warn({ err: err.message }, 'transition sweep failed; the next one retries'),
      )
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
