import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { migrateUp, openOrm } from '../db/orm';
import { createPasswordHasher } from '../auth/passwords';
import { AdminRefusedError, ensureAdmin } from '../accounts/admin';
import { seedSampleData } from '../accounts/seed';
import { devPayloadKeyFile, devSecretKey } from './dev-secret';
import { SHUTDOWN_DEADLINE_MS } from '../main/run';
import { NODE_FLAGS, PROCESS_ENV, type ProcessName } from '../main/process-settings';
import { enginePaths, portAnswers, startJaeger, startRedis, startTemporal, type Engine } from './engines';

/**
 * `npm run dev`: the whole system on one machine. Reuses a Temporal server or Redis that already
 * answers at the configured address, starts the missing ones with their data under var/, migrates and
 * seeds the database, then runs the api, worker and notifier processes with prefixed logs.
 */
const ROOT = path.resolve(__dirname, '../../..');
// ATS_DEV_VAR_DIR lets the end-to-end test run a second, isolated system beside a developer's own.
const VAR = path.resolve(process.env.ATS_DEV_VAR_DIR ?? path.join(ROOT, 'var'));
const COLORS: Record<string, string> = { api: '36', worker: '35', notifier: '33', temporal: '34', redis: '31', jaeger: '32' };
/** `npm run dev -- --tracing`: Jaeger too, and every process sends it its spans. */
const TRACING = process.argv.includes('--tracing');
const JAEGER = { otlpPort: 4318, uiPort: 16686, grpcPort: 16685 };
const PARENT_CHECK_MS = 250;

function say(name: string, line: string) {
  process.stdout.write(`\x1b[${COLORS[name] ?? '37'}m${name.padEnd(8)}|\x1b[0m ${line}\n`);
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function hostPort(address: string, fallbackPort: number): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname, port: Number(url.port) || fallbackPort };
}

/**
 * The API's codec endpoint, on the host name the Web UI is reached by: the session cookie is sent
 * with the UI's requests only when both are the same site (`localhost` and `127.0.0.1` are not).
 */
function devCodecEndpoint(uiUrl: string, apiPort: number): string {
  return `http://${new URL(uiUrl).hostname}:${apiPort}/codec`;
}

async function main() {
  // The original design's database, in the checkout; a system of its own (ATS_DEV_VAR_DIR) keeps its database there too.
  process.env.DATABASE_URL ??= process.env.ATS_DEV_VAR_DIR ? `sqlite:///${path.join(VAR, 'dev.db')}` : 'sqlite:///./dev.db';
  process.env.MAIL_OUTBOX_DIR ??= path.join(VAR, 'outbox');
  // The runner knows where the checkout is; the API it starts need not guess from its own file.
  process.env.WEB_APP_DIR ??= path.join(ROOT, 'dist', 'web');
  // The children inherit it through the environment.
  if (!process.env.SECRET_KEY) process.env.SECRET_KEY = devSecretKey(VAR);
  if (!process.env.PAYLOAD_KEYS && !process.env.PAYLOAD_KEY_FILE) process.env.PAYLOAD_KEY_FILE = devPayloadKeyFile(VAR);
  const config = loadConfig();
  const paths = enginePaths(ROOT);
  const engines: Engine[] = [];
  const children: ChildProcess[] = [];
  fs.mkdirSync(VAR, { recursive: true });

  const temporal = hostPort(config.temporal.address, 7233);
  if (await portAnswers(temporal.port, temporal.host)) {
    say('temporal', `using the Temporal server at ${config.temporal.address}`);
  } else {
    const uiPort = Number(new URL(config.temporal.uiUrl).port) || 8233;
    say('temporal', `starting the dev server on ${temporal.port} (Web UI ${uiPort}, data var/temporal.db)`);
    engines.push(
      await startTemporal({
        cli: paths.temporal,
        port: temporal.port,
        uiPort,
        uiCodecEndpoint: devCodecEndpoint(config.temporal.uiUrl, config.port),
        dbFile: path.join(VAR, 'temporal.db'),
        logFile: path.join(VAR, 'temporal.log'),
        namespace: config.temporal.namespace,
        detached: true,
      }),
    );
  }
  const redis = hostPort(config.redisUrl, 6379);
  if (await portAnswers(redis.port, redis.host)) {
    say('redis', `using Redis at ${config.redisUrl}`);
  } else {
    say('redis', `starting redis-server on ${redis.port} (log var/redis.log)`);
    engines.push(
      await startRedis({
        server: paths.redis,
        port: redis.port,
        dir: path.join(VAR, 'redis'),
        logFile: path.join(VAR, 'redis.log'),
        detached: true,
      }),
    );
  }

  if (TRACING) await startTracingBackend(paths.jaeger, engines);

  const logger = createLogger('warn', 'dev');
  // PostgreSQL is never started here: the URL names a server that is already running.
  if (config.database.dialect === 'postgresql') say('api', `using PostgreSQL at ${withoutPassword(config.database.url)}`);
  const orm = await openOrm(config.database);
  const migrated = await migrateUp(orm);
  if (migrated.length) say('api', `migrated: ${migrated.join(', ')}`);
  const passwords = createPasswordHasher({ concurrency: config.auth.hashConcurrency, maxWaiting: config.auth.hashQueueMax });
  if (config.admin) {
    const { email, password } = config.admin;
    try {
      say('api', `admin ${email}: ${await ensureAdmin({ orm, passwords, logger }, email, password)}`);
    } catch (err) {
      if (!(err instanceof AdminRefusedError)) throw err;
      say('api', err.message);
    }
  }
  const seeded = await seedSampleData({ orm, passwords, logger });
  await orm.close();

  const shutdown = async (code: number) => {
    // The processes stop within their own deadline; whatever is left then is SIGKILLed on exit.
    setTimeout(() => process.exit(code || 1), SHUTDOWN_DEADLINE_MS + 1_000).unref();
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await Promise.all(engines.map((e) => e.stop()));
    process.exit(code);
  };
  // Children run in their own process groups; never leave them behind if this runner dies.
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const engine of engines) if (engine.process.exitCode === null) engine.process.kill('SIGKILL');
  });
  let stopping = false;
  const stop = (why: string) => {
    stopping = true;
    say('api', `stopping (${why})…`);
    void shutdown(0);
  };
  // SIGHUP: the terminal closed. A second signal while stopping forces the exit.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => (stopping ? process.exit(1) : stop(signal)));
  }
  // npm runs this under `sh -c`, and a SIGTERM sent to npm alone (as process managers and IDEs send it)
  // reaches only that shell, which dies without passing it on: an orphaned runner stops as if signalled.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) stop('its parent process exited');
  }, PARENT_CHECK_MS).unref();

  for (const name of ['worker', 'notifier', 'api'] as ProcessName[]) {
    // As in production (src/main/process-settings.ts); a variable already set in the shell wins.
    const child = spawn(process.execPath, [...NODE_FLAGS[name], path.join(ROOT, 'dist/src/main', `${name}.js`)], {
      env: { ...PROCESS_ENV, ...process.env, ...(TRACING ? { OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? `ats-${name}` } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream! }).on('line', (line) => say(name, line));
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say(name, `exited (${signal ?? code}); stopping everything`);
      stopping = true;
      void shutdown(1);
    });
  }

  const api = `http://localhost:${config.port}`;
  console.log(
    [
      '',
      `  Web app        ${api}/app`,
      `  API            ${api}/api`,
      `  API docs       ${api}/docs`,
      `  Readiness      ${api}/readyz`,
      `  Temporal UI    ${config.temporal.uiUrl}`,
      ...(TRACING ? [`  Jaeger UI      http://localhost:${JAEGER.uiPort} (traces of ats-api, ats-worker, ats-notifier)`] : []),
      `  Queue board    ${api}/admin/queues (admins)`,
      `  Mail           ${config.mail.smtpUrl ? config.mail.smtpUrl : `dev outbox: ${config.mail.outboxDir} (.eml files)`}`,
      `  Demo accounts  ${seeded.recruiter.email} / ${seeded.recruiter.password}   ${seeded.candidate.email} / ${seeded.candidate.password}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/**
 * Jaeger on its usual ports (reused when something already answers OTLP there), and the endpoint the
 * processes inherit; an endpoint already set in the shell wins and nothing is started.
 */
async function startTracingBackend(binary: string, engines: Engine[]): Promise<void> {
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    say('jaeger', `sending traces to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
    return;
  }
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${JAEGER.otlpPort}`;
  if (await portAnswers(JAEGER.otlpPort)) {
    say('jaeger', `using the OTLP collector at ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}`);
    return;
  }
  if (!fs.existsSync(binary)) throw new Error(`Jaeger is missing at ${binary}: scripts/dev.sh builds it with --tracing`);
  say('jaeger', `starting Jaeger (OTLP ${JAEGER.otlpPort}, UI ${JAEGER.uiPort}, traces in memory; log var/jaeger.log)`);
  engines.push(
    await startJaeger({
      binary,
      ...JAEGER,
      dir: path.join(VAR, 'jaeger'),
      logFile: path.join(VAR, 'jaeger.log'),
      uiAssets: process.env.JAEGER_UI_ASSETS,
      detached: true,
    }),
  );
}

main().catch((err: Error) => {
  console.error(err.name === 'ConfigError' ? err.message : err.stack);
  process.exit(1);
});
