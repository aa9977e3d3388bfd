import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../domain/errors';
import { addressKey } from './client-address';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration?: number;
}

/**
 * A Redis limiter that falls back to this process's memory while Redis is unreachable, so limits
 * get weaker during an outage instead of failing every request.
 */
export function insuredLimiter(redis: Redis, options: LimiterOptions): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    ...options,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

/** Keys carry a digest, never an e-mail or address in the clear. */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export interface IpRateLimit {
  /** Counts one request from `ip` (IPv6: its /64); throws TooManyRequestsError once its allowance for the window is spent. */
  take(ip: string): Promise<void>;
}

/** A fixed allowance of requests per client address and window, for unauthenticated writes. */
export function createIpRateLimit(
  redis: Redis,
  options: { keyPrefix: string; points: number; windowSeconds: number; what: string },
): IpRateLimit {
  const limiter = insuredLimiter(redis, { keyPrefix: options.keyPrefix, points: options.points, duration: options.windowSeconds });
  return {
    async take(ip) {
      try {
        await limiter.consume(digest(addressKey(ip)));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new TooManyRequestsError(`Too many ${options.what} from this address; try again in ${retryAfter} s.`, retryAfter);
      }
    },
  };
}
