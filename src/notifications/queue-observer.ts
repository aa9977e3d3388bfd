import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Metrics } from '../metrics';
import { createDeliveryStats } from './delivery-stats';

export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** Puts the queue's depth and the notifiers' delivery outcomes into this process's `/metrics`. */
export function observeQueue(metrics: Metrics, queue: Queue, redis: Redis): void {
  const stats = createDeliveryStats(redis, queue.name);
  metrics.watchQueue(queue.name, async () => {
    const [depth, outcomes] = await Promise.all([queue.getJobCounts(...DEPTH_STATES), stats.read()]);
    return { depth, outcomes };
  });
}
