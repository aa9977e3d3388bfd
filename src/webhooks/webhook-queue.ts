import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TraceCarrier } from '../telemetry/trace-context';

/**
 * A job names its delivery only: the notifier reads the payload, URL and secret from SQL when it
 * sends. With tracing on it also carries the W3C context it was queued in.
 */
export interface WebhookJobData extends TraceCarrier {
  deliveryId: string;
}

/** Completed jobs are kept this long: their IDs make a repeated emission a no-op. */
const DEDUPLICATION_WINDOW_SECONDS = 7 * 24 * 3600;

export function webhookJobOptions(retryDelaysMs: readonly number[]): DefaultJobOptions {
  return {
    attempts: retryDelaysMs.length + 1,
    backoff: { type: 'webhook' },
    removeOnComplete: { age: DEDUPLICATION_WINDOW_SECONDS },
    removeOnFail: { age: DEDUPLICATION_WINDOW_SECONDS },
  };
}

/** The delay before the retry that follows attempt `attemptsMade` (BullMQ's custom backoff strategy). */
export function webhookBackoff(retryDelaysMs: readonly number[]) {
  return (attemptsMade: number): number => retryDelaysMs[Math.min(attemptsMade, retryDelaysMs.length) - 1] ?? 0;
}

export function createWebhookQueue(connection: Redis, name: string, retryDelaysMs: readonly number[]): Queue<WebhookJobData> {
  const queue = new Queue<WebhookJobData>(name, { connection, defaultJobOptions: webhookJobOptions(retryDelaysMs) });
  // Errors mirror the connection's own, which its owner logs.
  queue.on('error', () => undefined);
  return queue;
}
