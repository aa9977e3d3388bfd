import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, portAnswers } from '../../../src/dev/engines';

/** redis-server as production runs it: append-only file, fsync every second, no RDB snapshots. */
export interface RedisServer {
  url: string;
  /**
   * Stops with `signal` and starts again on the same directory (so on the same append-only file);
   * `empty` deletes that file first, as a failover to a replica that had nothing, or a restore from an old dump.
   */
  restart(signal: 'SIGTERM' | 'SIGKILL', options?: { empty?: boolean }): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

export async function startRedisServer(dir: string): Promise<RedisServer> {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const logFile = path.join(dir, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--logfile',
    logFile,
  ];
  const start = async (): Promise<ChildProcess> => {
    const child = spawn(process.env.REDIS_SERVER ?? 'redis-server', args, { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (!(await portAnswers(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return child;
  };
  const stopChild = (child: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  let child = await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    async restart(signal, options = {}) {
      const t0 = Date.now();
      await stopChild(child, signal);
      if (options.empty) fs.rmSync(path.join(dir, 'appendonlydir'), { recursive: true, force: true });
      child = await start();
      return { downMs: Date.now() - t0 };
    },
    stop: () => stopChild(child, 'SIGTERM'),
  };
}
