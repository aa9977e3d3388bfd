import { groupedByTurn } from '../../src/notifications/notification-outbox';

describe('groupedByTurn', () => {
  test('requests of one turn run as one group, answered in order; a later turn is a group of its own', async () => {
    const groups: string[][] = [];
    const upper = groupedByTurn<{ jobId: string }, string>(async (batch) => {
      groups.push(batch.map((b) => b.jobId));
      return batch.map((b) => b.jobId.toUpperCase());
    });
    expect(await Promise.all(['a', 'b', 'c'].map((jobId) => upper({ jobId })))).toEqual(['A', 'B', 'C']);
    expect(await upper({ jobId: 'd' })).toBe('D');
    expect(groups).toEqual([['a', 'b', 'c'], ['d']]);
  });

  test('a job id appears once in a group: a second request for it runs after the first group has answered', async () => {
    const groups: string[][] = [];
    let running = 0;
    const seen = groupedByTurn<{ jobId: string; n: number }, number>(async (batch) => {
      expect(running).toBe(0);
      running++;
      groups.push(batch.map((b) => `${b.jobId}${b.n}`));
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return batch.map((b) => b.n);
    });
    const out = await Promise.all([
      seen({ jobId: 'a', n: 1 }),
      seen({ jobId: 'b', n: 2 }),
      seen({ jobId: 'a', n: 3 }),
      seen({ jobId: 'a', n: 4 }),
      seen({ jobId: 'c', n: 5 }),
    ]);
    expect(out).toEqual([1, 2, 3, 4, 5]);
    expect(groups).toEqual([['a1', 'b2', 'c5'], ['a3'], ['a4']]);
  });

  test('a group that fails fails each of its requests, and the next group still runs', async () => {
    let calls = 0;
    const flaky = groupedByTurn<{ jobId: string }, string>(async (batch) => {
      if (calls++ === 0) throw new Error('database is locked');
      return batch.map((b) => b.jobId);
    });
    const first = await Promise.allSettled([flaky({ jobId: 'a' }), flaky({ jobId: 'b' }), flaky({ jobId: 'a' })]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await flaky({ jobId: 'c' })).toBe('c');
  });

  test('at most 100 requests go in one group', async () => {
    const sizes: number[] = [];
    const count = groupedByTurn<{ jobId: string }, number>(async (batch) => {
      sizes.push(batch.length);
      return batch.map(() => batch.length);
    });
    await Promise.all(Array.from({ length: 250 }, (_, i) => count({ jobId: String(i) })));
    expect(sizes).toEqual([100, 100, 50]);
  });
});
