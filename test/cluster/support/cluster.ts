import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../../src/config';
import { openOrm, type Orm } from '../../../src/db/orm';
import { createTemporalClient } from '../../../src/temporal/client';
import { freePort } from '../../../src/dev/engines';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';
import { createDatabase, startPostgres, type PostgresServer } from '../../support/postgres-server';
import { startTemporalServer, type TemporalServer } from './temporal-server';
import { startRedisServer, type RedisServer } from './redis';
import { startTemporalUi, type TemporalUi } from './temporal-ui';
import { ROOT, serviceProcess, type ServiceProcess } from './processes';

/**
 * The production topology on one machine: a full Temporal server on PostgreSQL, Redis with AOF, one
 * projection database, and API, worker and notifier pools of separate OS processes sharing them.
 */
export interface Cluster {
  dir: string;
  postgres: PostgresServer;
  temporal: TemporalServer;
  /** The Web UI server pointed at the full server's frontend. */
  ui: TemporalUi;
  redis: RedisServer;
  smtp: SmtpSink;
  apis: ServiceProcess[];
  apiUrls: string[];
  workers: ServiceProcess[];
  notifiers: ServiceProcess[];
  admin: { email: string; password: string };
  /** The test's own view of the shared projection and of the workflows. */
  config: Config;
  orm: Orm;
  client: Client;
  close(): Promise<void>;
}

export interface ClusterOptions {
  apis?: number;
  workers?: number;
  notifiers?: number;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-cluster-'));
  fs.chmodSync(dir, 0o755);
  const started: { stop(): unknown }[] = [];
  try {
    return await startAll(dir, options, started);
  } catch (err) {
    for (const engine of started.reverse()) await Promise.resolve(engine.stop()).catch(() => undefined);
    if (!process.env.ATS_CLUSTER_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Starts everything in order, recording each engine and process in `started` so a failure can stop them. */
async function startAll(dir: string, options: ClusterOptions, started: { stop(): unknown }[]): Promise<Cluster> {
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir);
  // One PostgreSQL server holds Temporal's two databases and the projection.
  const postgres = await startPostgres({ port: await freePort() });
  started.push(postgres);
  const projectionUrl = createDatabase(postgres.url, 'ats');
  const smtp = await startSmtpSink();
  started.push({ stop: () => smtp.close() });
  const redis = await startRedisServer(path.join(dir, 'redis'));
  started.push(redis);
  const temporal = await startTemporalServer(postgres, path.join(dir, 'temporal'), started);
  const ui = await startTemporalUi(temporal.address, path.join(dir, 'temporal-ui'));
  started.push(ui);
  const admin = { email: 'admin@cluster.test', password: `pw-${randomBytes(8).toString('hex')}` };
  const bundle = path.join(dir, 'workflow-bundle.js');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    // One key for every process: tokens and the signed workflow payloads must verify anywhere.
    SECRET_KEY: randomBytes(32).toString('hex'),
    DATABASE_URL: projectionUrl,
    REDIS_URL: redis.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'applications',
    TEMPORAL_UI_URL: ui.url,
    NOTIFICATION_QUEUE: 'notifications',
    // The outbox sweep, quick enough for the faults: a notification whose job Redis lost is queued
    // again within seconds (in production a minute, after half a minute's grace).
    NOTIFICATION_SWEEP_MS: '1000',
    NOTIFICATION_SWEEP_GRACE_MS: '5000',
    // The API's sweep of stage changes a killed API left unrecorded, quick for the same reason; its
    // grace outlasts the longest a request waits on Temporal.
    TEMPORAL_REQUEST_TIMEOUT_MS: '10000',
    TRANSITION_SWEEP_MS: '1000',
    TRANSITION_SWEEP_GRACE_MS: '12000',
    SMTP_URL: smtp.url,
    WORKFLOW_BUNDLE_PATH: bundle,
    LOG_LEVEL: process.env.ATS_CLUSTER_LOG_LEVEL ?? 'info',
    // The load comes from one address; the sign-up limit guards the public internet, not this test.
    SIGNUP_MAX_PER_IP: '100000',
  };
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [path.join(ROOT, 'dist/src/main/cli.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: 'pipe',
    });
  // Once per release, before the new API and workers start.
  cli('migrate');
  cli('bundle-workflows', bundle);

  const apiPorts = await Promise.all(Array.from({ length: options.apis ?? 2 }, () => freePort()));
  const apis = apiPorts.map((port, i) =>
    serviceProcess(`api-${i + 1}`, 'api', { ...env, PORT: String(port), ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }, logDir),
  );
  const workers = Array.from({ length: options.workers ?? 2 }, (_, i) => serviceProcess(`worker-${i + 1}`, 'worker', env, logDir));
  const notifiers = Array.from({ length: options.notifiers ?? 2 }, (_, i) => serviceProcess(`notifier-${i + 1}`, 'notifier', env, logDir));
  started.push(...[...apis, ...workers, ...notifiers].map((p) => ({ stop: () => p.stop('SIGKILL') })));
  // The first API creates the admin account; the rest find it there.
  await apis[0].start();
  await Promise.all([...apis.slice(1), ...workers, ...notifiers].map((p) => p.start()));

  const config = loadConfig(env);
  const orm = await openOrm(config.database);
  const client = await createTemporalClient(config);
  const all = () => [...apis, ...workers, ...notifiers];
  return {
    dir,
    postgres,
    temporal,
    ui,
    redis,
    smtp,
    apis,
    workers,
    notifiers,
    admin,
    config,
    orm,
    client,
    apiUrls: apiPorts.map((p) => `http://127.0.0.1:${p}`),
    async close() {
      await Promise.all(all().map((p) => p.stop('SIGKILL')));
      await client.connection.close().catch(() => undefined);
      await orm.close().catch(() => undefined);
      await ui.stop();
      await temporal.stop();
      await redis.stop();
      await smtp.close();
      await postgres.stop();
      if (!process.env.ATS_CLUSTER_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
