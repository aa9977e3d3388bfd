import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { openOrm } from '../../src/db/orm';
import { createRedis } from '../../src/redis';
import { createTemporalClient } from '../../src/temporal/client';
import { createApplicationWorker } from '../../src/main/application-worker';
import { bundleWorkflows, createJob, eventually, queryState } from '../support/applications';
import { startStack, testEnv, type TestStack } from '../support/stack';
import { relayTo } from '../support/relay';

/**
 * The dev server speaks plain gRPC, so a TLS-terminating relay stands in front of it, as a load
 * balancer or Temporal's own TLS would: certificates from a CA made here, the client's required (mTLS).
 */
const SERVER_NAME = 'temporal.ats.test';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-tls-'));
const file = (name: string) => path.join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

function makeLeaf(name: string, ca: string, usage: 'serverAuth' | 'clientAuth'): void {
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  fs.writeFileSync(
    file(`${name}.ext`),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${usage}`,
      ...(usage === 'serverAuth' ? [`subjectAltName=DNS:${SERVER_NAME}`] : []),
    ].join('\n'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

interface Relay {
  address: string;
  handshakes: { authorized: boolean }[];
  close(): Promise<void>;
}

/** TLS in front, the dev server's plaintext port behind; HTTP/2 is what gRPC negotiates. */
async function startTlsRelay(cert: string, clientCa?: string): Promise<Relay> {
  const target = process.env.ATS_TEST_TEMPORAL_ADDRESS!;
  const sockets = new Set<net.Socket>();
  const handshakes: { authorized: boolean }[] = [];
  const server = tls.createServer(
    {
      key: fs.readFileSync(file(`${cert}.key`)),
      cert: fs.readFileSync(file(`${cert}.pem`)),
      ALPNProtocols: ['h2'],
      ...(clientCa && { requestCert: true, rejectUnauthorized: true, ca: fs.readFileSync(file(`${clientCa}.pem`)) }),
    },
    (client) => {
      handshakes.push({ authorized: client.authorized });
      relayTo(target, client, sockets);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    handshakes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('Temporal over TLS', () => {
  let trusted: Relay;
  let impostor: Relay;
  let bundle: WorkflowBundleWithSourceMap;

  const tlsEnv = (relay: Relay, extra: Record<string, string> = {}) => ({
    TEMPORAL_ADDRESS: relay.address,
    TEMPORAL_TLS_CA: file('ca.pem'),
    TEMPORAL_TLS_CERT: file('client.pem'),
    TEMPORAL_TLS_KEY: file('client.key'),
    TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    ...extra,
  });

  beforeAll(async () => {
    makeCa('ca');
    makeLeaf('server', 'ca', 'serverAuth');
    makeLeaf('client', 'ca', 'clientAuth');
    // A server whose certificate comes from a CA the processes do not trust.
    makeCa('other-ca');
    makeLeaf('impostor', 'other-ca', 'serverAuth');
    trusted = await startTlsRelay('server', 'ca');
    impostor = await startTlsRelay('impostor', 'ca');
    bundle = await bundleWorkflows();
  }, 120_000);
  afterAll(async () => {
    await trusted?.close();
    await impostor?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the API and a worker (with its configured slot limits) connect with the configured certificates, and an application runs through them', async () => {
    const stack: TestStack = await startStack(
      tlsEnv(trusted, { WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '7', WORKER_MAX_CONCURRENT_ACTIVITIES: '5' }),
      { worker: { workflowBundle: bundle } },
    );
    try {
      expect(stack.config.temporal.security.tls?.clientCertPair).toBeDefined();
      // The worker's slot limits come from the configuration.
      expect(stack.worker!.options.tuner.workflowTaskSlotSupplier).toEqual({ type: 'fixed-size', numSlots: 7 });
      expect(stack.worker!.options.tuner.activityTaskSlotSupplier).toEqual({ type: 'fixed-size', numSlots: 5 });
      const recruiter = await stack.user('recruiter');
      const candidate = await stack.user('candidate');
      const job = await createJob(stack, recruiter.user.id);
      const applied = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
      expect(applied.status).toBe(201);
      const id = (applied.body as { id: string }).id;
      const state = await eventually(async () => {
        const s = await queryState(stack, id);
        return s.stage === 'applied' ? s : undefined;
      });
      expect(state.seq).toBe(1);
      // Every connection of client and worker went through the relay, each with a verified client certificate.
      expect(trusted.handshakes.length).toBeGreaterThanOrEqual(2);
      expect(trusted.handshakes.every((h) => h.authorized)).toBe(true);
    } finally {
      await stack.close();
    }
  });

  test('the client refuses a server whose certificate its CA did not sign', async () => {
    const config = loadConfig(testEnv(dir, tlsEnv(impostor)));
    await expect(createTemporalClient(config)).rejects.toThrow(
      new RegExp(
        `cannot connect to Temporal at ${impostor.address} over TLS with a client certificate: TLS handshake failed: .*certificate`,
        'i',
      ),
    );
  });

  test('a worker refuses a server whose certificate its CA did not sign', async () => {
    const config = loadConfig(testEnv(dir, tlsEnv(impostor)));
    const orm = await openOrm(':memory:');
    const redis = createRedis(config.redisUrl);
    try {
      await expect(
        createApplicationWorker({ config, logger: createLogger('silent', 'test'), orm, redis, workflowBundle: bundle }),
      ).rejects.toThrow(
        new RegExp(
          `cannot connect to Temporal at ${impostor.address} over TLS with a client certificate: TLS handshake failed: .*certificate`,
          'i',
        ),
      );
    } finally {
      redis.disconnect();
      await orm.close();
    }
  });

  test('without a client certificate the mTLS server refuses the client', async () => {
    const config = loadConfig(testEnv(dir, tlsEnv(trusted, { TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '' })));
    expect(config.temporal.security.tls?.clientCertPair).toBeUndefined();
    await expect(createTemporalClient(config)).rejects.toThrow(
      /cannot connect to Temporal at .* over TLS: TLS handshake failed: .*certificate/i,
    );
  });
});
