import { MockActivityEnvironment } from '@temporalio/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { keptAlive } from '../../activities/kept-alive';

describe('keptAlive', () => {
  test('heartbeats about once a second while the work runs, and stops when it ends', async () => {
    const env = new MockActivityEnvironment();
    const beats: number[] = [];
    env.on('heartbeat', () => beats.push(Date.now()));
    const started = Date.now();
    await expect(env.run(() => keptAlive(async () => (await sleep(2_500), 'done')))).resolves.toBe('done');
    expect(beats.length).toBe(2);
    expect(beats[0] - started).toBeGreaterThanOrEqual(900);
    await sleep(1_200);
    expect(beats.length).toBe(2);
  });

  test('work that ends within a second sends no heartbeat; a failure still stops them', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await expect(env.run(() => keptAlive(async () => 7))).resolves.toBe(7);
    await expect(
      env.run(() =>
        keptAlive(async () => {
          await sleep(1_100);
          throw new Error('SQL refused');
        }),
      ),
    ).rejects.toThrow('SQL refused');
    expect(beats).toBe(1);
    await sleep(1_200);
    expect(beats).toBe(1);
  });
});
