import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDevProcesses, listenerPid } from '../../bench/support/dev-processes';
import { parseDevOptions } from '../../bench/dev';
import { freePort } from '../../src/dev/engines';

/**
 * bench:dev finds a running `npm run dev` from outside: here a stand-in of its shape, a runner
 * script (…/dev/run-dev.js) whose children are the api (listening), the worker and the notifier.
 */
describe('bench:dev', () => {
  let dir: string;
  let runner: ChildProcess | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dev-test-'));
    fs.mkdirSync(path.join(dir, 'dev'));
    fs.mkdirSync(path.join(dir, 'main'));
    const idle = 'setInterval(() => {}, 1000);';
    fs.writeFileSync(path.join(dir, 'main', 'worker.js'), idle);
    fs.writeFileSync(path.join(dir, 'main', 'notifier.js'), idle);
    fs.writeFileSync(
      path.join(dir, 'main', 'api.js'),
      "require('node:net').createServer().listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));",
    );
    fs.writeFileSync(
      path.join(dir, 'dev', 'run-dev.js'),
      `const { spawn } = require('node:child_process');
      for (const name of ['worker', 'notifier', 'api'])
        spawn(process.execPath, [require('node:path').join(__dirname, '..', 'main', name + '.js')], { stdio: 'inherit' });
      process.on('SIGTERM', () => process.exit(0));
      setInterval(() => {}, 1000);`,
    );
  });

  afterEach(() => {
    if (runner?.pid) {
      // The stand-in's children share its process group.
      process.kill(-runner.pid, 'SIGKILL');
    }
    runner = undefined;
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('finds the runner, its api, worker and notifier, and the api environment', async () => {
    const port = await freePort();
    runner = spawn(process.execPath, [path.join(dir, 'dev', 'run-dev.js')], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), TEMPORAL_ADDRESS: 'localhost:1', REDIS_URL: 'redis://localhost:2' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    await new Promise<void>((resolve) => runner!.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
    const found = findDevProcesses(port);
    const pids = Object.fromEntries(found.pids);
    expect(pids.runner).toBe(runner.pid);
    expect(Object.keys(pids).sort()).toEqual(['api', 'notifier', 'runner', 'worker']);
    const scriptOf = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1];
    for (const name of ['api', 'worker', 'notifier']) expect(scriptOf(pids[name])).toBe(path.join(dir, 'main', `${name}.js`));
    expect(found.env.PORT).toBe(String(port));
  });

  test('a port nothing listens on has no process, and names none', async () => {
    const port = await freePort();
    expect(listenerPid(port)).toBeUndefined();
    expect(() => findDevProcesses(port)).toThrow(/npm run dev/);
  });

  test.each([
    [[], { applies: 300, clients: 10, jobs: 1, moves: 1, rounds: 1, api: 'http://localhost:8000' }],
    [
      ['--applies', '50', '--jobs', '10', '--moves', '3', '--api', 'http://127.0.0.1:9000/'],
      { applies: 50, jobs: 10, moves: 3, api: 'http://127.0.0.1:9000' },
    ],
  ])('options %j', (argv, expected) => {
    expect(parseDevOptions(argv)).toMatchObject(expected);
  });

  test.each([[['--moves', '4']], [['--applies']], [['--nope', '1']], [['--clients', '0']]])('refuses %j', (argv) => {
    expect(() => parseDevOptions(argv)).toThrow(/usage: npm run bench:dev/);
  });
});
