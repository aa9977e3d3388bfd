import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';

/**
 * Starts the local engines — the Temporal CLI dev server and redis-server — for `npm run dev` and
 * for the test harness. Production never uses this module.
 */
export interface Engine {
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A free TCP port on 127.0.0.1 for a server about to start. Drawn from 20000–32767, below the
 * kernel's ephemeral range (32768 up), which outgoing connections draw from: a port handed out of
 * that range could be taken by another process's connection before the server listens on it. The
 * range also fits Temporal's membership ports, which its SQL schema stores as smallint.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}${logFile ? `; see ${logFile}` : ''}`);
    if (await portAnswers(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer on port ${port} within ${timeoutMs} ms${logFile ? `; see ${logFile}` : ''}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** `detached` puts the engine in its own process group, so a terminal's Ctrl-C reaches only the parent, which stops it in order. */
/** `uiCodecEndpoint`: the codec server the Web UI decodes payloads through (the API's `/codec`). */
export interface TemporalOptions {
  cli: string;
  port: number;
  uiPort?: number;
  uiCodecEndpoint?: string;
  dbFile: string;
  logFile: string;
  namespace?: string;
  detached?: boolean;
}

/** The Temporal dev server, SQLite-backed, with WAL pragmas (about 10x faster) and our search attributes. */
export async function startTemporal(opts: TemporalOptions): Promise<Engine> {
  fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--db-filename',
    opts.dbFile,
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
    '--namespace',
    opts.namespace ?? 'default',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    ...(opts.uiPort && opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
  ];
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(opts.cli, args, { stdio: ['ignore', log, log], detached: opts.detached ?? false });
  fs.closeSync(log);
  await waitForPort(opts.port, child, 'Temporal dev server', 60_000, opts.logFile);
  if (opts.uiPort) await waitForPort(opts.uiPort, child, 'Temporal Web UI', 30_000, opts.logFile);
  return { process: child, stop: stopper(child) };
}

export interface RedisOptions {
  server: string;
  port: number;
  dir: string;
  logFile: string;
  detached?: boolean;
}

/**
 * Append-only file, fsynced every second: queued notifications survive a restart or a crash of
 * redis-server itself (at most the last second is lost), which a memory-only Redis would drop.
 */
export const REDIS_PERSISTENCE_ARGS = ['--appendonly', 'yes', '--appendfsync', 'everysec'] as const;

export async function startRedis(opts: RedisOptions): Promise<Engine> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const args = [
    '--port',
    String(opts.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    opts.dir,
    '--save',
    '',
    ...REDIS_PERSISTENCE_ARGS,
    '--logfile',
    opts.logFile,
  ];
  const child = spawn(opts.server, args, { stdio: 'ignore', detached: opts.detached ?? false });
  await waitForPort(opts.port, child, 'redis-server', 20_000, opts.logFile);
  return { process: child, stop: stopper(child) };
}

export interface JaegerOptions {
  binary: string;
  /** OTLP over HTTP, where the processes send their spans (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  otlpPort: number;
  /** The UI and its query API (`/api/traces`). */
  uiPort: number;
  /** Its query gRPC port, which nothing here uses but which must not collide. */
  grpcPort: number;
  dir: string;
  logFile: string;
  /** A built Jaeger UI (jaeger-ui's `build/`): a binary built from the Go module serves a placeholder page instead. */
  uiAssets?: string;
  detached?: boolean;
}

/**
 * Jaeger v2 all-in-one for tracing in development, tests and the benchmark: OTLP over HTTP in,
 * traces kept in memory (gone at stop), every port on 127.0.0.1 and chosen by the caller.
 */
export async function startJaeger(opts: JaegerOptions): Promise<Engine> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const configFile = path.join(opts.dir, 'jaeger.yaml');
  fs.writeFileSync(configFile, jaegerConfig(opts));
  // Jaeger would trace itself into itself if it inherited the processes' OTEL_* settings.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(opts.binary, ['--config', `file:${configFile}`], {
    stdio: ['ignore', log, log],
    env,
    detached: opts.detached ?? false,
  });
  fs.closeSync(log);
  await waitForPort(opts.otlpPort, child, 'Jaeger (OTLP)', 60_000, opts.logFile);
  await waitForPort(opts.uiPort, child, 'Jaeger (UI)', 30_000, opts.logFile);
  return { process: child, stop: stopper(child) };
}

function jaegerConfig(opts: JaegerOptions): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${opts.uiPort}
    grpc:
      endpoint: 127.0.0.1:${opts.grpcPort}
${
  opts.uiAssets
    ? `    ui:
      assets_path: ${JSON.stringify(opts.uiAssets)}
`
    : ''
}receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${opts.otlpPort}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

/** Paths of the engine binaries: set by scripts/toolchain.sh, with the project's tools folder as fallback. */
export function enginePaths(root: string): { temporal: string; redis: string; jaeger: string } {
  const temporal = process.env.TEMPORAL_CLI ?? path.join(root, '.tools/bin/temporal');
  return {
    temporal,
    redis: process.env.REDIS_SERVER ?? 'redis-server',
    jaeger: process.env.JAEGER ?? path.join(root, '.tools/bin/jaeger'),
  };
}
