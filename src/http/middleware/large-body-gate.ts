import type { Middleware } from 'koa';
import { TryAgainError } from '../../domain/errors';

export interface LargeBodyGateOptions {
  /** Bodies declared longer than this, or sent without a length (chunked), pass the gate. */
  thresholdBytes: number;
  /** How many such requests one process runs at once. */
  slots: number;
  /** How long a request waits for a slot before it is answered 503 `try_again`. */
  waitMs: number;
}

/** The API's gate: bodies over 64 KiB, eight at a time per process, each waiting at most 10 s (all bodies up to the 1 MiB limit are still taken). */
export const LARGE_BODY_GATE: LargeBodyGateOptions = { thresholdBytes: 64 * 1024, slots: 8, waitMs: 10_000 };

/**
 * Bounds the memory request bodies can take. A body is read into memory whole and then parsed, so
 * a few hundred clients each sending a 1 MiB body at once (no account needed: bodies are read
 * before authentication) would otherwise hold hundreds of MB. Requests with a large or unknown-length
 * body run `slots` at a time, in arrival order; the others wait with their bodies unread, which
 * leaves the bytes in the sockets (Node stops reading a request stream nobody consumes). Every other
 * request passes straight through.
 */
export function largeBodyGate({ thresholdBytes, slots, waitMs }: LargeBodyGateOptions = LARGE_BODY_GATE): Middleware {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const acquire = (): Promise<boolean> => {
    if (running < slots) {
      running++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      // A slot handed over keeps `running` as it is: the releaser's slot becomes this request's.
      const admit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(admit), 1);
        resolve(false);
      }, waitMs);
      waiting.push(admit);
    });
  };
  return async (ctx, next) => {
    const length = Number(ctx.get('Content-Length') || 0);
    const unknownLength = ctx.get('Transfer-Encoding') !== '';
    if (length <= thresholdBytes && !unknownLength) return next();
    if (!(await acquire())) throw new TryAgainError('Too many large requests are being read right now; send it again shortly.');
    try {
      await next();
    } finally {
      release();
    }
  };
}
