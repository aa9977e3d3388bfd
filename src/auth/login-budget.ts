import type { Redis } from 'ioredis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../domain/errors';
import { addressKey } from './client-address';
import { digest, insuredLimiter } from './rate-limits';

export interface LoginBudgetOptions {
  /** Password verifications, right or wrong, one address (IPv6: its /64) may have per window. */
  perAddress: number;
  /** Successful log-ins one account may have per window. */
  perAccount: number;
  windowSeconds: number;
  /** Namespaces the keys of this deployment in a shared Redis. */
  keyPrefix: string;
}

/** One verification the budget let through. */
export interface BudgetedLogin {
  /** The password was right: the account's success is counted. */
  succeeded(): Promise<void>;
  /** No password was checked after all (the server was busy): the address's verification is returned. */
  abandoned(): Promise<void>;
}

export interface LoginBudget {
  /** Spends one of the address's verifications before any hash is queued; throws TooManyRequestsError when there is none left. */
  take(email: string, ip: string): Promise<BudgetedLogin>;
}

/**
 * Bounds the password checks a client can make, successful ones included, so that a few valid
 * accounts cannot keep the hash queue full. The per-account budget counts only successes: a wrong
 * password never spends it, so nobody can lock out an account whose password they do not know.
 */
export function createLoginBudget(redis: Redis, options: LoginBudgetOptions): LoginBudget {
  const byAddress = insuredLimiter(redis, {
    keyPrefix: `${options.keyPrefix}:ip`,
    points: options.perAddress,
    duration: options.windowSeconds,
  });
  const byAccount = insuredLimiter(redis, {
    keyPrefix: `${options.keyPrefix}:account`,
    points: options.perAccount,
    duration: options.windowSeconds,
  });
  return {
    async take(email, ip) {
      const address = digest(addressKey(ip));
      const account = digest(email);
      const spent = await byAccount.get(account);
      if (spent && spent.consumedPoints >= options.perAccount) throw refusal('log-ins to this account', spent.msBeforeNext);
      try {
        await byAddress.consume(address);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        throw refusal('log-ins from this address', err.msBeforeNext);
      }
      return {
        async succeeded() {
          await byAccount.penalty(account);
        },
        async abandoned() {
          await byAddress.reward(address);
        },
      };
    },
  };
}

function refusal(what: string, msBeforeNext: number): TooManyRequestsError {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new TooManyRequestsError(`Too many ${what}; try again in ${retryAfter} s.`, retryAfter);
}
