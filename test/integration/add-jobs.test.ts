import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createRedis } from '../../src/redis';
import { addJobs } from '../../src/notifications/add-jobs';
import { DEFAULT_JOB_OPTIONS } from '../../src/notifications/notification-queue';

/** `addJobs` against the suite's real Redis: one `add` each for a few jobs, one pipeline for many. */
describe('addJobs', () => {
  const redis = createRedis(process.env.ATS_TEST_REDIS_URL!);
  const queue = new Queue<{ n: number }>(`add-jobs-${randomUUID()}`, { connection: redis, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  test.each([1, 2, 8, 20])(
    "%i jobs: each queued once under its id, with the queue's default options; adding them again is a no-op",
    async (count) => {
      const ids: string[] = Array.from({ length: count }, () => randomUUID());
      const jobs = ids.map((id, n) => ({ name: 'note', data: { n }, opts: { jobId: id } }));
      await addJobs(queue, jobs);
      await addJobs(queue, jobs);
      const stored = await Promise.all(ids.map((id) => queue.getJob(id)));
      expect(stored.map((job) => job?.data.n)).toEqual(ids.map((_, n) => n));
      for (const job of stored)
        expect(job?.opts).toMatchObject({ attempts: DEFAULT_JOB_OPTIONS.attempts, backoff: DEFAULT_JOB_OPTIONS.backoff });
      const waiting = await queue.getWaiting(0, -1);
      expect(waiting.filter((job) => ids.includes(job.id!))).toHaveLength(count);
    },
  );
});
