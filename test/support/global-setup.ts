import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enginePaths, freePort, startRedis, startTemporal } from '../../src/dev/engines';
import { startPostgres } from './postgres-server';

/**
 * Starts one real Temporal dev server (with its Web UI) and one real redis-server for the whole test
 * run, on free ports, and tells the test files where they are through the environment. A run with
 * `ATS_TEST_DATABASE=postgresql` starts one PostgreSQL server beside them; each stack then gets a
 * database of its own on it.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-test-'));
  const paths = enginePaths(root);
  const [temporalPort, uiPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const postgres = process.env.ATS_TEST_DATABASE === 'postgresql';
  const engines: { stop(): Promise<void> }[] = await Promise.all([
    startTemporal({
      cli: paths.temporal,
      port: temporalPort,
      uiPort,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
    }),
    startRedis({ server: paths.redis, port: redisPort, dir: path.join(dir, 'redis'), logFile: path.join(dir, 'redis.log') }),
    ...(postgres ? [freePort().then((port) => startPostgres({ port }))] : []),
  ]);
  if (postgres) {
    const server = engines[2] as Awaited<ReturnType<typeof startPostgres>>;
    Object.assign(process.env, { ATS_TEST_POSTGRES_URL: server.url, ATS_TEST_POSTGRES_LOG: server.logFile });
  }
  Object.assign(process.env, {
    ATS_TEST_DIR: dir,
    ATS_TEST_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    ATS_TEST_TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}`,
    ATS_TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    REDIS_SERVER: paths.redis,
    TEMPORAL_CLI: paths.temporal,
  });
  (globalThis as { __atsEngines?: { stop(): Promise<void> }[] }).__atsEngines = engines;
}
