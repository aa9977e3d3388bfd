import type { EntityManager, MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { Logger } from '../logger';
import type { TransitionStep } from '../metrics';
import { notificationEvent, type NotificationEvent } from '../domain/notifications';
import type { PayloadKeyring } from '../crypto/payload-keys';
import { openDeep } from '../crypto/personal-fields';
import type { NotificationJobData } from '../notifications/notification-queue';
import { notificationJobsOf } from '../notifications/notification-jobs';
import { recordOutboxIn } from '../notifications/notification-outbox';
import { addJobs } from '../notifications/add-jobs';
import type { StagedDelivery, WebhookEmitter } from '../webhooks/webhook-emitter';
import { withinMs } from '../webhooks/webhook-emitter';
import type { ApplicationAnswer, HistoryEntry } from '../../workflows/messages';
import { notificationKind } from '../../workflows/stage-rules';
import { writeProjection, type ProjectApplicationInput, type ProjectionOutcome } from './application-projection';
import { applicationEmissions } from './application-events';
import type { UiLink } from './application-view';

/**
 * The one way a transition Temporal kept is recorded, whoever records it (the API, its sweep, the
 * recording activity): the projection, the notifications' outbox rows and the webhook delivery rows
 * in one SQL transaction, then their jobs to Redis. Every step is idempotent, so a repeat by any
 * writer changes nothing.
 */
export interface TransitionRecorderDeps {
  orm: MikroORM;
  queue: Queue<NotificationJobData>;
  logger: Logger;
  /** Opens the personal fields a workflow carries sealed (see `sealed`). */
  payloadKeys?: PayloadKeyring;
  /** Webhooks ride with the notifications: the same events, ids per (application, seq, event, subscription). */
  webhooks?: { emitter: WebhookEmitter; ui: UiLink };
}

/** What Temporal kept: the history to project (null when only notifications wait) and the events of the new entries. */
export interface KeptTransitions {
  projection: ProjectApplicationInput | null;
  /** Oldest first. */
  events: readonly NotificationEvent[];
}

export interface RecordOptions {
  /** The projection's personal fields come sealed, as the workflow carries them: SQL holds them open. */
  sealed?: boolean;
  /** Statements that commit with the projection and the outbox rows, or not at all (the journal's delete). */
  alongside?: (em: EntityManager) => Promise<void>;
  /** A write without content that finds no row commits nothing and queues nothing: the caller asks again with it. */
  stopIfMissing?: boolean;
  /**
   * The projection's transaction failed. Return to record the notifications anyway (in a transaction
   * of their own: the transition happened whatever SQL holds); throw to give up the whole recording.
   */
  projectionFailed?: (err: unknown) => Promise<void> | void;
  /**
   * How long queueing may wait for Redis (a request): then a failure is only logged, since the outbox
   * and delivery rows are committed and the notifier's sweeps queue them. Without it a Redis failure is thrown.
   */
  enqueueTimeoutMs?: number;
  /**
   * With `enqueueTimeoutMs`: the recording ends (and the request answers) while Redis takes the
   * jobs. Their rows are committed before, so an answer never waits on the queue for a guarantee
   * it already has; should the process die first, the notifier's sweeps queue the rows.
   */
  enqueueInBackground?: boolean;
  step?: (step: TransitionStep) => void;
}

export type TransitionRecorder = (kept: KeptTransitions, options?: RecordOptions) => Promise<ProjectionOutcome | 'refused' | null>;

/** The notification events of history entries, as the workflow's own recording builds them. */
export function notificationsOf(
  answer: Pick<ApplicationAnswer, 'applicationId' | 'jobId' | 'candidateId'>,
  entries: readonly HistoryEntry[],
): NotificationEvent[] {
  return entries.map((entry) => notificationEvent(answer, entry, notificationKind(entry)));
}

/**
 * Returns the projection's outcome: null when there was none to write, `refused` when its transaction
 * failed and `projectionFailed` let the notifications go out anyway.
 */
export function createTransitionRecorder({ orm, queue, logger, payloadKeys, webhooks }: TransitionRecorderDeps): TransitionRecorder {
  return async function recordTransitions({ projection, events }, options = {}) {
    const step = options.step ?? (() => undefined);
    const jobs = await notificationJobsOf(orm, events);
    const emissions = webhooks ? applicationEmissions(webhooks.ui, events) : [];
    let deliveries: StagedDelivery[] = [];
    /** What commits with the projection, or in a transaction of its own without one. */
    const alongside = async (em: EntityManager) => {
      await recordOutboxIn(em, jobs);
      deliveries = webhooks ? await webhooks.emitter.stage(em, emissions) : [];
      if (options.alongside) await options.alongside(em);
    };
    const withoutProjection = () => orm.em.fork().transactional(alongside);
    let outcome: ProjectionOutcome | 'refused' | null = null;
    if (!projection) {
      await withoutProjection();
    } else {
      try {
        // SQL holds the plaintext (erasure anonymizes it there); a candidate already erased gets nulls.
        const input =
          options.sealed && payloadKeys
            ? { ...projection, application: await openDeep(orm.em.fork(), payloadKeys, projection.application) }
            : projection;
        outcome = await writeProjection(orm, input, {
          async alongside(em, written) {
            if (written === 'missing' && options.stopIfMissing) return;
            await alongside(em);
          },
        });
      } catch (err) {
        if (!options.projectionFailed) throw err;
        await options.projectionFailed(err);
        await withoutProjection();
        outcome = 'refused';
      }
      if (outcome === 'missing' && options.stopIfMissing) return outcome;
    }
    step('record');
    if (jobs.length || deliveries.length) {
      const queued = () =>
        Promise.all([
          jobs.length ? addJobs(queue, jobs) : undefined,
          deliveries.length ? webhooks!.emitter.enqueue(deliveries) : undefined,
        ]);
      const { enqueueTimeoutMs } = options;
      const bounded = (ms: number) =>
        withinMs(queued(), ms).catch((err: Error) =>
          logger.warn({ err: err.message }, "jobs not queued now; the notifier's sweeps queue them from their rows"),
        );
      if (enqueueTimeoutMs === undefined) await queued();
      // In the background, the jobs are queued once the answer has gone: its JSON and its write come first.
      else if (options.enqueueInBackground) setImmediate(() => void bounded(enqueueTimeoutMs));
      else await bounded(enqueueTimeoutMs);
    }
    step('enqueue');
    return outcome;
  };
}
