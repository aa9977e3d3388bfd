import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../domain/errors';

/**
 * One address may fail this many times the per-account allowance: enough for a shared office or
 * NAT, far too few for credential stuffing across many accounts.
 */
export const IP_ALLOWANCE_FACTOR = 10;

export interface LoginThrottleOptions {
  maxFailures: number;
  blockSeconds: number;
  /** Namespaces the keys of this deployment in a shared Redis. */
  keyPrefix: string;
}

export interface LoginThrottle {
  /** Throws TooManyRequestsError while the e-mail or the address is blocked. */
  assertAllowed(email: string, ip: string): Promise<void>;
  recordFailure(email: string, ip: string): Promise<void>;
  /** A successful log-in clears the account's failures (not the address's). */
  recordSuccess(email: string): Promise<void>;
}

/**
 * Counts failed log-ins per e-mail and per client address in Redis. If Redis is unreachable the
 * counts live in this process's memory instead: throttling gets weaker, log-ins keep working.
 */
export function createLoginThrottle(redis: Redis, options: LoginThrottleOptions): LoginThrottle {
  const byEmail = limiter(redis, `${options.keyPrefix}:email`, options.maxFailures, options.blockSeconds);
  const byIp = limiter(redis, `${options.keyPrefix}:ip`, options.maxFailures * IP_ALLOWANCE_FACTOR, options.blockSeconds);
  // Redis keys carry a digest, not the address itself.
  const emailKey = (email: string) => createHash('sha256').update(email).digest('base64url');

  return {
    async assertAllowed(email, ip) {
      const [e, i] = await Promise.all([byEmail.get(emailKey(email)), byIp.get(ip)]);
      const waitMs = Math.max(blockedFor(e, byEmail.points), blockedFor(i, byIp.points));
      if (waitMs > 0) {
        const retryAfter = Math.ceil(waitMs / 1000);
        throw new TooManyRequestsError(`Too many failed log-ins; try again in ${retryAfter} s.`, retryAfter);
      }
    },
    async recordFailure(email, ip) {
      await Promise.all([countFailure(byEmail, emailKey(email), options.blockSeconds), countFailure(byIp, ip, options.blockSeconds)]);
    },
    async recordSuccess(email) {
      await byEmail.delete(emailKey(email));
    },
  };
}

function blockedFor(res: RateLimiterRes | null, points: number): number {
  return res && res.consumedPoints >= points ? res.msBeforeNext : 0;
}

function limiter(redis: Redis, keyPrefix: string, points: number, seconds: number): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration: seconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: seconds }),
  });
}

/** The failure that uses up the allowance starts a full block, however old the first failure is. */
async function countFailure(rl: RateLimiterRedis, key: string, blockSeconds: number): Promise<void> {
  try {
    const res = await rl.consume(key);
    if (res.consumedPoints >= rl.points) await rl.block(key, blockSeconds);
  } catch (err) {
    // Already over the allowance: the key stays blocked, nothing more to count.
    if (!(err instanceof RateLimiterRes)) throw err;
  }
}
