import { Context } from '@temporalio/activity';

/** How often a running activity tells the server it is alive (the SDK throttles what it sends). */
const BEAT_MS = 1_000;

/**
 * Runs `work`, heartbeating while it runs. A worker that dies holding the activity (killed, or
 * stopped past its shutdown grace) is then noticed by the server within its heartbeat timeout
 * (workflows/recording-options.ts), not its start-to-close timeout, and the activity is tried again
 * on a live worker. Work that ends within a second sends no heartbeat at all.
 */
export async function keptAlive<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), BEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
