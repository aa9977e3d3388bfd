import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { Services } from '../../src/services';
import { createServices } from '../../src/main/services';
import { createRedis } from '../../src/redis';
import { createApp } from '../../src/http/app';
import { answerClientErrors } from '../../src/http/client-errors';
import { startTransitionSweeper } from '../../src/applications/transition-recording';
import { migrateUp } from '../../src/db/orm';
import { dialectOf } from '../../src/db/dialect';
import { createDatabase, dropDatabase } from './postgres-server';
import { UserSchema, type Role, type User } from '../../src/db/entities/user.entity';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createApplicationWorker } from '../../src/main/application-worker';

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}
export interface RequestOptions {
  token?: string;
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  raw?: string;
}

export interface TestStack {
  config: Config;
  services: Services;
  url: string;
  dir: string;
  http<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResult<T>>;
  /** A user inserted directly (no HTTP), with a fresh token. */
  user(
    role: Role,
    overrides?: { email?: string; password?: string; fullName?: string },
  ): Promise<{ user: User; token: string; password: string }>;
  /** The in-process application worker, when the stack was started with one. */
  worker?: Worker;
  close(): Promise<void>;
}

export interface StackOptions {
  /**
   * Run an application worker in this process on the stack's own task queue. Pass a bundle built
   * once per test file (`bundleWorkflowCode`) to skip webpack on every stack.
   */
  worker?: boolean | { workflowBundle?: WorkflowBundleOption };
}

/** The tests' SECRET_KEY: the replay test verifies the recorded histories' signatures with it. */
export const TEST_SECRET_KEY = 'test-secret-key-that-is-long-enough-for-hs256-0123456789';

/** The tests' payload keys: fixed, so recorded histories decrypt; `test-1` encrypts. */
export const TEST_PAYLOAD_KEYS = 'test-1:dGVzdC1wYXlsb2FkLWtleS0xLTAxMjM0NTY3ODlhYmM=,test-0:dGVzdC1wYXlsb2FkLWtleS0wLTAxMjM0NTY3ODlhYmM=';
export const TEST_PAYLOAD_ACTIVE_KEY = 'test-1';

/** Environment for a test: the run's shared engines, and names of its own (DB file, task queue, queue). */
export function testEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = randomUUID().slice(0, 8);
  return {
    NODE_ENV: 'test',
    SECRET_KEY: TEST_SECRET_KEY,
    PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    PAYLOAD_ACTIVE_KEY: TEST_PAYLOAD_ACTIVE_KEY,
    DATABASE_URL: `sqlite:///${path.join(dir, 'ats.db')}`,
    REDIS_URL: required('ATS_TEST_REDIS_URL'),
    TEMPORAL_ADDRESS: required('ATS_TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_UI_URL: required('ATS_TEST_TEMPORAL_UI_URL'),
    TEMPORAL_TASK_QUEUE: `applications-${id}`,
    NOTIFICATION_QUEUE: `notifications-${id}`,
    WEBHOOK_QUEUE: `webhooks-${id}`,
    MAIL_OUTBOX_DIR: path.join(dir, 'outbox'),
    // A rejection closes its workflow a second later, as before reopening existed (reopen tests set their own window).
    REOPEN_WINDOW_SECONDS: '1',
    LOG_LEVEL: process.env.ATS_TEST_LOG_LEVEL ?? 'silent',
    ...extra,
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test (the global setup starts the engines)`);
  return value;
}

/**
 * The database a stack's environment names: a SQLite file in its folder, or, in a run with
 * `ATS_TEST_DATABASE=postgresql`, a database of its own on the run's PostgreSQL server.
 */
export function testDatabase(dir: string): { url: string; drop(): void } {
  if (process.env.ATS_TEST_DATABASE !== 'postgresql') return { url: `sqlite:///${path.join(dir, 'ats.db')}`, drop: () => undefined };
  const server = required('ATS_TEST_POSTGRES_URL');
  const name = `ats_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return { url: createDatabase(server, name), drop: () => dropDatabase(server, name) };
}

export async function startStack(extraEnv: Record<string, string> = {}, options: StackOptions = {}): Promise<TestStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-stack-'));
  const database = testDatabase(dir);
  const config = loadConfig(testEnv(dir, { DATABASE_URL: database.url, ...extraEnv }));
  const services = await createServices(config, createLogger(config.logLevel, 'test'));
  await migrateUp(services.orm);
  // Stacks share one Temporal server while each has its own database: distinct id ranges keep the
  // workflow ids derived from (job, candidate) from colliding across stacks and test files.
  const offset = 1000 * Math.floor(Math.random() * 1e9);
  for (const { sql, params } of dialectOf(services.orm.em).idOffset(['users', 'jobs'], offset))
    await services.orm.em.getConnection().execute(sql, params);
  // As the API process runs it (src/main/api.ts).
  const stopSweeper = startTransitionSweeper(services, services.logger, {
    intervalMs: config.transitions.sweepMs,
    graceMs: config.transitions.sweepGraceMs,
  });
  const server: Server = answerClientErrors(createApp(services).listen(0, '127.0.0.1'));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const worker = options.worker ? await startWorker(config, services, options.worker === true ? {} : options.worker) : undefined;

  const stack: TestStack = {
    config,
    services,
    url,
    dir,
    worker: worker?.worker,
    async http(method, urlPath, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined = options.raw;
      if (options.token) headers.Authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) {
        headers['Content-Type'] ??= 'application/json';
        body = JSON.stringify(options.body);
      } else if (options.form) {
        headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
      }
      const res = await fetch(url + urlPath, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, body: parsed as never, text };
    },
    async user(role, overrides = {}) {
      const password = overrides.password ?? `pw-${randomUUID()}`;
      const email = (overrides.email ?? `${role}-${randomUUID().slice(0, 8)}@example.com`).toLowerCase();
      const em = services.orm.em.fork();
      const now = new Date().toISOString();
      const user = em.create(UserSchema, {
        email,
        passwordHash: await services.passwords.hash(password),
        role,
        fullName: overrides.fullName ?? `${role} ${email}`,
        active: true,
        createdAt: now,
        updatedAt: now,
      });
      await em.flush();
      return { user, token: services.tokens.issue(user).accessToken, password };
    },
    async close() {
      stopSweeper();
      await worker?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await services.close();
      database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

async function startWorker(config: Config, services: Services, options: { workflowBundle?: WorkflowBundleOption }) {
  const redis = createRedis(config.redisUrl, { forWorker: true });
  const worker = await createApplicationWorker({
    config,
    logger: services.logger,
    orm: services.orm,
    redis,
    workflowBundle: options.workflowBundle,
  });
  const running = worker.run();
  // A worker that fails on its own is reported by stop(), not as an unhandled rejection.
  running.catch(() => undefined);
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      try {
        await running;
      } finally {
        await worker.connection?.close();
        redis.disconnect();
      }
    },
  };
}
