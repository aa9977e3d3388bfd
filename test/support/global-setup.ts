import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enginePaths, freePort, startRedis, startTemporal, type Engine } from '../../src/dev/engines';

/**
 * Starts one real Temporal dev server (with its Web UI) and one real redis-server for the whole test
 * run, on free ports, and tells the test files where they are through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-test-'));
  const paths = enginePaths(root);
  const [temporalPort, uiPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const engines: Engine[] = await Promise.all([
    startTemporal({ cli: paths.temporal, port: temporalPort, uiPort, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') }),
    startRedis({ server: paths.redis, port: redisPort, dir: path.join(dir, 'redis'), logFile: path.join(dir, 'redis.log') }),
  ]);
  Object.assign(process.env, {
    ATS_TEST_DIR: dir,
    ATS_TEST_TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    ATS_TEST_TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}`,
    ATS_TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    REDIS_SERVER: paths.redis,
    TEMPORAL_CLI: paths.temporal,
  });
  (globalThis as { __atsEngines?: Engine[] }).__atsEngines = engines;
}
