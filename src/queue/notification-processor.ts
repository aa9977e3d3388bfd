import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from '../logger';
import type { Mailer } from '../mail/mailer';
import { renderNotification } from '../mail/templates';
import { describeSmtpFailure, isInvalidRecipient, isPermanentSmtpFailure } from '../mail/smtp-failure';
import type { NotificationJobData } from './notification-queue';
import type { DeliveryLedger } from './delivery-ledger';
import type { NotificationOutbox } from './notification-outbox';
import type { DeliveryOutcome, DeliveryStats } from './delivery-stats';
import { PermanentDeliveryError, TransientDeliveryError } from './delivery-errors';

export interface DeliveryResult { messageId: string; duplicate: boolean }

export interface ProcessorDeps {
  mailer: Mailer;
  ledger: DeliveryLedger;
  /** The durable record in SQL; without it only Redis's ledger guards against sending twice. */
  outbox?: NotificationOutbox;
  stats: DeliveryStats;
  logger: Logger;
  /** Right-hand side of generated Message-IDs, from MAIL_FROM. */
  messageIdDomain: string;
}

/**
 * Delivers one notification job: claim it in the ledger, render, send, record it as sent.
 * Exported on its own so that re-running a job that already succeeded can be tested directly.
 */
export function createNotificationProcessor(deps: ProcessorDeps) {
  const { mailer, ledger, stats, logger } = deps;
  const count = (outcome: DeliveryOutcome) => void stats.record(outcome).catch((err: Error) => logger.warn({ err: err.message, outcome }, 'could not count a delivery outcome'));

  return async function deliver(job: Job<NotificationJobData, DeliveryResult>, token?: string): Promise<DeliveryResult> {
    const jobId = job.id!;
    const log = logger.child({ jobId, kind: job.data.kind, recipientId: job.data.recipient.id, attempt: job.attemptsMade + 1 });
    // The ledger may have vanished with Redis; SQL still knows what went out. If SQL cannot answer, the ledger decides.
    if (await deps.outbox?.isSent(jobId).catch((err: Error) => { log.warn({ err: err.message }, 'outbox not readable; relying on the ledger'); return false; })) {
      log.info('already sent per the outbox; completing without sending again');
      count('duplicate_skipped');
      return { messageId: `<${jobId}@${deps.messageIdDomain}>`, duplicate: true };
    }
    const holder = token ?? randomUUID();
    const claim = await ledger.claim(jobId, holder);
    if (claim.state === 'sent') {
      log.info({ messageId: claim.messageId }, 'already sent; completing without sending again');
      count('duplicate_skipped');
      return { messageId: claim.messageId, duplicate: true };
    }
    if (claim.state === 'in-doubt') {
      // Another worker is sending it, or one died mid-send: look again once its claim has run out.
      log.warn({ retryInMs: claim.retryInMs }, 'delivery in progress elsewhere; delaying');
      count('in_doubt_delayed');
      await job.moveToDelayed(Date.now() + claim.retryInMs, token);
      throw new DelayedError();
    }

    const message = renderNotification(job.data);
    let sent;
    try {
      sent = await mailer.send({
        to: { address: job.data.recipient.email, name: job.data.recipient.name },
        ...message,
        messageId: `<${jobId}@${deps.messageIdDomain}>`,
        headers: { 'X-ATS-Notification': jobId },
      });
    } catch (err) {
      await ledger.release(jobId, holder);
      const reason = describeSmtpFailure(err);
      if (isPermanentSmtpFailure(err) || isInvalidRecipient(err)) {
        log.warn({ reason }, 'recipient refused for good; not retrying');
        count('failed_permanent');
        throw new PermanentDeliveryError(reason);
      }
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ reason, last }, last ? 'delivery failed; no attempts left' : 'delivery failed; will retry');
      count(last ? 'failed_exhausted' : 'retry_scheduled');
      throw new TransientDeliveryError(reason);
    }

    // From here the message is out: never throw, or a retry would send it again. Both records are
    // written before the job completes; neither waits for the other.
    await Promise.all([
      ledger.markSent(jobId, sent.messageId).catch((err: Error) => log.error({ err: err.message }, 'sent, but the sent marker was not written')),
      deps.outbox?.markSent(jobId).catch((err: Error) => log.error({ err: err.message }, 'sent, but the outbox row was not marked')),
    ]);
    count('sent');
    log.info({ messageId: sent.messageId, via: mailer.target }, 'notification sent');
    return { messageId: sent.messageId, duplicate: false };
  };
}

/** `ATS <no-reply@ats.example>` → `ats.example`. */
export function messageIdDomainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'ats.local';
}
