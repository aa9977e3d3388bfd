import type { EntityManager } from '@mikro-orm/sql';
import type { WebhookEvent } from './webhook-events';

/** A subscription as the API shows it (never the secret). */
export interface WebhookSubscription {
  id: string;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface StoredSubscription extends WebhookSubscription {
  sealedSecret: string;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';
export interface WebhookDelivery {
  id: string;
  event: WebhookEvent;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastAttemptAt: string | null;
  createdAt: string;
}
export interface StoredDelivery extends WebhookDelivery {
  subscriptionId: string;
  payload: string;
}

interface SubscriptionRow {
  id: string;
  url: string;
  events: string;
  active: number | boolean;
  secret: string;
  created_at: string;
  updated_at: string;
}
interface DeliveryRow {
  id: string;
  subscription_id: string;
  event: string;
  payload: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_attempt_at: string | null;
  created_at: string;
}

const toSubscription = (r: SubscriptionRow): StoredSubscription => ({
  id: r.id,
  url: r.url,
  events: JSON.parse(r.events) as WebhookEvent[],
  active: Boolean(Number(r.active)),
  sealedSecret: r.secret,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toDelivery = (r: DeliveryRow): StoredDelivery => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  event: r.event as WebhookEvent,
  payload: r.payload,
  status: r.status as DeliveryStatus,
  attempts: Number(r.attempts),
  lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
  lastAttemptAt: r.last_attempt_at,
  createdAt: r.created_at,
});

// Through the entity manager, so that inside a transaction the statements are part of it.
const run = (em: EntityManager, sql: string, params: unknown[]) => em.execute<{ affectedRows: number }>(sql, params, 'run');
const all = <T>(em: EntityManager, sql: string, params: unknown[]) => em.execute<T[]>(sql, params, 'all');

export async function insertSubscription(em: EntityManager, s: StoredSubscription, createdBy: number): Promise<void> {
  await run(
    em,
    'insert into webhook_subscriptions (id, url, events, active, secret, created_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    [s.id, s.url, JSON.stringify(s.events), s.active ? 1 : 0, s.sealedSecret, createdBy, s.createdAt, s.updatedAt],
  );
}

export async function findSubscription(em: EntityManager, id: string): Promise<StoredSubscription | null> {
  const [row] = await all<SubscriptionRow>(em, 'select * from webhook_subscriptions where id = ?', [id]);
  return row ? toSubscription(row) : null;
}

export async function listSubscriptions(em: EntityManager): Promise<StoredSubscription[]> {
  return (await all<SubscriptionRow>(em, 'select * from webhook_subscriptions order by created_at, id', [])).map(toSubscription);
}

/** Every active subscription, whatever its events (few per deployment: each emission filters them by event). */
export async function activeSubscriptions(em: EntityManager): Promise<StoredSubscription[]> {
  return (await all<SubscriptionRow>(em, 'select * from webhook_subscriptions where active = 1', [])).map(toSubscription);
}

export async function updateSubscription(
  em: EntityManager,
  id: string,
  changes: { url?: string; events?: WebhookEvent[]; active?: boolean; sealedSecret?: string },
): Promise<boolean> {
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [new Date().toISOString()];
  if (changes.url !== undefined) {
    sets.push('url = ?');
    params.push(changes.url);
  }
  if (changes.events !== undefined) {
    sets.push('events = ?');
    params.push(JSON.stringify(changes.events));
  }
  if (changes.active !== undefined) {
    sets.push('active = ?');
    params.push(changes.active ? 1 : 0);
  }
  if (changes.sealedSecret !== undefined) {
    sets.push('secret = ?');
    params.push(changes.sealedSecret);
  }
  const result = await run(em, `update webhook_subscriptions set ${sets.join(', ')} where id = ?`, [...params, id]);
  return result.affectedRows > 0;
}

export async function deleteSubscription(em: EntityManager, id: string): Promise<boolean> {
  await run(em, 'delete from webhook_deliveries where subscription_id = ?', [id]);
  return (await run(em, 'delete from webhook_subscriptions where id = ?', [id])).affectedRows > 0;
}

/** Inserts the delivery unless its id is already there (an emission repeated by a retry). */
export async function insertDelivery(
  em: EntityManager,
  d: { id: string; subscriptionId: string; event: WebhookEvent; payload: string; subject?: string },
): Promise<void> {
  await run(
    em,
    'insert into webhook_deliveries (id, subscription_id, subject, event, payload, status, attempts, created_at) values (?, ?, ?, ?, ?, ?, 0, ?) on conflict (id) do nothing',
    [d.id, d.subscriptionId, d.subject ?? null, d.event, d.payload, 'pending', new Date().toISOString()],
  );
}

export async function findDelivery(em: EntityManager, id: string): Promise<StoredDelivery | null> {
  const [row] = await all<DeliveryRow>(em, 'select * from webhook_deliveries where id = ?', [id]);
  return row ? toDelivery(row) : null;
}

/** The newest deliveries of a subscription first. */
export async function listDeliveries(em: EntityManager, subscriptionId: string, limit: number): Promise<StoredDelivery[]> {
  return (
    await all<DeliveryRow>(em, 'select * from webhook_deliveries where subscription_id = ? order by created_at desc, id desc limit ?', [
      subscriptionId,
      limit,
    ])
  ).map(toDelivery);
}

export async function recordAttempt(em: EntityManager, id: string, status: DeliveryStatus, statusCode: number | null): Promise<void> {
  await run(
    em,
    'update webhook_deliveries set status = ?, attempts = attempts + 1, last_status_code = ?, last_attempt_at = ? where id = ?',
    [status, statusCode, new Date().toISOString(), id],
  );
}

export async function markPending(em: EntityManager, id: string): Promise<void> {
  await run(em, 'update webhook_deliveries set status = ? where id = ?', ['pending', id]);
}
