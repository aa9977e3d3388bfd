import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { freePort } from '../../../src/dev/engines';
import { SEARCH_ATTRIBUTES } from '../../../src/temporal/search-attributes';
import type { PostgresServer } from '../../support/postgres-server';

/** Where Temporal's SQL persistence connects: the PostgreSQL server's host, port and user. */
interface Pg {
  host: string;
  port: number;
  user: string;
}

function pgOf(server: PostgresServer): Pg {
  const { hostname, port, username } = new URL(server.url);
  return { host: hostname, port: Number(port), user: username };
}

const exec = promisify(execFile);

/** A full Temporal server (not the CLI's dev server) whose persistence and visibility live in PostgreSQL. */
export interface TemporalServer {
  address: string;
  process(): ChildProcess;
  /** SIGTERM, wait for the exit, and start again on the same databases and ports. Resolves when it serves again. */
  restart(): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the cluster suite with npm run test:cluster`);
  return value;
}

async function sqlTool(pg: Pg, database: string, args: string[]): Promise<void> {
  await exec(env('TEMPORAL_SQL_TOOL'), ['--db', database, ...args], {
    env: { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: pg.host, SQL_PORT: String(pg.port), SQL_USER: pg.user, SQL_PASSWORD: '' },
  });
}

/** Creates both Temporal databases and brings their schemas to the server's version with its own tool. */
export async function setupTemporalSchema(pg: Pg): Promise<void> {
  const versioned = path.join(env('TEMPORAL_SERVER_SOURCE'), 'schema/postgresql/v12');
  for (const [database, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ]) {
    await sqlTool(pg, database, ['create-database']);
    await sqlTool(pg, database, ['setup-schema', '-v', '0.0']);
    await sqlTool(pg, database, ['update-schema', '-d', path.join(versioned, dir, 'versioned')]);
  }
}

/** The module's development-postgres12.yaml with every port free, our database, and Prometheus off port 8000. */
async function writeConfig(pg: Pg, dir: string): Promise<{ configDir: string; frontendPort: number }> {
  const source = path.join(env('TEMPORAL_SERVER_SOURCE'), 'config');
  const configDir = path.join(dir, 'config');
  fs.mkdirSync(path.join(configDir, 'dynamicconfig'), { recursive: true });
  const dynamic = path.join(configDir, 'dynamicconfig/development-sql.yaml');
  fs.copyFileSync(path.join(source, 'dynamicconfig/development-sql.yaml'), dynamic);
  fs.chmodSync(dynamic, 0o644);
  const config = YAML.parse(fs.readFileSync(path.join(source, 'development-postgres12.yaml'), 'utf8'));
  for (const store of Object.values<{ sql: Record<string, unknown> }>(config.persistence.datastores)) {
    Object.assign(store.sql, { connectAddr: `${pg.host}:${pg.port}`, user: pg.user, password: '' });
  }
  for (const service of Object.values<{ rpc: Record<string, unknown> }>(config.services)) {
    service.rpc.grpcPort = await freePort();
    service.rpc.membershipPort = await freePort();
    if ('httpPort' in service.rpc) service.rpc.httpPort = await freePort();
  }
  const frontendPort = config.services.frontend.rpc.grpcPort as number;
  config.global.pprof.port = await freePort();
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${await freePort()}`;
  config.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${frontendPort}`;
  config.dynamicConfigClient.filepath = dynamic;
  config.log.level = 'warn';
  fs.writeFileSync(path.join(configDir, 'cluster.yaml'), YAML.stringify(config));
  return { configDir, frontendPort };
}

async function cli(address: string, args: string[]): Promise<string> {
  const { stdout } = await exec(env('TEMPORAL_CLI'), [...args, '--address', address], { timeout: 20_000 });
  return stdout;
}

async function waitServing(address: string, child: ChildProcess, logFile: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal-server exited with ${child.exitCode}; see ${logFile}`);
    const ok = await cli(address, ['operator', 'cluster', 'health']).then(
      (out) => out.includes('SERVING'),
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`temporal-server did not serve within ${timeoutMs} ms; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Schema, config, server, then the `default` namespace with our search attributes. */
export async function startTemporalServer(
  server: PostgresServer,
  dir: string,
  started: { stop(): unknown }[] = [],
): Promise<TemporalServer> {
  fs.mkdirSync(dir, { recursive: true });
  const pg = pgOf(server);
  await setupTemporalSchema(pg);
  const { configDir, frontendPort } = await writeConfig(pg, dir);
  const address = `127.0.0.1:${frontendPort}`;
  const logFile = path.join(dir, 'temporal-server.log');
  const start = async (): Promise<ChildProcess> => {
    const log = fs.openSync(logFile, 'a');
    const child = spawn(
      env('TEMPORAL_SERVER'),
      ['--root', dir, '--config', path.relative(dir, configDir), '--env', 'cluster', '--allow-no-auth', 'start'],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    try {
      await waitServing(address, child, logFile);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return child;
  };
  const stopChild = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });

  let child: ChildProcess | undefined;
  started.push({ stop: () => child && stopChild(child) });
  child = await start();
  await cli(address, ['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '24h']);
  const attributes = Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--name', name, '--type', type]);
  // The frontend learns a new namespace from its cache refresh; retry until it accepts the attributes.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await cli(address, ['operator', 'search-attribute', 'create', '--namespace', 'default', ...attributes]);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return {
    address,
    process: () => child!,
    async restart() {
      const t0 = Date.now();
      await stopChild(child!);
      child = await start();
      return { downMs: Date.now() - t0 };
    },
    stop: () => stopChild(child!),
  };
}
