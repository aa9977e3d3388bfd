import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startRedis, type Engine } from '../../src/dev/engines';
import { migrateUp, openOrm } from '../../src/db/orm';
import { testEnv } from '../support/stack';
import { relayTo } from '../support/relay';
import { createDatabase, startPostgres, type PostgresServer } from '../support/postgres-server';

const ROOT = path.resolve(__dirname, '../..');
const entry = (name: string) => path.join(ROOT, `dist/src/main/${name}.js`);

/** A TCP relay to the run's Temporal server that the test can cut, as a network partition would. */
interface Relay {
  address: string;
  cut(): Promise<void>;
}

async function startRelay(target: string): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => relayTo(target, client, sockets));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/**
 * Every process is gone within 10 s of SIGTERM, also when what it would close cleanly is unreachable:
 * Redis stopped and Temporal cut off after the process started.
 */
describe('shutdown with the engines unreachable', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-shutdown-'));
  let redis: Engine | undefined;
  let relay: Relay;
  let child: ChildProcess | undefined;
  let output = '';
  let redisUrl: string;

  beforeAll(() => {
    for (const name of ['api', 'worker', 'notifier'])
      if (!fs.existsSync(entry(name))) throw new Error(`${entry(name)} is missing: run the build (npm test does)`);
  });
  beforeEach(async () => {
    const port = await freePort();
    redis = await startRedis({
      server: process.env.REDIS_SERVER ?? 'redis-server',
      port,
      dir: path.join(dir, `redis-${port}`),
      logFile: path.join(dir, `redis-${port}.log`),
    });
    redisUrl = `redis://127.0.0.1:${port}/0`;
    relay = await startRelay(process.env.ATS_TEST_TEMPORAL_ADDRESS!);
    output = '';
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await redis?.stop();
    await relay.cut();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function start(name: string, ready: string, extra: Record<string, string> = {}): Promise<ChildProcess> {
    const proc = spawn(process.execPath, [entry(name)], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        ...testEnv(dir, { REDIS_URL: redisUrl, TEMPORAL_ADDRESS: relay.address, LOG_LEVEL: 'info', ...extra }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes(ready)) {
      if (proc.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`${name} did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return proc;
  }

  async function stopRedis(): Promise<void> {
    const proc = redis!.process;
    await new Promise((resolve) => {
      proc.once('exit', resolve);
      proc.kill('SIGKILL');
    });
  }

  /** Milliseconds from SIGTERM to exit; fails at 15 s. */
  async function terminate(proc: ChildProcess): Promise<number> {
    // Long enough for the clients to notice the outage and start reconnecting.
    await new Promise((r) => setTimeout(r, 1_000));
    const began = Date.now();
    const exited = new Promise<number>((resolve) => proc.once('exit', () => resolve(Date.now() - began)));
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(Infinity), 15_000);
    });
    return Promise.race([exited, late]).finally(() => clearTimeout(timer));
  }

  test('the notifier exits within 10 s with Redis gone', async () => {
    child = await start('notifier', 'notifier started');
    await stopRedis();
    const took = await terminate(child);
    expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
    expect(took).toBeLessThan(10_000);
  }, 60_000);

  test('the worker exits within 10 s with Redis gone and Temporal cut off', async () => {
    child = await start('worker', 'worker polling');
    await stopRedis();
    await relay.cut();
    const took = await terminate(child);
    expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
    expect(took).toBeLessThan(10_000);
  }, 90_000);

  test.each([['worker'], ['api']])(
    'the %s exits within 10 s while still waiting for an unreachable Temporal',
    async (name) => {
      // Accepts connections and never answers, as a frontend behind a dead load balancer would.
      const silent = net.createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const proc = spawn(process.execPath, [entry(name)], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          ...testEnv(dir, {
            REDIS_URL: redisUrl,
            TEMPORAL_ADDRESS: `127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
            PORT: String(await freePort()),
            LOG_LEVEL: 'info',
          }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
      });
      proc.stderr!.on('data', (d: Buffer) => {
        output += d.toString();
      });
      try {
        await new Promise((r) => setTimeout(r, 2_000));
        expect({ exitCode: proc.exitCode, output }).toEqual({ exitCode: null, output: expect.any(String) });
        const took = await terminate(proc);
        expect(took).toBeLessThan(10_000);
      } finally {
        silent.close();
      }
    },
    60_000,
  );

  test('the API exits within 10 s with Redis gone and Temporal cut off', async () => {
    child = await start('api', 'API listening', { PORT: String(await freePort()) });
    await stopRedis();
    await relay.cut();
    const took = await terminate(child);
    expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
    expect(took).toBeLessThan(10_000);
  }, 60_000);
});

/**
 * The same deadline with the projection's PostgreSQL frozen (SIGSTOPped, backends and all): every
 * connection stays open and no query is ever answered, as when the database host drops off the network.
 */
describe('shutdown with PostgreSQL unreachable', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-shutdown-pg-'));
  let postgres: PostgresServer;
  let databaseUrl: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    postgres = await startPostgres({ port: await freePort() });
    databaseUrl = createDatabase(postgres.url, 'ats');
    const orm = await openOrm({ dialect: 'postgresql', url: databaseUrl });
    await migrateUp(orm);
    await orm.close();
  }, 60_000);
  afterEach(async () => {
    postgres.thaw();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  });
  afterAll(async () => {
    await postgres?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(name: string, ready: string, extra: Record<string, string> = {}): Promise<ChildProcess> {
    output = '';
    const proc = spawn(process.execPath, [entry(name)], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...testEnv(dir, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...extra }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const deadline = Date.now() + 60_000;
    while (!output.includes(ready)) {
      if (proc.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`${name} did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return proc;
  }

  /** Freezes the database, lets the process run into it for a while, then SIGTERMs it: milliseconds to exit, Infinity past 15 s. */
  async function terminateFrozen(proc: ChildProcess, meanwhile: () => Promise<void> = async () => undefined): Promise<number> {
    postgres.freeze();
    await meanwhile();
    await new Promise((r) => setTimeout(r, 2_000));
    const began = Date.now();
    const exited = new Promise<number>((resolve) =>
      proc.once('exit', (code) => {
        process.stdout.write(`exit ${code} ${Date.now() - began} ms after SIGTERM\n`);
        resolve(Date.now() - began);
      }),
    );
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(Infinity), 15_000);
    });
    return Promise.race([exited, late]).finally(() => clearTimeout(timer));
  }

  test('the API exits within 10 s with requests waiting on the database', async () => {
    const port = await freePort();
    const proc = await start('api', 'API listening', { PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    // Requests that need SQL, in flight when the signal comes: a sign-in and the jobs list.
    const took = await terminateFrozen(proc, async () => {
      void fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password' }),
      }).catch(() => undefined);
      void fetch(`${url}/api/jobs`).catch(() => undefined);
      // The database really is out of reach: readiness gives up on it after its own timeout.
      const ready = await fetch(`${url}/readyz`);
      expect([ready.status, ((await ready.json()) as { failing?: string[] }).failing]).toEqual([503, ['sqlite']]);
    });
    expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
  }, 60_000);

  test('the worker exits within 10 s', async () => {
    const proc = await start('worker', 'worker polling');
    const took = await terminateFrozen(proc);
    expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
  }, 60_000);

  test.each([['api'], ['worker'], ['notifier']])(
    'the %s exits within 10 s when the database was already unreachable at its start',
    async (name) => {
      postgres.freeze();
      output = '';
      const proc = spawn(process.execPath, [entry(name)], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          ...testEnv(dir, { DATABASE_URL: databaseUrl, PORT: String(await freePort()), LOG_LEVEL: 'info' }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      proc.stdout!.on('data', (d: Buffer) => {
        output += d.toString();
      });
      proc.stderr!.on('data', (d: Buffer) => {
        output += d.toString();
      });
      // Still starting: waiting on the first connection.
      await new Promise((r) => setTimeout(r, 3_000));
      expect({ exitCode: proc.exitCode, output }).toEqual({ exitCode: null, output: expect.any(String) });
      const took = await terminateFrozen(proc, async () => undefined);
      expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
    },
    60_000,
  );

  test('the notifier exits within 10 s with its outbox sweep waiting on the database', async () => {
    const proc = await start('notifier', 'notifier started', { NOTIFICATION_SWEEP_MS: '200' });
    const took = await terminateFrozen(proc);
    expect({ took, output: took < 10_000 ? '' : output }).toEqual({ took: expect.any(Number), output: '' });
  }, 60_000);
});
