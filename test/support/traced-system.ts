import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort, startJaeger, type Engine } from '../../src/dev/engines';
import { DEMO_RECRUITER } from '../../src/accounts/seed';
import { sendOriginalDesignRequests } from './original-design';
import { testEnv } from './stack';

const ROOT = path.resolve(__dirname, '../..');

/** The Jaeger binary scripts/toolchain.sh builds (`ensure_jaeger`), or the one JAEGER names. */
export const JAEGER_BINARY = process.env.JAEGER ?? path.join(ROOT, '.tools/bin/jaeger');

/** Tracing tests run only where Jaeger could be built; elsewhere they skip and say why. */
export function describeWithJaeger(name: string, fn: () => void): void {
  if (fs.existsSync(JAEGER_BINARY)) return describe(name, fn);
  console.warn(`SKIPPED "${name}": no Jaeger at ${JAEGER_BINARY} (scripts/toolchain.sh ensure_jaeger could not build it)`);
  describe.skip(name, fn);
}

/**
 * Jaeger's UI is a separate build (jaeger-ui, with npm) that its Go module does not carry: the binary
 * `go install` builds serves a placeholder page. Tests of the UI run given JAEGER_UI_ASSETS, the
 * folder of a jaeger-ui build, and otherwise skip and say why.
 */
export function describeWithJaegerUi(name: string, fn: () => void): void {
  if (!process.env.JAEGER_UI_ASSETS) {
    console.warn(`SKIPPED "${name}": Jaeger built from its Go module serves no UI; set JAEGER_UI_ASSETS to a jaeger-ui build`);
    return describe.skip(name, fn);
  }
  describeWithJaeger(name, fn);
}

/** A span as Jaeger's query API returns it, with its process's service name resolved. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  service: string;
  parentSpanID?: string;
  tags: { key: string; value: unknown }[];
}

export interface TracedSystem {
  api: string;
  /** Jaeger's UI and query API. */
  jaeger: string;
  /** Everything the api, worker and notifier printed. */
  output(): string;
  /** SIGTERM to the api, worker and notifier at once: how long each took to exit, and how. */
  terminate(): Promise<{ name: string; ms: number; code: number | null }[]>;
  stop(): Promise<void>;
}

/**
 * The api, worker and notifier as built (dist/), started as `npm run dev -- --tracing` starts them:
 * OTEL_EXPORTER_OTLP_ENDPOINT set to a Jaeger of their own and OTEL_SERVICE_NAME per process, on a
 * seeded database and the run's Temporal server and Redis.
 */
export async function startTracedSystem(options: { collectorDown?: boolean } = {}): Promise<TracedSystem> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-tracing-'));
  const [otlpPort, uiPort, grpcPort, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // Collector down: the endpoint names a port nothing listens on.
  const jaeger: Engine | undefined = options.collectorDown
    ? undefined
    : await startJaeger({
        binary: JAEGER_BINARY,
        otlpPort,
        uiPort,
        grpcPort,
        dir: path.join(dir, 'jaeger'),
        logFile: path.join(dir, 'jaeger.log'),
        uiAssets: process.env.JAEGER_UI_ASSETS,
      });
  const children: (ChildProcess & { label?: string })[] = [];
  let output = '';
  const stop = async () => {
    await Promise.all(
      children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : null,
      ),
    );
    await jaeger?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const terminate = () =>
    Promise.all(
      children.map((c) => {
        const started = Date.now();
        const exited = new Promise<{ name: string; ms: number; code: number | null }>((resolve) =>
          c.once('exit', (code) => resolve({ name: c.label!, ms: Date.now() - started, code })),
        );
        c.kill('SIGTERM');
        return exited;
      }),
    );
  try {
    const env = {
      ...process.env,
      NODE_OPTIONS: '',
      ...testEnv(dir, { PORT: String(apiPort), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}` }),
    };
    const seeded = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/main/cli.js'), 'seed'], { env, encoding: 'utf8' });
    if (seeded.status !== 0) throw new Error(`cli seed failed: ${seeded.stderr}`);
    for (const name of ['worker', 'notifier', 'api']) {
      // The API logs each request at debug level: its line carries the trace id.
      const own = { OTEL_SERVICE_NAME: `ats-${name}`, LOG_LEVEL: name === 'api' ? 'debug' : 'info' };
      const child = spawn(process.execPath, [path.join(ROOT, `dist/src/main/${name}.js`)], { env: { ...env, ...own }, stdio: 'pipe' });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      children.push(Object.assign(child, { label: name }));
    }
    const api = `http://127.0.0.1:${apiPort}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await fetch(`${api}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`the API was not ready within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return { api, jaeger: `http://127.0.0.1:${uiPort}`, output: () => output, terminate, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** An application of the demo candidate moved by the demo recruiter; the stage change's own request id. */
export async function tracedStageChange(api: string): Promise<{ requestId: string }> {
  const { applicationId, recruiterToken } = await sendOriginalDesignRequests(api, DEMO_RECRUITER);
  const requestId = `tracing-${randomUUID()}`;
  const res = await fetch(`${api}/api/applications/${applicationId}/stage`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${recruiterToken}`, 'Content-Type': 'application/json', 'X-Request-Id': requestId },
    body: JSON.stringify({ stage: 'interview' }),
  });
  if (res.status !== 200) throw new Error(`the stage change answered ${res.status}: ${await res.text()}`);
  return { requestId };
}

/** The trace holding the API's span for this request, as Jaeger has it now (spans arrive over a second or two). */
export async function traceOfRequest(jaeger: string, requestId: string): Promise<JaegerSpan[]> {
  const tags = encodeURIComponent(JSON.stringify({ 'ats.request_id': requestId }));
  const res = await fetch(`${jaeger}/api/traces?service=ats-api&tags=${tags}&lookback=1h&limit=5`);
  if (!res.ok) throw new Error(`Jaeger answered ${res.status}`);
  const body = (await res.json()) as {
    data: { traceID: string; spans: Omit<JaegerSpan, 'service'>[]; processes: Record<string, { serviceName: string }> }[];
  };
  return body.data.flatMap((trace) =>
    trace.spans.map((s) => {
      const { processID, references } = s as unknown as { processID: string; references?: { refType: string; spanID: string }[] };
      const parentSpanID = references?.find((r) => r.refType === 'CHILD_OF')?.spanID;
      return { ...s, service: trace.processes[processID].serviceName, parentSpanID };
    }),
  );
}

/** Polls until the trace has a span from each of the services, or the time is up (then returns what it has). */
export async function waitForTrace(jaeger: string, requestId: string, services: string[], timeoutMs = 30_000): Promise<JaegerSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = await traceOfRequest(jaeger, requestId);
    const seen = new Set(spans.map((s) => s.service));
    if (services.every((s) => seen.has(s)) || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 500));
  }
}
