import argon2 from 'argon2';
import { TryAgainError } from '../domain/errors';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): about 20 ms of CPU per hash. Hashing is
 * bounded to a few at once so a burst of log-ins cannot starve the event loop's thread pool.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real verification, for unknown accounts (no user enumeration by timing). */
  verifyDummy(password: string): Promise<false>;
}

export interface HasherLimits {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes of one kind (new hashes, verifications) that may wait; one more answers 503 try_again. */
  maxWaiting: number;
}

/**
 * Verifications (log-ins) go ahead of new hashes (sign-ups, password changes) and each kind has its
 * own bounded queue: a sign-up flood gets 503s of its own and delays a log-in by at most the hashes
 * already running.
 */
export function createPasswordHasher(limits: HasherLimits): PasswordHasher {
  const queue = hashQueue(limits);
  let dummyHash: Promise<string> | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => queue.run('hash', () => argon2.hash(password, OPTIONS)),
    verify: (hash, password) => queue.run('verify', () => argon2.verify(hash, password).catch(() => false)),
    async verifyDummy(password) {
      // Computed outside the queue once: it is no client's work and must never be refused.
      dummyHash ??= argon2.hash('dummy-password-for-timing', OPTIONS);
      await hasher.verify(await dummyHash, password);
      return false;
    },
  };
  return hasher;
}

type Kind = 'verify' | 'hash';

function hashQueue({ concurrency, maxWaiting }: HasherLimits) {
  let active = 0;
  const waiting: Record<Kind, (() => void)[]> = { verify: [], hash: [] };
  const release = () => {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds the bound.
    const next = waiting.verify.shift() ?? waiting.hash.shift();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(kind: Kind, task: () => Promise<T>): Promise<T> {
      if (active < concurrency) active++;
      else if (waiting[kind].length >= maxWaiting) throw new TryAgainError('The server is busy checking passwords; try again shortly.', 1);
      else await new Promise<void>((resolve) => waiting[kind].push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
