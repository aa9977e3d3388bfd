import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Every value of every key of a BullMQ queue, raw from Redis (job hashes in any state, its event stream): what erasure must leave clean. */
export async function queueDump(redis: Redis, queue: Queue): Promise<string> {
  const values: string[] = [];
  for await (const keys of redis.scanStream({ match: `${queue.toKey('')}*`, count: 500 })) {
    for (const key of keys as string[]) {
      const type = await redis.type(key);
      if (type === 'hash') values.push(JSON.stringify(await redis.hgetall(key)));
      if (type === 'string') values.push(String(await redis.get(key)));
      if (type === 'stream') values.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  }
  return values.join('\n');
}
