import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The checkout's root: this file runs from dist/bench/support. */
export const ROOT = path.resolve(__dirname, '../../..');
export const DIST = path.join(ROOT, 'dist');

/** One OS process of the run, started from a built entry point, logging to its own file. */
export interface BenchProcess {
  name: string;
  pid: number;
  /** A server of several OS processes (PostgreSQL's postmaster and backends): sampled as their sum. */
  pids?(): number[];
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** A script under dist/ (e.g. `src/main/api.js`), or another build's by its absolute path. */
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  logDir: string;
  /** A line of output that says the process serves. */
  ready: RegExp;
  timeoutMs?: number;
}

/**
 * Output goes straight to the log file (no pipe through this process, which would cost it CPU while
 * it measures); readiness is read back from that file.
 */
export async function startProcess(opts: StartOptions): Promise<BenchProcess> {
  const logFile = path.join(opts.logDir, `${opts.name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const offset = fs.fstatSync(fd).size;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.resolve(DIST, opts.script), ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    const output = fs.readFileSync(logFile, 'utf8').slice(offset);
    if (opts.ready.test(output)) break;
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${opts.name} exited with ${child.exitCode ?? child.signalCode} while starting:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} did not start within ${(opts.timeoutMs ?? 90_000) / 1000} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name: opts.name, pid: child.pid!, stop: () => stopChild(child) };
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs a script under dist/ (or another build's, by its absolute path) to its end; rejects with its
 * output when it fails. `onLine` hears each line of its standard output as it comes.
 */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
  onLine?: (line: string) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.resolve(DIST, script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (!onLine) return;
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${script} ${args.join(' ')} exited with ${code}:\n${output.slice(-3000)}`)),
    );
  });
}

/** Resident memory in MB (VmRSS), or NaN once the process is gone. */
export function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) the process has used, in ms; NaN once it is gone. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ, 100 on every Linux the project runs on. */
const CLOCK_TICKS = 100;
