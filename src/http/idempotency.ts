import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'koa';
import type { Redis } from 'ioredis';
import type { Services } from '../services';
import type { Config } from '../config';
import { ConflictError, InvalidInputError, TryAgainError, UnprocessableError } from '../domain/errors';
import { parseApplicationId } from '../domain/ids';

/** Keys are opaque to the server: printable ASCII, as the IETF draft's examples and Stripe's keys are. */
const KEY = /^[\x21-\x7e]{1,255}$/;
const ANSWER_TTL_SECONDS = 24 * 3600;
const POLL_MS = 25;

/** Where this deployment keeps idempotency records: under its own prefix, as every other key of ours. */
export const idempotencyPrefix = (config: Config) => `ats:${config.notifier.queueName}:idempotency:`;
const storeKeyOf = (config: Config, userId: number, key: string) => `${idempotencyPrefix(config)}${userId}:${key}`;
/** The records whose stored answer shows an application of this candidate, so an erasure finds them. */
const aboutCandidateKey = (config: Config, candidateId: string) => `${idempotencyPrefix(config)}about-candidate:${candidateId}`;

interface Running {
  fingerprint: string;
  state: 'running';
}
interface Done {
  fingerprint: string;
  state: 'done';
  status: number;
  type: string;
  body: string;
  location?: string;
}

/**
 * Stripe's semantics for `Idempotency-Key`, kept in Redis per user for 24 hours: the first request
 * with a key runs and its answer is stored; the same key and request again gets that answer with
 * `Idempotent-Replayed: true`; the same key with another request is a 422. A duplicate arriving
 * while the first still runs waits for its answer (up to the request deadline), then 409.
 * Only successful answers are stored: after an error the key is free and a retry runs again.
 * Without the header nothing here touches Redis. A replay is answered after the route's guard and
 * role check have passed for the caller as they are now (see `guard` on the routes), so someone
 * who lost access gets the 404 or 403 a fresh request would.
 */
export async function withIdempotency(ctx: Context, services: Services, run: () => Promise<void>): Promise<void> {
  // Absent: no idempotency. Present but empty (or anything else off the pattern): refused, as documented.
  if (ctx.headers['idempotency-key'] === undefined) return run();
  const key = ctx.get('Idempotency-Key');
  if (!KEY.test(key))
    throw new InvalidInputError('Idempotency-Key', 'The Idempotency-Key header takes 1 to 255 printable ASCII characters.');
  const { redis, config } = services;
  const storeKey = storeKeyOf(config, (ctx.state.user as { id: number }).id, key);
  const fingerprint = createHash('sha256')
    .update(`${ctx.method} ${ctx.path}\n${JSON.stringify(ctx.request.body ?? null)}`)
    .digest('hex');
  // A crashed first request must not hold its key for a day: "running" lapses after the request deadline.
  const runningTtlMs = config.temporal.requestTimeoutMs * 2;
  const deadline = Date.now() + config.temporal.requestTimeoutMs;

  for (;;) {
    const claimed = await unlessRedisDown(() =>
      redis.set(storeKey, JSON.stringify({ fingerprint, state: 'running' } satisfies Running), 'PX', runningTtlMs, 'NX'),
    );
    if (claimed === 'OK') break;
    const stored = await unlessRedisDown(() => redis.get(storeKey));
    if (stored === null) continue;
    const record = JSON.parse(stored) as Running | Done;
    if (record.fingerprint !== fingerprint) {
      throw new UnprocessableError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with another request; use a new key for a new request.',
      );
    }
    if (record.state === 'done') return replay(ctx, record);
    if (Date.now() >= deadline)
      throw new ConflictError('idempotency_key_in_use', 'A request with this Idempotency-Key is still running; send it again shortly.');
    await sleep(POLL_MS);
  }

  ctx.state.idempotencyKey = key;
  try {
    await run();
  } catch (err) {
    await redis.del(storeKey).catch(() => undefined);
    throw err;
  }
  const done: Done = {
    fingerprint,
    state: 'done',
    status: ctx.status,
    type: ctx.response.type || 'application/json',
    body: ctx.body === undefined || ctx.body === null ? '' : JSON.stringify(ctx.body),
    location: ctx.response.get('Location') || undefined,
  };
  const about = candidateOf(ctx.body);
  const stored = redis.multi().set(storeKey, JSON.stringify(done), 'EX', ANSWER_TTL_SECONDS);
  if (about) stored.sadd(aboutCandidateKey(config, about), storeKey).expire(aboutCandidateKey(config, about), ANSWER_TTL_SECONDS);
  await stored
    .exec()
    .catch((err: Error) => services.logger.warn({ err: err.message }, 'idempotent answer not stored; a retry with this key runs again'));
}

/**
 * The candidate an answer is about, if any: an `application` carries `candidateId`; a note carries
 * its `applicationId`, whose id names the candidate.
 */
function candidateOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { candidateId: id, applicationId } = body as { candidateId?: unknown; applicationId?: unknown };
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  return typeof applicationId === 'string' ? parseApplicationId(applicationId)?.candidateId : undefined;
}

/**
 * Erasure: deletes the person's own records (every key they sent) and everyone's records whose
 * stored answer shows one of their applications. Returns how many records went.
 */
export async function forgetIdempotentAnswers(redis: Redis, config: Config, userId: number): Promise<number> {
  const index = aboutCandidateKey(config, String(userId));
  const keys = new Set(await redis.smembers(index));
  const own = redis.scanStream({ match: `${globEscape(idempotencyPrefix(config))}${userId}:*`, count: 500 });
  for await (const batch of own) for (const k of batch as string[]) keys.add(k);
  if (keys.size) await redis.del(...keys);
  await redis.del(index);
  return keys.size;
}

const globEscape = (text: string) => text.replace(/[*?[\\\]]/g, '\\$&');

function replay(ctx: Context, record: Done): void {
  ctx.status = record.status;
  if (record.location) ctx.set('Location', record.location);
  ctx.set('Idempotent-Replayed', 'true');
  if (record.body) {
    ctx.type = record.type;
    ctx.body = record.body;
  }
}

async function unlessRedisDown<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw new TryAgainError(
      'Idempotency keys cannot be checked right now; send the request again shortly (or without Idempotency-Key).',
      5,
    );
  }
}

/** The Temporal update ID of a workflow message sent under `key`, so Temporal deduplicates a retried one itself. */
export function updateIdOf(ctx: Context): string | undefined {
  const key = ctx.state.idempotencyKey as string | undefined;
  return key && `idempotency-${(ctx.state.user as { id: number }).id}-${key}`;
}
