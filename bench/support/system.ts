import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { enginePaths, freePort, startJaeger, startRedis, startTemporal, type Engine } from '../../src/dev/engines';
import { ROOT, runScript, startProcess, type BenchProcess } from './processes';
import { NODE_FLAGS, PROCESS_ENV, type ProcessName } from '../../src/main/process-settings';
import { startSmtpSink, type SmtpCounter } from './smtp-counter';
import { startPostgres } from '../../test/support/postgres-server';
import { startTemporalServer } from '../../test/cluster/support/temporal-server';

/**
 * Everything a run measures, each its own OS process: the Temporal dev server and redis-server (as
 * `npm run dev` starts them), the API, worker and notifier from their built entry points (as
 * `npm run start:*` runs them, production settings), and the baselines' processes beside them on
 * the same engines, and the SMTP sink (`smtp`) that receives the notifiers' mail.
 */
export interface System {
  dir: string;
  env: Record<string, string>;
  apiUrl: string;
  /** The API's metrics listener (METRICS_PORT): `/metrics` without a token, on loopback. */
  metricsUrl: string;
  bareListUrl: string;
  /** The bare route (bench/baselines/bare-route.ts): apply and stage change without Temporal, the CRUD baseline. */
  bareRouteUrl: string;
  temporalAddress: string;
  redisUrl: string;
  sink: SmtpCounter;
  /** Every process of the run by name, the engines (`temporal`, `redis`) included. */
  processes: Map<string, BenchProcess>;
  /** A worker process more (`worker-2`, …) or a bare worker more, for the worker curve. */
  addWorker(kind: 'worker' | 'bare-worker', index: number): Promise<BenchProcess>;
  /**
   * Stops every worker process, the system's and the baselines', and starts each again with `env`
   * added to the one it first started with (another WORKER_MAX_CACHED_WORKFLOWS; none restores it):
   * the new processes, to be sampled in the old ones' place.
   */
  restartWorkers(env: Record<string, string>): Promise<BenchProcess[]>;
  close(): Promise<void>;
}

export const BARE_TASK_QUEUE = 'bench-bare';
/** The feature-matched bare workflow's task queue, served by a bare worker process of its own (`matched-worker`). */
export const MATCHED_TASK_QUEUE = 'bench-matched';
export const RAW_QUEUE = 'bench-raw';
/**
 * As `npm run start:*` runs each process (src/main/process-settings.ts); each baseline runs as the
 * process it stands beside: the bare worker as the worker, the bare list as the API, the raw
 * notifier as the notifier.
 */
const RUN_AS: Record<string, ProcessName> = {
  api: 'api',
  worker: 'worker',
  notifier: 'notifier',
  'bare-worker': 'worker',
  'bare-list': 'api',
  'matched-worker': 'worker',
  'bare-route': 'api',
  'raw-notifier': 'notifier',
};

export interface SystemOptions {
  dir: string;
  profile: boolean;
  temporalAddress?: string;
  temporalServer?: boolean;
  /** The API, worker and notifier trace into a Jaeger of the run's own (not sampled: the cost measured is theirs). */
  tracing?: boolean;
  recruiterId: () => number;
  /** Only the API and the bare list beside the engines, for the list measure alone (bench/list.ts). */
  listOnly?: boolean;
  /** Every worker's cache (WORKER_MAX_CACHED_WORKFLOWS) outside the cached regime; by default the workers' own default. */
  workerCache?: number;
  beforeStart: (env: Record<string, string>) => Promise<void>;
}

export async function startSystem(opts: SystemOptions): Promise<System> {
  const { dir } = opts;
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const processes = new Map<string, BenchProcess>();
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const paths = enginePaths(ROOT);
    const [temporalPort, redisPort, apiPort, metricsPort, bareListPort, bareRoutePort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const devServer = !opts.temporalAddress && !opts.temporalServer;
    const engines: [string, Engine][] = await Promise.all([
      ...(!devServer
        ? []
        : [
            startTemporal({
              cli: paths.temporal,
              port: temporalPort,
              dbFile: path.join(dir, 'temporal.db'),
              logFile: path.join(logDir, 'temporal.log'),
            }).then((e) => ['temporal', e] as [string, Engine]),
          ]),
      startRedis({ server: paths.redis, port: redisPort, dir: path.join(dir, 'redis'), logFile: path.join(logDir, 'redis.log') }).then(
        (e) => ['redis', e] as [string, Engine],
      ),
    ]);
    for (const [name, e] of engines) {
      stops.push(() => e.stop());
      processes.set(name, { name, pid: e.process.pid!, stop: e.stop });
    }
    const sink = await startSmtpSink(logDir);
    stops.push(() => sink.process.stop());
    processes.set('smtp', sink.process);
    // A server given by its address is not sampled: it may serve others too.
    const temporalAddress = opts.temporalServer
      ? await startFullServer(dir, stops, processes)
      : (opts.temporalAddress ?? `127.0.0.1:${temporalPort}`);
    const redisUrl = `redis://127.0.0.1:${redisPort}/0`;
    const otlpEndpoint = opts.tracing ? await startTracingBackend(paths.jaeger, dir, logDir, stops) : undefined;
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      SECRET_KEY: randomBytes(32).toString('hex'),
      PAYLOAD_KEYS: `bench-1:${randomBytes(32).toString('base64')}`,
      PAYLOAD_ACTIVE_KEY: 'bench-1',
      DATABASE_URL: `sqlite:///${path.join(dir, 'ats.db')}`,
      REDIS_URL: redisUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      SMTP_URL: sink.url,
      MAIL_FROM: 'ATS <no-reply@ats.bench>',
      LOG_LEVEL: 'info',
      WORKFLOW_BUNDLE_PATH: path.join(dir, 'workflow-bundle.js'),
      ...(opts.workerCache ? { WORKER_MAX_CACHED_WORKFLOWS: String(opts.workerCache) } : {}),
    };
    await runScript('src/main/cli.js', ['migrate'], env);
    const bareBundle = path.join(dir, 'bare-bundle.js');
    const matchedBundle = path.join(dir, 'matched-bundle.js');
    if (!opts.listOnly) {
      await runScript('src/main/cli.js', ['bundle-workflows', env.WORKFLOW_BUNDLE_PATH], env);
      for (const [file, workflows] of [
        [bareBundle, '../baselines/bare.workflow'],
        [matchedBundle, '../baselines/matched.workflow'],
      ])
        fs.writeFileSync(file, (await bundleWorkflowCode({ workflowsPath: require.resolve(workflows), logger: silent })).code);
    }
    await opts.beforeStart(env);

    const profileArgs = (name: string) => (opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, 'profiles', name)}`] : []);
    const started = new Map<string, { script: string; ready: RegExp; extra: Record<string, string>; profiled: boolean }>();
    const start = async (name: string, script: string, ready: RegExp, extra: Record<string, string> = {}, profiled = false) => {
      // As first started: a restart adds its environment to this, so restarting with none restores it.
      if (!started.has(name)) started.set(name, { script, ready, extra, profiled });
      const runAs = RUN_AS[name.replace(/-\d+$/, '')];
      const p = await startProcess({
        name,
        script,
        env: { ...PROCESS_ENV, ...env, ...extra, ...tracingEnv(name, otlpEndpoint) },
        logDir,
        ready,
        nodeArgs: [...NODE_FLAGS[runAs], ...(profiled ? profileArgs(name) : [])],
      });
      processes.set(name, p);
      stops.push(() => p.stop());
      return p;
    };
    const bareEnv = { BENCH_BARE_TASK_QUEUE: BARE_TASK_QUEUE, BENCH_BARE_BUNDLE: bareBundle };
    const matchedEnv = { BENCH_BARE_TASK_QUEUE: MATCHED_TASK_QUEUE, BENCH_BARE_BUNDLE: matchedBundle };
    await Promise.all([
      start('api', 'src/main/api.js', /API listening/, { PORT: String(apiPort), METRICS_PORT: String(metricsPort) }, true),
      start('bare-list', 'bench/baselines/bare-list.js', /bare list listening/, {
        PORT: String(bareListPort),
        BENCH_RECRUITER_ID: String(opts.recruiterId()),
      }),
      ...(opts.listOnly
        ? []
        : [
            start('worker', 'src/main/worker.js', /worker polling/, {}, true),
            start('notifier', 'src/main/notifier.js', /notifier started/, {}, true),
            start('bare-worker', 'bench/baselines/bare-worker.js', /bare worker polling/, bareEnv),
            start('matched-worker', 'bench/baselines/bare-worker.js', /bare worker polling/, matchedEnv),
            start('bare-route', 'bench/baselines/bare-route.js', /bare route listening/, {
              PORT: String(bareRoutePort),
              BENCH_RAW_QUEUE: RAW_QUEUE,
            }),
            start('raw-notifier', 'bench/baselines/raw-notifier.js', /raw notifier started/, { BENCH_RAW_QUEUE: RAW_QUEUE }, true),
          ]),
    ]);
    return {
      dir,
      env,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      metricsUrl: `http://127.0.0.1:${metricsPort}`,
      bareListUrl: `http://127.0.0.1:${bareListPort}`,
      bareRouteUrl: `http://127.0.0.1:${bareRoutePort}`,
      temporalAddress,
      redisUrl,
      sink,
      processes,
      addWorker: (kind, index) =>
        kind === 'worker'
          ? start(`worker-${index}`, 'src/main/worker.js', /worker polling/)
          : start(`bare-worker-${index}`, 'bench/baselines/bare-worker.js', /bare worker polling/, bareEnv),
      async restartWorkers(extra) {
        const again: BenchProcess[] = [];
        for (const [name, how] of started) {
          if (RUN_AS[name.replace(/-\d+$/, '')] !== 'worker' || !processes.has(name)) continue;
          await processes.get(name)!.stop();
          again.push(await start(name, how.script, how.ready, { ...how.extra, ...extra }, how.profiled));
        }
        return again;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The production topology's engine, as `npm run test:cluster` runs it: PostgreSQL (one server for
 * Temporal's persistence and visibility databases) and the full Temporal server on it, with the
 * namespace's search attributes. Both are sampled: `temporal` the server, `postgres` the postmaster
 * and its backends together.
 */
async function startFullServer(dir: string, stops: (() => Promise<void>)[], processes: Map<string, BenchProcess>): Promise<string> {
  const postgres = await startPostgres({ port: await freePort() });
  stops.push(() => postgres.stop());
  const started: { stop(): unknown }[] = [];
  stops.push(async () => {
    for (const s of started.reverse()) await s.stop();
  });
  const server = await startTemporalServer(postgres, path.join(dir, 'temporal-server'), started);
  processes.set('temporal', { name: 'temporal', pid: server.process().pid!, stop: () => server.stop() });
  processes.set('postgres', { name: 'postgres', pid: postgres.pids()[0], pids: () => postgres.pids(), stop: () => postgres.stop() });
  return server.address;
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Jaeger, as `npm run dev -- --tracing` runs it, on ports of the run's own; its OTLP endpoint. */
async function startTracingBackend(binary: string, dir: string, logDir: string, stops: (() => Promise<void>)[]): Promise<string> {
  const [otlpPort, uiPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const jaeger = await startJaeger({
    binary,
    otlpPort,
    uiPort,
    grpcPort,
    dir: path.join(dir, 'jaeger'),
    logFile: path.join(logDir, 'jaeger.log'),
  });
  stops.push(() => jaeger.stop());
  return `http://127.0.0.1:${otlpPort}`;
}

/** Tracing for the system's own processes (a curve's extra workers too); the baselines never trace. */
function tracingEnv(name: string, otlpEndpoint: string | undefined): Record<string, string> {
  const base = name.replace(/-\d+$/, '');
  if (!otlpEndpoint || !['api', 'worker', 'notifier'].includes(base)) return {};
  return { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_SERVICE_NAME: `ats-${base}` };
}
