import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const dist = (file: string) => path.join(ROOT, 'dist/src', file);

/**
 * The benchmarks bound each process's memory and CPU per transition: with OTEL_EXPORTER_OTLP_ENDPOINT
 * unset, nothing of the OpenTelemetry SDK, its exporters, instrumentations or Temporal's tracing
 * interceptors is loaded by the processes' modules. Run in a fresh Node process on the built code.
 */
describe('tracing off', () => {
  beforeAll(() => {
    if (!fs.existsSync(dist('main/tracing.js'))) throw new Error('dist/ is missing: run the build (npm test does)');
  });

  test('loads no OpenTelemetry SDK and wraps no job in a span; turned on, it does both', () => {
    const script = `
      const loaded = () => Object.keys(require.cache).filter((k) => /@opentelemetry[\\\\/](sdk-|exporter-|instrumentation)|interceptors-opentelemetry/.test(k)).length;
      for (const m of ${JSON.stringify(['main/services.js', 'http/app.js', 'main/application-worker.js', 'notifications/notification-worker.js', 'webhooks/webhook-worker.js', 'notifications/add-jobs.js', 'logger.js'].map(dist))}) require(m);
      const { startTracing } = require(${JSON.stringify(dist('main/tracing.js'))});
      const { tracedProcessor } = require(${JSON.stringify(dist('telemetry/trace-context.js'))});
      // With tracing off a queue's processor runs as it is: its own promise comes back, no span around it.
      let pending;
      const traced = tracedProcessor('probe', () => (pending = Promise.resolve('done')));
      const job = { id: '1', name: 'probe', queueName: 'probe', attemptsMade: 0, data: {} };
      const off = startTracing({}, 'api');
      const unwrapped = traced(job) === pending;
      const before = loaded();
      require(${JSON.stringify(dist('logger.js'))}).createLogger('info', 'probe').info({ with: 'fields' }, 'a line with tracing off');
      const on = startTracing({ tracing: { endpoint: 'http://127.0.0.1:9' } }, 'notifier');
      const wrapped = traced(job) !== pending;
      console.log(JSON.stringify({ off: off === undefined, unwrapped, wrapped, before, after: loaded(), service: on.serviceName }));
      on.shutdown().then(() => process.exit(0));
    `;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]) as { off: boolean; before: number; after: number; service: string };
    expect(result).toEqual({ off: true, unwrapped: true, wrapped: true, before: 0, after: expect.any(Number), service: 'ats-notifier' });
    expect(result.after).toBeGreaterThan(0);
    // A log line written outside any span carries no trace fields.
    expect(JSON.parse(lines[0])).not.toHaveProperty('trace_id');
  });
});
