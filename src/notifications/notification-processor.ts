import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../logger';
import type { Mailer } from '../mail/mailer';
import { renderNotification } from './notification-templates';
import { describeSmtpFailure, isInvalidRecipient, isPermanentSmtpFailure } from '../mail/smtp-failure';
import { withoutPersonalData, type NotificationJobData } from './notification-queue';
import type { DeliveryLedger } from './delivery-ledger';
import type { NotificationOutbox } from './notification-outbox';
import type { DeliveryOutcome, DeliveryStats } from './delivery-stats';
import { PermanentDeliveryError, TransientDeliveryError } from './delivery-errors';

export interface DeliveryResult {
  messageId: string;
  duplicate: boolean;
}

export interface ProcessorDeps {
  mailer: Mailer;
  ledger: DeliveryLedger;
  /** The durable record in SQL; without it only Redis's ledger guards against sending twice. */
  outbox?: NotificationOutbox;
  stats: DeliveryStats;
  logger: Logger;
  /** Right-hand side of generated Message-IDs, from MAIL_FROM. */
  messageIdDomain: string;
  /** MAIL_FROM: the organizer of interview invitations (else `no-reply@` the Message-ID domain). */
  mailFrom?: string;
}

/** Who guards a send: the outbox row's lease (SQL), or Redis's ledger for a job without a row. */
type Guard = { kind: 'outbox'; holder: string } | { kind: 'ledger'; holder: string; outboxDown: boolean };

/**
 * Delivers one notification job: claim it (the outbox row's lease, else the ledger), render, send,
 * record it as sent. Exported on its own so that re-running a job that already succeeded can be tested directly.
 */
export function createNotificationProcessor(deps: ProcessorDeps) {
  const { mailer, ledger, stats, logger } = deps;
  const count = (outcome: DeliveryOutcome) =>
    void stats.record(outcome).catch((err: Error) => logger.warn({ err: err.message, outcome }, 'could not count a delivery outcome'));
  /** The job's logger, made only when the job has something to report: a mail that simply goes out logs at debug. */
  type Log = () => typeof logger;
  type Decision = { go: Guard } | { stop: DeliveryResult } | { delayMs: number };

  /**
   * A job with an outbox row is guarded by the row alone: its lease keeps a second notifier off while
   * one sends, and `sent` outlives any loss of Redis, so the ledger would only add round trips. A job
   * without a row (queued by older code) is guarded by the ledger, as is every job while SQL cannot answer.
   */
  async function decide(jobId: string, holder: string, log: Log): Promise<Decision> {
    let outboxDown = false;
    if (deps.outbox) {
      const claim = await deps.outbox.claim(jobId, holder).catch((err: Error) => {
        log().warn({ err: err.message }, 'outbox not writable; relying on the ledger');
        outboxDown = true;
        return { state: 'absent' } as const;
      });
      if (claim.state === 'claimed') return { go: { kind: 'outbox', holder } };
      if (claim.state === 'sent') return { stop: { messageId: `<${jobId}@${deps.messageIdDomain}>`, duplicate: true } };
      if (claim.state === 'in-doubt') return { delayMs: claim.retryInMs };
    }
    const claim = await ledger.claim(jobId, holder);
    if (claim.state === 'claimed') return { go: { kind: 'ledger', holder, outboxDown } };
    if (claim.state === 'sent') return { stop: { messageId: claim.messageId, duplicate: true } };
    return { delayMs: claim.retryInMs };
  }

  const release = (jobId: string, guard: Guard, log: Log) =>
    (guard.kind === 'outbox' ? deps.outbox!.release(jobId, guard.holder) : ledger.release(jobId, guard.holder)).catch((err: Error) =>
      log().warn({ err: err.message }, 'claim not released; the retry waits for it to run out'),
    );

  /** The message is out: never throws, or a retry would send it again. */
  async function recordSent(jobId: string, messageId: string, guard: Guard, log: Log): Promise<void> {
    const unmarked = (err: Error) => {
      log().error({ err: err.message }, 'sent, but the outbox row was not marked');
      return true;
    };
    if (guard.kind === 'outbox') {
      const marked = await deps.outbox!.markSent(jobId, guard.holder).catch(unmarked);
      // The lease ran out mid-send and another notifier took the row (it may have sent too), or the row was erased.
      if (!marked) log().error('sent, but the outbox row is no longer ours to mark');
      return;
    }
    // Under the ledger, both records are written before the job completes; neither waits for the other.
    await Promise.all([
      ledger
        .markSent(jobId, messageId)
        .catch((err: Error) => log().error({ err: err.message }, 'sent, but the sent marker was not written')),
      deps.outbox && guard.outboxDown ? deps.outbox.markSent(jobId, null).catch(unmarked) : undefined,
    ]);
  }

  /** A kept completed job needs no copy of the person: never throws, the message is out. */
  const forgetPerson = (job: Job<NotificationJobData, DeliveryResult>, log: Log) =>
    job
      .updateData(withoutPersonalData(job.data))
      .catch((err: Error) => log().warn({ err: err.message }, "sent, but the job still holds the recipient's address"));

  return async function deliver(job: Job<NotificationJobData, DeliveryResult>, token?: string): Promise<DeliveryResult> {
    const jobId = job.id!;
    const fields = () => ({ jobId, kind: job.data.kind, recipientId: job.data.recipient.id, attempt: job.attemptsMade + 1 });
    let child: typeof logger | undefined;
    const log = () => (child ??= logger.child(fields()));
    // Blanked: sent already (a completion that was lost), or its person was erased meanwhile.
    if (!job.data.recipient.email) {
      log().info('no address left in the job; completing without sending');
      count('duplicate_skipped');
      return { messageId: `<${jobId}@${deps.messageIdDomain}>`, duplicate: true };
    }
    const decision = await decide(jobId, token ?? randomUUID(), log);
    if ('stop' in decision) {
      log().info({ messageId: decision.stop.messageId }, 'already sent; completing without sending again');
      count('duplicate_skipped');
      await forgetPerson(job, log);
      return decision.stop;
    }
    if ('delayMs' in decision) {
      // Another notifier is sending it, or one died mid-send: look again once its claim has run out.
      log().warn({ retryInMs: decision.delayMs }, 'delivery in progress elsewhere; delaying');
      count('in_doubt_delayed');
      await job.moveToDelayed(Date.now() + decision.delayMs, token);
      throw new DelayedError();
    }
    const guard = decision.go;

    const message = renderNotification(job.data, {
      organizer: deps.mailFrom ?? `no-reply@${deps.messageIdDomain}`,
      domain: deps.messageIdDomain,
    });
    let sent;
    try {
      sent = await mailer.send({
        to: { address: job.data.recipient.email, name: job.data.recipient.name },
        ...message,
        messageId: `<${jobId}@${deps.messageIdDomain}>`,
        headers: { 'X-ATS-Notification': jobId },
      });
    } catch (err) {
      await release(jobId, guard, log);
      const reason = describeSmtpFailure(err);
      if (isPermanentSmtpFailure(err) || isInvalidRecipient(err)) {
        log().warn({ reason }, 'recipient refused for good; not retrying');
        count('failed_permanent');
        throw new PermanentDeliveryError(reason);
      }
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log().warn({ reason, last }, last ? 'delivery failed; no attempts left' : 'delivery failed; will retry');
      count(last ? 'failed_exhausted' : 'retry_scheduled');
      throw new TransientDeliveryError(reason);
    }

    await recordSent(jobId, sent.messageId, guard, log);
    await forgetPerson(job, log);
    count('sent');
    // The outbox row (sent_at) and the `sent` counter record it; a line per mail is for debugging.
    if (logger.isLevelEnabled('debug')) logger.debug({ ...fields(), messageId: sent.messageId, via: mailer.target }, 'notification sent');
    return { messageId: sent.messageId, duplicate: false };
  };
}

/** `ATS <no-reply@ats.example>` → `ats.example`. */
export function messageIdDomainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'ats.local';
}
