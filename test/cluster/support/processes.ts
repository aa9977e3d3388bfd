import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NODE_FLAGS, PROCESS_ENV } from '../../../src/main/process-settings';

export const ROOT = path.resolve(__dirname, '../../..');

export type Role = 'api' | 'worker' | 'notifier';

const ENTRY: Record<Role, string> = {
  api: 'dist/src/main/api.js',
  worker: 'dist/src/main/worker.js',
  notifier: 'dist/src/main/notifier.js',
};

/** What each built entry point logs once it serves (pino's `msg`). */
const READY: Record<Role, RegExp> = { api: /API listening/, worker: /worker polling/, notifier: /notifier started/ };

/** One OS process of a pool (`node dist/src/main/<role>.js` with production's flags), restartable with the same environment. */
export interface ServiceProcess {
  name: string;
  role: Role;
  pid(): number | undefined;
  running(): boolean;
  start(): Promise<void>;
  /** Sends `signal` and waits for the exit; resolves with how long that took. */
  stop(signal?: NodeJS.Signals): Promise<{ exitMs: number; code: number | null; signal: NodeJS.Signals | null }>;
}

export function serviceProcess(name: string, role: Role, env: Record<string, string>, logDir: string): ServiceProcess {
  let child: ChildProcess | undefined;
  const logFile = path.join(logDir, `${name}.log`);
  return {
    name,
    role,
    pid: () => child?.pid,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      const log = fs.createWriteStream(logFile, { flags: 'a' });
      child = spawn(process.execPath, [...NODE_FLAGS[role], path.join(ROOT, ENTRY[role])], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...PROCESS_ENV, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const current = child;
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s; see ${logFile}`)), 60_000);
        const onData = (chunk: Buffer) => {
          log.write(chunk);
          if (output.length < 100_000) output += chunk.toString();
          if (READY[role].test(output)) {
            clearTimeout(timer);
            resolve();
          }
        };
        current.stdout!.on('data', onData);
        current.stderr!.on('data', onData);
        current.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited with ${code} while starting:\n${output.slice(-2000)}`));
        });
      });
    },
    stop(signal = 'SIGTERM') {
      const current = child;
      return new Promise((resolve) => {
        const t0 = Date.now();
        if (!current || current.exitCode !== null || current.signalCode !== null)
          return resolve({ exitMs: 0, code: current?.exitCode ?? null, signal: current?.signalCode ?? null });
        current.once('exit', (code, sig) => resolve({ exitMs: Date.now() - t0, code, signal: sig }));
        current.kill(signal);
      });
    },
  };
}
