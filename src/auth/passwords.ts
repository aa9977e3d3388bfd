import argon2 from 'argon2';
import { TooManyRequestsError, TryAgainError } from '../domain/errors';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): about 20 ms of CPU per hash. Hashing is
 * bounded to a few at once so a burst of log-ins cannot starve the event loop's thread pool.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** Verifications one client may have waiting: a burst from one address cannot fill the line. */
export const MAX_WAITING_PER_CLIENT = 4;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** `client`: who asks (the address key), so the waiting line is shared fairly between clients. */
  verify(hash: string, password: string, client?: string): Promise<boolean>;
  /** Spends the same time as a real verification, for unknown accounts (no user enumeration by timing). */
  verifyDummy(password: string, client?: string): Promise<false>;
}

export interface HasherLimits {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes of one kind (new hashes, verifications) that may wait; one more answers 503 try_again. */
  maxWaiting: number;
  /** Of those, how many one named client may hold; one more answers 429. */
  maxWaitingPerClient?: number;
}

/**
 * Verifications (log-ins) go ahead of new hashes (sign-ups, password changes) and each kind has its
 * own bounded queue: a sign-up flood gets 503s of its own and delays a log-in by at most the hashes
 * already running. Within a kind, waiting clients take turns.
 */
export function createPasswordHasher(limits: HasherLimits): PasswordHasher {
  const queue = hashQueue(limits);
  let dummyHash: Promise<string> | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => queue.run('hash', () => argon2.hash(password, OPTIONS)),
    verify: (hash, password, client) => queue.run('verify', () => argon2.verify(hash, password).catch(() => false), client),
    async verifyDummy(password, client) {
      // Computed outside the queue once: it is no client's work and must never be refused.
      dummyHash ??= argon2.hash('dummy-password-for-timing', OPTIONS);
      await hasher.verify(await dummyHash, password, client);
      return false;
    },
  };
  return hasher;
}

type Kind = 'verify' | 'hash';

function hashQueue({ concurrency, maxWaiting, maxWaitingPerClient = MAX_WAITING_PER_CLIENT }: HasherLimits) {
  let active = 0;
  const lines: Record<Kind, FairLine> = {
    verify: fairLine(maxWaiting, maxWaitingPerClient),
    hash: fairLine(maxWaiting, maxWaitingPerClient),
  };
  const release = () => {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds the bound.
    const next = lines.verify.next() ?? lines.hash.next();
    if (next) next();
    else active--;
  };
  return {
    async run<T>(kind: Kind, task: () => Promise<T>, client?: string): Promise<T> {
      if (active < concurrency) active++;
      else await lines[kind].wait(client);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

interface FairLine {
  /** Resolves when this waiter's turn comes; throws at once when the line (or the client's share of it) is full. */
  wait(client?: string): Promise<void>;
  /** The next waiter to run, taking clients round-robin, or undefined. */
  next(): (() => void) | undefined;
}

/** Waiters grouped by client and served one client at a time in turn, so a burst waits behind one turn of every other client. */
function fairLine(max: number, perClient: number): FairLine {
  const byClient = new Map<string, (() => void)[]>();
  let size = 0;
  return {
    wait(client) {
      const key = client ?? '';
      const mine = byClient.get(key) ?? [];
      if (size >= max) throw new TryAgainError('The server is busy checking passwords; try again shortly.', 1);
      // Work with no client named (an operator's command) only has the line's own bound.
      if (client !== undefined && mine.length >= perClient)
        throw new TooManyRequestsError('Too many passwords from this address are waiting to be checked; try again shortly.', 1);
      size++;
      byClient.set(key, mine);
      return new Promise<void>((resolve) => mine.push(resolve));
    },
    next() {
      const first = byClient.entries().next();
      if (first.done) return undefined;
      const [key, waiters] = first.value;
      const resolve = waiters.shift()!;
      // To the back of the round, if it has more waiting.
      byClient.delete(key);
      if (waiters.length) byClient.set(key, waiters);
      size--;
      return resolve;
    },
  };
}
