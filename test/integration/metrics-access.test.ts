import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../src/dev/engines';
import { startStack, testEnv, type TestStack } from '../support/stack';

/** `/metrics` tells how the business runs (traffic per route, queue depths): admins only, or the loopback listener. */
describe("metrics on the API's port", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test('anonymous or a bad token: 401; a candidate or a recruiter: 403; an admin: the Prometheus text', async () => {
    for (const token of [undefined, 'not.a.token']) {
      const res = await stack.http('GET', '/metrics', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
    for (const role of ['candidate', 'recruiter'] as const) {
      const res = await stack.http('GET', '/metrics', { token: (await stack.user(role)).token });
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
    const admin = await stack.http('GET', '/metrics', { token: (await stack.user('admin')).token });
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toContain('text/plain');
    expect(admin.text).toContain('http_request_duration_seconds_bucket');
  });

  test('the OpenAPI document has the operation, for admins with a bearer token', async () => {
    const doc = (await stack.http('GET', '/openapi.json')).body;
    const op = doc.paths['/metrics'].get;
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '401', '403', '405', '500']);
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/plain']);
    expect(op.description).toContain('METRICS_PORT');
  });
});

describe('the METRICS_PORT listener', () => {
  let stack: TestStack;
  let api: ChildProcess;
  let apiBase: string;
  let metricsPort: number;
  let output = '';

  beforeAll(async () => {
    stack = await startStack();
    const port = await freePort();
    metricsPort = await freePort();
    const env = {
      ...testEnv(stack.dir),
      DATABASE_URL: stack.config.database.url,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      PATH: process.env.PATH ?? '',
    };
    api = spawn(process.execPath, [path.resolve(__dirname, '../../dist/src/main/api.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    api.stdout!.on('data', (d) => {
      output += d;
    });
    api.stderr!.on('data', (d) => {
      output += d;
    });
    apiBase = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (
      !(await fetch(`${apiBase}/healthz`).then(
        (r) => r.ok,
        () => false,
      )) ||
      !/metrics listening/.test(output)
    ) {
      if (Date.now() > deadline || api.exitCode !== null) throw new Error(`the API did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);
  afterAll(async () => {
    if (api && api.exitCode === null && api.signalCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api.once('exit', r));
    }
    await stack?.close();
  });

  test("answers /metrics without a token on loopback, and nothing else; the API's port still wants an admin", async () => {
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('ats_transition_step_seconds');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/jobs`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${apiBase}/metrics`)).status).toBe(401);
  });

  test('is bound to loopback by default: another interface of this machine finds nothing there', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return void expect(output).toMatch(new RegExp(`metrics listening on http://127\\.0\\.0\\.1:${metricsPort}/metrics`));
    const refused = await fetch(`http://${external.address}:${metricsPort}/metrics`).then(
      (r) => `answered ${r.status}`,
      (err: Error & { cause?: { code?: string } }) => err.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');
    expect((await fetch(`http://${external.address}:${new URL(apiBase).port}/healthz`)).status).toBe(200);
  });
});
