import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { startStack, type TestStack } from '../support/stack';
import { eventually, startReceiver, type WebhookReceiver, webhookWorkerOf } from '../support/webhook-receiver';
import { createRedis } from '../../src/redis';

/** A receiver that takes `delayMs` to answer each delivery, counting those it holds. */
async function startSlowReceiver(delayMs: number) {
  const state = { received: 0, holding: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    state.received++;
    state.holding++;
    setTimeout(() => {
      state.holding--;
      res.statusCode = 204;
      res.end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One slow receiver must not hold every delivery slot: the other subscribers' deliveries go out meanwhile. */
describe('webhook delivery is fair between subscribers', () => {
  let stack: TestStack;
  let connection: Redis;
  let worker: Worker;
  let fast: WebhookReceiver;
  let slow: Awaited<ReturnType<typeof startSlowReceiver>>;

  beforeAll(async () => {
    // The deployment's default concurrency (10) and request timeout (10 s).
    stack = await startStack({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    connection = createRedis(stack.config.redisUrl, { forWorker: true });
    worker = webhookWorkerOf(stack, connection);
    await worker.waitUntilReady();
    fast = await startReceiver();
    slow = await startSlowReceiver(4_000);
  }, 60_000);
  afterAll(async () => {
    await worker?.close(true);
    connection?.disconnect();
    await fast?.close();
    await slow?.close();
    await stack?.close();
  });

  test("with ten deliveries waiting on a receiver that answers in 4 s, another subscriber's delivery arrives within about a second", async () => {
    const admin = await stack.user('admin');
    const subscribe = async (url: string, events: string[]) => {
      const res = await stack.http('POST', '/api/webhooks', { token: admin.token, body: { url, events } });
      expect(res.status).toBe(201);
    };
    await subscribe(slow.url, ['job.updated']);
    await subscribe(fast.url, ['job.created']);
    const emitter = stack.services.webhooks.emitter;
    for (let i = 0; i < 10; i++)
      await emitter.emit('job.updated', `slow-${i}`, { type: 'job.updated', timestamp: new Date().toISOString(), data: { id: String(i) } });
    await eventually(() => slow.state.holding >= 2, 10_000);

    const sent = Date.now();
    await emitter.emit('job.created', 'fast-1', { type: 'job.created', timestamp: new Date().toISOString(), data: { id: 'fast' } });
    await eventually(() => fast.received.length === 1, 10_000);
    expect(Date.now() - sent).toBeLessThan(1_500);
    // The slow one holds only its share of the slots, and its deliveries still all arrive, each once.
    expect(slow.state.holding).toBeLessThanOrEqual(Math.max(1, Math.floor(stack.config.webhooks.concurrency / 4)));
    await eventually(() => slow.state.received === 10 && slow.state.holding === 0, 60_000);
  }, 90_000);
});
