import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { connectionOptions } from '../../src/temporal/connection-security';
import { versioningOptions } from '../../src/temporal/worker-versioning';

const BASE = { SECRET_KEY: 'f'.repeat(64) };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-temporal-config-'));
const pem = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const CERT = pem('client.pem', 'client certificate');
const KEY = pem('client.key', 'client key');
const CA = pem('ca.pem', 'ca certificate');

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('Temporal connection configuration', () => {
  test('the dev server: plain text, no key, the SDK’s worker slots and a bounded workflow cache', () => {
    const { temporal } = loadConfig(BASE);
    expect(temporal.security).toEqual({ apiKey: undefined, tls: undefined });
    expect(temporal.workerTuning).toEqual({ maxCachedWorkflows: 200 });
    expect(connectionOptions(temporal)).toEqual({ address: 'localhost:7233' });
  });

  test('mTLS: the files are read at load time', () => {
    const { temporal } = loadConfig({
      ...BASE,
      TEMPORAL_ADDRESS: 'temporal.example.com:7233',
      TEMPORAL_TLS_CERT: CERT,
      TEMPORAL_TLS_KEY: KEY,
      TEMPORAL_TLS_CA: CA,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    expect(connectionOptions(temporal)).toEqual({
      address: 'temporal.example.com:7233',
      tls: {
        clientCertPair: { crt: Buffer.from('client certificate'), key: Buffer.from('client key') },
        serverRootCACertificate: Buffer.from('ca certificate'),
        serverNameOverride: 'frontend.internal',
      },
    });
  });

  test('an API key (Temporal Cloud) always goes over TLS, with the system’s CAs', () => {
    const { temporal } = loadConfig({
      ...BASE,
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'ats.a1b2c',
      TEMPORAL_API_KEY: 'key-123',
    });
    expect(connectionOptions(temporal)).toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', tls: {}, apiKey: 'key-123' });
    expect(problems({ TEMPORAL_API_KEY: 'key-123', TEMPORAL_TLS: 'false' })).toContain('TEMPORAL_TLS');
  });

  test('a certificate without its key (or the reverse) names both variables', () => {
    for (const env of [{ TEMPORAL_TLS_CERT: CERT }, { TEMPORAL_TLS_KEY: KEY }] as Record<string, string>[]) {
      const message = problems(env);
      expect(message).toContain('TEMPORAL_TLS_CERT');
      expect(message).toContain('TEMPORAL_TLS_KEY');
    }
  });

  test('an unreadable file is refused with its variable and path', () => {
    const missing = path.join(dir, 'nope.pem');
    const message = problems({ TEMPORAL_TLS_CA: missing, TEMPORAL_TLS_CERT: CERT, TEMPORAL_TLS_KEY: dir });
    expect(message).toContain(`TEMPORAL_TLS_CA: cannot read ${missing} (ENOENT)`);
    expect(message).toContain(`TEMPORAL_TLS_KEY: cannot read ${dir} (EISDIR)`);
  });

  test('worker tuning: positive integers passed to the worker as its slot limits', () => {
    const { temporal } = loadConfig({ ...BASE, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '50', WORKER_MAX_CONCURRENT_ACTIVITIES: '20' });
    expect(temporal.workerTuning).toEqual({
      maxConcurrentWorkflowTaskExecutions: 50,
      maxConcurrentActivityTaskExecutions: 20,
      maxCachedWorkflows: 200,
    });
    const message = problems({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '0', WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' });
    expect(message).toContain('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS');
    expect(message).toContain('WORKER_MAX_CONCURRENT_ACTIVITIES');
  });

  test('the workflow cache: any size from 2, or 0 for none (the SDK takes neither 1 nor a negative)', () => {
    expect(loadConfig({ ...BASE, WORKER_MAX_CACHED_WORKFLOWS: '1000' }).temporal.workerTuning.maxCachedWorkflows).toBe(1000);
    expect(loadConfig({ ...BASE, WORKER_MAX_CACHED_WORKFLOWS: '0' }).temporal.workerTuning.maxCachedWorkflows).toBe(0);
    for (const bad of ['1', '-5', 'lots']) expect(problems({ WORKER_MAX_CACHED_WORKFLOWS: bad })).toContain('WORKER_MAX_CACHED_WORKFLOWS');
  });

  test('Worker Versioning is off unless both the deployment name and the build id are set', () => {
    const off = loadConfig(BASE).temporal;
    expect(off.deployment).toBeUndefined();
    expect(versioningOptions(off)).toEqual({});
    const on = loadConfig({ ...BASE, WORKER_DEPLOYMENT_NAME: 'ats', WORKER_BUILD_ID: '2026-12-07.1' }).temporal;
    expect(versioningOptions(on)).toEqual({
      workerDeploymentOptions: {
        version: { deploymentName: 'ats', buildId: '2026-12-07.1' },
        useWorkerVersioning: true,
        defaultVersioningBehavior: 'AUTO_UPGRADE',
      },
    });
  });

  test.each([
    [{ WORKER_DEPLOYMENT_NAME: 'ats' }, 'WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID: set both'],
    [{ WORKER_BUILD_ID: 'b1' }, 'WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID: set both'],
    [{ WORKER_DEPLOYMENT_NAME: 'ats.prod', WORKER_BUILD_ID: 'b1' }, 'WORKER_DEPLOYMENT_NAME: cannot contain'],
    [{ WORKER_DEPLOYMENT_NAME: 'ats:prod', WORKER_BUILD_ID: 'b1' }, 'WORKER_DEPLOYMENT_NAME: cannot contain'],
    [{ WORKER_DEPLOYMENT_NAME: 'ats', WORKER_BUILD_ID: '__b1' }, 'WORKER_BUILD_ID: cannot start with "__"'],
  ])('a deployment the server would refuse is refused at start: %o', (env, message) => {
    expect(problems(env)).toContain(message);
  });
});
