import type { Redis } from 'ioredis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../domain/errors';
import { addressKey } from './client-address';
import { digest, insuredLimiter } from './rate-limits';

/**
 * One address may fail this many times the per-account allowance: enough for a shared office or
 * NAT, far too few for credential stuffing across many accounts.
 */
/** The shortest span over which failed log-ins add up, whatever the block's length. */
const MIN_FAILURE_WINDOW_SECONDS = 60;

export const IP_ALLOWANCE_FACTOR = 10;
/** Blocks of one e-mail and address double each time, up to a day. */
const MAX_BLOCK_SECONDS = 24 * 3600;
/** How long earlier blocks count towards the next one's length. */
const STRIKE_MEMORY_SECONDS = 24 * 3600;

export interface LoginThrottleOptions {
  maxFailures: number;
  blockSeconds: number;
  /** Namespaces the keys of this deployment in a shared Redis. */
  keyPrefix: string;
}

/** A log-in attempt that holds one failure point of its e-mail+address pair and of its address. */
export interface LoginAttempt {
  /** The password was right: the pair's failures and earlier blocks are forgiven, the address's point is returned. */
  succeeded(): Promise<void>;
  /** The attempt ended without a verdict (e.g. the server was busy): both points are returned. */
  abandoned(): Promise<void>;
}

export interface LoginThrottle {
  /**
   * Takes a failure point before the password is checked, atomically in Redis, so parallel attempts
   * cannot all pass a check made before any of them failed. Throws TooManyRequestsError when the
   * pair or the address has none left.
   */
  reserve(email: string, ip: string): Promise<LoginAttempt>;
}

/**
 * Counts failed log-ins per (e-mail, address) pair and per address. There is deliberately no
 * count per e-mail alone: it would let anyone lock any account, an admin's included, by failing on
 * purpose; the owner signing in from another address is never held up by an attacker's failures.
 * If Redis is unreachable the counts live in this process's memory: throttling gets weaker,
 * log-ins keep working.
 */
export function createLoginThrottle(redis: Redis, options: LoginThrottleOptions): LoginThrottle {
  const { maxFailures, blockSeconds, keyPrefix } = options;
  // Failures count over at least a minute, so a short block does not also shorten the window in
  // which slow, spaced-out guesses add up.
  const window = Math.max(blockSeconds, MIN_FAILURE_WINDOW_SECONDS);
  const byPair = insuredLimiter(redis, {
    keyPrefix: `${keyPrefix}:pair`,
    points: maxFailures,
    duration: window,
    blockDuration: blockSeconds,
  });
  const byIp = insuredLimiter(redis, {
    keyPrefix: `${keyPrefix}:ip`,
    points: maxFailures * IP_ALLOWANCE_FACTOR,
    duration: window,
    blockDuration: blockSeconds,
  });
  const strikes = insuredLimiter(redis, {
    keyPrefix: `${keyPrefix}:strikes`,
    points: Number.MAX_SAFE_INTEGER,
    duration: STRIKE_MEMORY_SECONDS,
  });

  return {
    async reserve(email, ip) {
      // Redis keys carry digests, never the e-mail or the address itself; IPv6 counts by its /64.
      const client = addressKey(ip);
      const pair = digest(`${email}\n${client}`);
      const address = digest(client);
      try {
        await byPair.consume(pair);
      } catch (err) {
        throw await refusal(err, () => progressiveBlock(pair, err as RateLimiterRes));
      }
      try {
        await byIp.consume(address);
      } catch (err) {
        await byPair.reward(pair);
        throw await refusal(err);
      }
      return {
        async succeeded() {
          await Promise.all([byPair.delete(pair), strikes.delete(pair), byIp.reward(address)]);
        },
        async abandoned() {
          await Promise.all([byPair.reward(pair), byIp.reward(address)]);
        },
      };
    },
  };

  /**
   * Only the attempt that crossed the allowance sees exactly one point too many (Redis counts
   * atomically), so each block is lengthened once: base × 2^(earlier blocks in the last day).
   */
  async function progressiveBlock(pair: string, res: RateLimiterRes): Promise<number> {
    if (res.consumedPoints !== maxFailures + 1) return res.msBeforeNext;
    const earlier = (await strikes.penalty(pair)).consumedPoints - 1;
    if (earlier === 0) return res.msBeforeNext;
    const seconds = Math.min(blockSeconds * 2 ** earlier, MAX_BLOCK_SECONDS);
    await byPair.block(pair, seconds);
    return seconds * 1000;
  }
}

async function refusal(err: unknown, waitMs?: () => Promise<number>): Promise<Error> {
  if (!(err instanceof RateLimiterRes)) return err as Error;
  const retryAfter = Math.max(1, Math.ceil((waitMs ? await waitMs() : err.msBeforeNext) / 1000));
  return new TooManyRequestsError(`Too many failed log-ins; try again in ${retryAfter} s.`, retryAfter);
}
