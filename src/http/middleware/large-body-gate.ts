import type { Context, Middleware } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { TryAgainError } from '../../domain/errors';
import type { Services } from '../../services';
import { authenticate } from './auth';
import { addressKey } from '../../auth/client-address';
import { problem } from '../problem';

export interface LargeBodyGateOptions {
  /** Bodies declared longer than this, or sent without a length (chunked), pass the gate. */
  thresholdBytes: number;
  /** How many such requests one process runs at once. */
  slots: number;
  /** How many of them one client address (IPv6: its /64) may hold; its others wait their turn. */
  slotsPerAddress: number;
  /** How long a request waits for a slot before it is answered 503 `try_again`. */
  waitMs: number;
  /**
   * A body being read in a slot must bring at least this many bytes per second, measured over each `rateWindowMs` (the
   * first one is the grace period), or it is cut off with 408.
   */
  minBytesPerSecond: number;
  rateWindowMs: number;
}

/**
 * The API's gate: bodies over 64 KiB, eight at a time per process and two per address, each waiting
 * at most 10 s and then read at 4 KiB/s or more, judged every 5 s (all bodies up to the 1 MiB limit are still taken).
 */
export const LARGE_BODY_GATE: LargeBodyGateOptions = {
  thresholdBytes: 64 * 1024,
  slots: 8,
  slotsPerAddress: 2,
  waitMs: 10_000,
  minBytesPerSecond: 4 * 1024,
  rateWindowMs: 5_000,
};

/** Checks that can refuse a request before its body is read (authentication, where the route needs it anyway). */
export type BeforeBody = (ctx: Context) => Promise<void>;

/**
 * Bounds the memory request bodies can take. A body is read into memory whole and then parsed, so
 * a few hundred clients each sending a 1 MiB body at once would otherwise hold hundreds of MB.
 * Requests with a large or unknown-length body run `slots` at a time, in arrival order, at most
 * `slotsPerAddress` of them per client; the others wait with their bodies unread, which leaves the
 * bytes in the sockets (Node stops reading a request stream nobody consumes). A body that trickles
 * in is cut off, so slow senders cannot hold the slots. Every other request passes straight through.
 */
export function largeBodyGate(options: Partial<LargeBodyGateOptions> = {}, beforeBody?: BeforeBody): Middleware {
  const { thresholdBytes, slots, slotsPerAddress, waitMs, minBytesPerSecond, rateWindowMs } = { ...LARGE_BODY_GATE, ...options };
  const slotsOf = slotTable(slots, slotsPerAddress);
  return async (ctx, next) => {
    const length = Number(ctx.get('Content-Length') || 0);
    const unknownLength = ctx.get('Transfer-Encoding') !== '';
    if (length <= thresholdBytes && !unknownLength) return next();
    if (beforeBody) await beforeBody(ctx);
    const address = addressKey(ctx.ip);
    if (!(await slotsOf.acquire(address, waitMs)))
      throw new TryAgainError('Too many large requests are being read right now; send it again shortly.');
    if (ctx.req.destroyed) {
      // The client hung up while it waited: no body left to read, nobody to answer, nothing failed here.
      slotsOf.release(address);
      answerClientGone(ctx);
      return;
    }
    const watch = watchRate(ctx, minBytesPerSecond, rateWindowMs);
    try {
      const running = next();
      // Once cut off, the request's reading ends in an error nobody waits for.
      running.catch(() => undefined);
      await Promise.race([running, watch.tooSlow]);
    } catch (err) {
      if (err !== TOO_SLOW) throw err;
      answerTooSlow(ctx);
    } finally {
      watch.stop();
      slotsOf.release(address);
    }
  };
}

const TOO_SLOW = Symbol('body too slow');

/** Rejects with TOO_SLOW when, over a window, fewer bytes than the minimum arrive while the body is being read. */
function watchRate(ctx: Context, minBytesPerSecond: number, windowMs: number): { tooSlow: Promise<never>; stop(): void } {
  const socket = ctx.req.socket;
  let last = socket.bytesRead;
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const now = socket.bytesRead;
      // Only while something reads the body: a handler that runs long after reading it is not slow.
      const reading = !ctx.req.complete && ctx.req.readableFlowing === true;
      if (reading && now - last < (minBytesPerSecond * windowMs) / 1000) reject(TOO_SLOW);
      last = now;
    }, windowMs);
    timer.unref();
  });
  tooSlow.catch(() => undefined);
  return { tooSlow, stop: () => clearInterval(timer) };
}

/** 408, and the connection closed once the answer is out: the rest of the body is never read. */
function answerTooSlow(ctx: Context): void {
  ctx.status = 408;
  ctx.set('Connection', 'close');
  ctx.type = 'application/problem+json';
  ctx.body = {
    ...problem(408, 'body_too_slow', 'The request body arrived too slowly; send it again over a faster connection.'),
    title: 'Request Timeout',
    requestId: ctx.state.requestId,
  };
  const socket = ctx.req.socket;
  // Ended rather than destroyed at once: a reset could overtake the answer still on its way.
  ctx.res.once('finish', () => {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}

/** Recorded (logs, metrics) as the client's doing; the connection is already gone, so nothing is sent. */
function answerClientGone(ctx: Context): void {
  ctx.status = 400;
  ctx.type = 'application/problem+json';
  ctx.body = {
    ...problem(400, 'client_closed_request', 'The client closed the connection before its body was read.'),
    requestId: ctx.state.requestId,
  };
}

/** `slots` in all and `perAddress` per address; waiters are admitted in arrival order, skipping those whose address is at its share. */
function slotTable(slots: number, perAddress: number) {
  let running = 0;
  const held = new Map<string, number>();
  const waiting: { address: string; admit: () => void }[] = [];
  const free = (address: string) => running < slots && (held.get(address) ?? 0) < perAddress;
  const take = (address: string) => {
    running++;
    held.set(address, (held.get(address) ?? 0) + 1);
  };
  return {
    acquire(address: string, waitMs: number): Promise<boolean> {
      if (free(address)) {
        take(address);
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const waiter = {
          address,
          admit: () => {
            clearTimeout(timer);
            resolve(true);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          resolve(false);
        }, waitMs);
        timer.unref();
        waiting.push(waiter);
      });
    },
    release(address: string) {
      running--;
      const count = (held.get(address) ?? 1) - 1;
      if (count) held.set(address, count);
      else held.delete(address);
      for (let i = 0; i < waiting.length && running < slots;) {
        const waiter = waiting[i];
        if (!free(waiter.address)) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        take(waiter.address);
        waiter.admit();
      }
    },
  };
}

/**
 * For routes that need a bearer token anyway (as documented in `registry`), the token is checked
 * before the body is read: an anonymous or forged request is answered 401 without taking a slot.
 */
export function authenticateBeforeBody(services: Services, registry: OpenAPIRegistry): BeforeBody {
  const check = authenticate(services);
  let routes: { method: string; pattern: RegExp }[] | undefined;
  // Read at the first large body, when every route has been registered.
  const needsToken = (ctx: Context) => {
    routes ??= registry.definitions.flatMap((d) => {
      if (d.type !== 'route' || !d.route.security?.length || d.route.security.some((s) => !('bearerAuth' in s))) return [];
      const path = d.route.path
        .split(/\{\w+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+');
      return [{ method: d.route.method.toUpperCase(), pattern: new RegExp(`^${path}/?$`) }];
    });
    return routes.some((r) => r.method === ctx.method && r.pattern.test(ctx.path));
  };
  return async (ctx) => {
    if (needsToken(ctx)) await check(ctx, async () => undefined);
  };
}
