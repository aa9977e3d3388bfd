import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedis, type Engine } from '../../src/dev/engines';

/** `npm run dev` and the test harness start redis-server through startRedis: what it keeps must survive a crash. */
describe('redis-server as the engines start it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-redis-aof-'));
  let engine: Engine | undefined;
  let port: number;
  const start = async () => {
    engine = await startRedis({ server: process.env.REDIS_SERVER ?? 'redis-server', port, dir, logFile: path.join(dir, 'redis.log') });
  };

  beforeAll(async () => {
    port = await freePort();
    await start();
  });
  afterAll(async () => {
    await engine?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('runs with an append-only file fsynced every second', async () => {
    const redis = new Redis(port, '127.0.0.1');
    try {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    } finally {
      redis.disconnect();
    }
  });

  test('keeps a queued write across a SIGKILL of redis-server', async () => {
    const redis = new Redis(port, '127.0.0.1');
    await redis.rpush('bull:notifications:wait', 'job-1');
    // Past the one-second fsync window, so the write is on disk.
    await new Promise((r) => setTimeout(r, 1500));
    redis.disconnect();
    const killed = engine!.process;
    await new Promise((resolve) => {
      killed.once('exit', resolve);
      killed.kill('SIGKILL');
    });
    await start();
    const again = new Redis(port, '127.0.0.1');
    try {
      expect(await again.lrange('bull:notifications:wait', 0, -1)).toEqual(['job-1']);
    } finally {
      again.disconnect();
    }
  });
});
