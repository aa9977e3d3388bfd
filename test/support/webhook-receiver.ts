import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Redis } from 'ioredis';
import { createWebhookWorker, type WebhookWorkerDeps } from '../../src/webhooks/webhook-worker';
import type { TestStack } from './stack';

export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: string;
  payload: any;
}

/**
 * A real HTTP receiver in the test process. `answer` picks each request's status; `verifyWith`
 * checks every delivery's signature with the `standardwebhooks` package, recording failures.
 */
export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedDelivery[];
  verificationFailures: Error[];
  answer: (req: http.IncomingMessage) => number;
  verifyWith(secret: string): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  let verifier: Webhook | undefined;
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    verificationFailures: [],
    answer: () => 204,
    verifyWith(secret) {
      verifier = new Webhook(secret);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      try {
        verifier?.verify(body, headers);
      } catch (err) {
        receiver.verificationFailures.push(err as Error);
      }
      receiver.received.push({ headers, body, payload: JSON.parse(body) });
      res.statusCode = receiver.answer(req);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The notifier's webhook consumer on `connection`, as the stack is configured (its queue, unless `overrides` names another). */
export function webhookWorkerOf(stack: TestStack, connection: Redis, overrides: Partial<WebhookWorkerDeps> = {}) {
  return createWebhookWorker({
    connection,
    orm: stack.services.orm,
    secrets: stack.services.webhooks.secrets,
    logger: stack.services.logger,
    ...stack.config.webhooks,
    ...overrides,
  });
}
