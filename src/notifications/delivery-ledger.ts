import type { Redis } from 'ioredis';
import { DEDUPLICATION_WINDOW_SECONDS } from './notification-queue';

/**
 * The notifier's record of what it handed to SMTP, one key per notification job. It closes the gaps
 * that BullMQ's at-least-once processing leaves open:
 *  - a job that was sent but whose completion was lost (lock expired, Redis blip, crash after the
 *    marker) is processed again and finds `sent`: it completes without sending;
 *  - two workers holding the same job at once (a stalled job recovered while its first worker is
 *    still talking to SMTP) cannot both send: only one wins the `sending` claim.
 * What it cannot close: a crash after the SMTP server accepted the message and before `sent` is
 * written. The claim then expires and the message is sent again, with the same Message-ID.
 * A job with a notification outbox row is guarded by that row's lease in SQL instead, which does the
 * same and survives Redis losing its data; this ledger guards the jobs without one.
 */
export type Claim = { state: 'claimed' } | { state: 'sent'; messageId: string } | { state: 'in-doubt'; retryInMs: number };

export interface DeliveryLedger {
  claim(jobId: string, holder: string): Promise<Claim>;
  markSent(jobId: string, messageId: string): Promise<void>;
  /** Gives the claim back after a send that definitely failed, so the retry need not wait. */
  release(jobId: string, holder: string): Promise<void>;
}

export interface LedgerOptions {
  /** Longer than any one SMTP conversation can last (the mailer's timeouts add up to well under this). */
  claimMs?: number;
  keepSeconds?: number;
}

const SENDING = 'sending ';
const SENT = 'sent ';
const RELEASE_IF_HELD = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

export function ledgerKeyPrefix(queueName: string): string {
  return `ats:notifications:${queueName}:delivery:`;
}

export function createDeliveryLedger(redis: Redis, queueName: string, options: LedgerOptions = {}): DeliveryLedger {
  const claimMs = options.claimMs ?? 120_000;
  const keepSeconds = options.keepSeconds ?? DEDUPLICATION_WINDOW_SECONDS;
  const key = (jobId: string) => ledgerKeyPrefix(queueName) + jobId;
  return {
    async claim(jobId, holder) {
      const k = key(jobId);
      if (await redis.set(k, SENDING + holder, 'PX', claimMs, 'NX')) return { state: 'claimed' };
      const [value, ttl] = await Promise.all([redis.get(k), redis.pttl(k)]);
      if (value?.startsWith(SENT)) return { state: 'sent', messageId: value.slice(SENT.length) };
      // Someone else's claim, or one left by a crash mid-send: wait until it is settled or expires.
      return { state: 'in-doubt', retryInMs: Math.max(ttl, 250) };
    },
    async markSent(jobId, messageId) {
      await redis.set(key(jobId), SENT + messageId, 'EX', keepSeconds);
    },
    async release(jobId, holder) {
      await redis.eval(RELEASE_IF_HELD, 1, key(jobId), SENDING + holder);
    },
  };
}
