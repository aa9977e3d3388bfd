import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portAnswers } from '../../src/dev/engines';
import { devEnv, freeDevPorts } from '../support/dev-run';

const ROOT = path.resolve(__dirname, '../..');

interface DevRun {
  npm: ChildProcess;
  ports: Record<'api' | 'temporal' | 'ui' | 'redis', number>;
  output: () => string;
  dir: string;
  /** The processes below npm when it was signalled: orphans, should the runner outlive npm, are found no other way. */
  tree: number[];
}

/** `npm run dev` in the checkout, in a process group of its own, with its state and ports of its own; resolves once /readyz is 200. */
async function startDev(): Promise<DevRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-dev-signals-'));
  const ports = await freeDevPorts();
  let output = '';
  const npm = spawn('npm', ['run', '--silent', 'dev'], {
    cwd: ROOT,
    // No DATABASE_URL: with its state moved (ATS_DEV_VAR_DIR), the runner keeps the database there too.
    env: devEnv(dir, ports, { TEMPORAL_TASK_QUEUE: 'applications-dev-signals' }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [npm.stdout!, npm.stderr!]) stream.on('data', (d) => (output += d));
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline && npm.exitCode === null) {
    const status = await fetch(`http://127.0.0.1:${ports.api}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { npm, ports, output: () => output, dir, tree: [] };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`npm run dev did not get ready:\n${output}`);
}

/** Every process below `pid`, read from /proc: the runner, its engines and the api, worker and notifier. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after its last `)` are fixed.
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(ppid));
    } catch {
      /* gone meanwhile */
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) if (ppid === parent) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    // A zombie has exited; only its parent's wait is missing.
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/**
 * How `npm run dev` stops when asked from outside, besides Ctrl-C (test/e2e/dev.test.ts): a process
 * manager or an IDE sends SIGTERM to the npm process alone; a closed terminal sends SIGHUP to the
 * whole process group. Either way every process it started exits within 10 s.
 */
describe('npm run dev, stopped by a signal', () => {
  const runs: DevRun[] = [];
  afterAll(() => {
    for (const run of runs) {
      for (const pid of [run.npm.pid!, ...run.tree, ...descendants(run.npm.pid!)]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      fs.rmSync(run.dir, { recursive: true, force: true });
    }
  });

  const stopsWithin = async (run: DevRun, send: () => void) => {
    const processes = descendants(run.npm.pid!);
    run.tree = processes;
    expect(processes.length).toBeGreaterThanOrEqual(6);
    const exited = new Promise<string>((resolve) => run.npm.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
    const began = Date.now();
    send();
    const how = await exited;
    while (processes.some(alive) && Date.now() - began < 10_000) await new Promise((r) => setTimeout(r, 100));
    expect({ left: processes.filter(alive), within: Date.now() - began < 10_000 }).toEqual({ left: [], within: true });
    for (const port of Object.values(run.ports)) expect(await portAnswers(port)).toBe(false);
    return how;
  };

  test('SIGTERM to npm alone stops the runner and everything it started', async () => {
    const run = await startDev();
    runs.push(run);
    const how = await stopsWithin(run, () => process.kill(run.npm.pid!, 'SIGTERM'));
    expect(['code 0', 'SIGTERM']).toContain(how);
    expect(run.output()).not.toContain('exited (');
    expect(fs.existsSync(path.join(run.dir, 'var', 'dev.db'))).toBe(true);
  }, 200_000);

  test('the terminal closing (SIGHUP to the process group) stops everything too', async () => {
    const run = await startDev();
    runs.push(run);
    await stopsWithin(run, () => process.kill(-run.npm.pid!, 'SIGHUP'));
  }, 200_000);
});
