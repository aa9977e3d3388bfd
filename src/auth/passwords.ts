import argon2 from 'argon2';

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

export function createPasswordHasher(concurrency: number): PasswordHasher {
  const limit = semaphore(concurrency);
  let dummyHash: Promise<string> | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => limit(() => argon2.hash(password, OPTIONS)),
    verify: (hash, password) => limit(() => argon2.verify(hash, password).catch(() => false)),
    async verifyDummy(password) {
      dummyHash ??= hasher.hash('dummy-password-for-timing');
      await hasher.verify(await dummyHash, password);
      return false;
    },
  };
  return hasher;
}

function semaphore(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds `max`.
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
