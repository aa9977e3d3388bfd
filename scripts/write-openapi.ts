import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { createTokenService } from '../src/auth/tokens';
import { createPasswordHasher } from '../src/auth/passwords';
import { createApp } from '../src/http/app';
import type { Services } from '../src/services';

/**
 * Writes the document `/openapi.json` serves to the file named on the command line, without any
 * engine running: routes only register their schemas when the app is built, so the database and
 * Temporal client are never touched and Redis is never connected to. The web app's client types are
 * generated from this file, so a contract change breaks the web app's build.
 */
async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: write-openapi <file>');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  const unused = new Proxy(
    {},
    {
      get: () => {
        throw new Error('no engine while writing the OpenAPI document');
      },
    },
  );
  const services = {
    config,
    logger: createLogger('silent', 'openapi'),
    // Each request opens an ORM context; serving the document never queries through it.
    orm: {
      em: {
        fork() {
          return this;
        },
      },
    },
    redis,
    temporal: unused,
    // Webhook routes keep the parts of it they use; none is touched until a request comes.
    webhooks: new Proxy({}, { get: () => unused }),
    // The dashboard's metrics name the queue when the app is built, and read it only when scraped.
    notifications: { name: config.notifier.queueName },
    tokens: createTokenService(config.auth.secretKey, config.auth.accessTokenExpireMinutes),
    passwords: createPasswordHasher({ concurrency: 1, maxWaiting: 1 }),
    metrics: createMetrics(),
    close: async () => undefined,
  } as unknown as Services;
  const app = createApp(services);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, await res.text());
  server.close();
  redis.disconnect();
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack);
    process.exit(1);
  },
);
