import type { Redis } from 'ioredis';

/**
 * Delivery outcomes counted in Redis, so that any API replica can report what every notifier did
 * (notifiers serve no HTTP of their own). Monotonic, like Prometheus counters.
 */
export const DELIVERY_OUTCOMES = [
  'sent',
  'duplicate_skipped',
  'retry_scheduled',
  'in_doubt_delayed',
  'failed_permanent',
  'failed_exhausted',
] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface DeliveryStats {
  record(outcome: DeliveryOutcome): Promise<void>;
  read(): Promise<Record<DeliveryOutcome, number>>;
}

export function deliveryStatsKey(queueName: string): string {
  return `ats:notifications:${queueName}:outcomes`;
}

export function createDeliveryStats(redis: Redis, queueName: string): DeliveryStats {
  const key = deliveryStatsKey(queueName);
  return {
    async record(outcome) {
      await redis.hincrby(key, outcome, 1);
    },
    async read() {
      const raw = await redis.hgetall(key);
      return Object.fromEntries(DELIVERY_OUTCOMES.map((o) => [o, Number(raw[o] ?? 0)])) as Record<DeliveryOutcome, number>;
    },
  };
}
