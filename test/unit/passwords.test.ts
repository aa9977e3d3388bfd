import { createPasswordHasher } from '../../src/auth/passwords';
import { TooManyRequestsError, TryAgainError } from '../../src/domain/errors';

/** Real argon2id hashes (about 20 ms each), one at a time, so the queue's order and bound show. */
describe('password hashing queue', () => {
  test('beyond the waiting bound a hash is refused with TryAgainError at once, and nothing is left waiting forever', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 3 });
    const accepted = Array.from({ length: 4 }, (_, i) => hasher.hash(`password-${i}`));
    const started = performance.now();
    const refused = await hasher.hash('one-too-many').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(TryAgainError);
    expect((refused as TryAgainError).retryAfterSeconds).toBeGreaterThan(0);
    // Refused without waiting for the four queued hashes (80 ms or more at one at a time), with room for a busy machine.
    expect(performance.now() - started).toBeLessThan(50);
    const hashes = await Promise.all(accepted);
    expect(hashes.every((h) => h.startsWith('$argon2id$'))).toBe(true);
    expect(await hasher.hash('room-again')).toMatch(/^\$argon2id\$/);
  });

  test('a verification waiting behind queued new hashes goes first', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 10 });
    const stored = await hasher.hash('right-password');
    const order: string[] = [];
    const hashes = Array.from({ length: 5 }, (_, i) => hasher.hash(`flood-${i}`).then(() => order.push(`hash${i}`)));
    const verified = hasher.verify(stored, 'right-password').then((ok) => {
      order.push('verify');
      return ok;
    });
    await Promise.all([...hashes, verified]);
    expect(await verified).toBe(true);
    // Only the hash already running when the verification arrived finishes before it.
    expect(order.indexOf('verify')).toBe(1);
  });

  test('verifications have their own bound', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 2 });
    const stored = await hasher.hash('pw-123456');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => hasher.verify(stored, 'pw-123456')));
    expect(results.filter((r) => r.status === 'fulfilled' && r.value === true)).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof TryAgainError)).toHaveLength(3);
  });
});

describe('the verification line between clients', () => {
  test('one client holds at most its share of the line (429); other clients still find room', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 10, maxWaitingPerClient: 2 });
    const stored = await hasher.hash('pw-123456');
    const flood = await Promise.allSettled(Array.from({ length: 8 }, () => hasher.verify(stored, 'pw-123456', 'flooder')));
    // One running and two waiting; the other five refused at once as the client's own excess.
    expect(flood.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = flood.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason).toBeInstanceOf(TooManyRequestsError);
  });

  test('waiting clients take turns: a burst from one waits behind one turn of each other client', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 20, maxWaitingPerClient: 10 });
    const stored = await hasher.hash('pw-123456');
    const order: string[] = [];
    const run = (client: string) => hasher.verify(stored, 'pw-123456', client).then(() => order.push(client));
    const all = [run('first'), ...Array.from({ length: 5 }, () => run('burst')), run('a'), run('b'), run('c')];
    await Promise.all(all);
    // `first` ran at once; then the line went round: burst, a, b, c, and the burst's rest.
    expect(order).toEqual(['first', 'burst', 'a', 'b', 'c', 'burst', 'burst', 'burst', 'burst']);
  });

  test("unnamed work (sign-ups, operators) has only the line's own bound", async () => {
    const hasher = createPasswordHasher({ concurrency: 1, maxWaiting: 5, maxWaitingPerClient: 1 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => hasher.hash(`password-${i}`)));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
