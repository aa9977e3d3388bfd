import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL server for the test run: Debian's binaries, a data directory under the
 * run's temporary folder, trust authentication on 127.0.0.1 only, fsync off (the data dies with the
 * run). PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user.
 */
export const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
const USER = 'ats';

/** `url` has no database: add one made by `createDatabase`. `logFile`: the server's log (statements a session chooses to log). */
export interface PostgresServer {
  url: string;
  logFile: string;
  stop(): Promise<void>;
  /** SIGSTOPs the server and every backend: connections open and queries sent are never answered, as across a dead network. */
  freeze(): void;
  /** SIGCONTs them again. */
  thaw(): void;
  /** The postmaster and its children now. */
  pids(): number[];
}

/** The postmaster (from its pid file) and its children: backends, checkpointer, WAL writer… */
function serverProcesses(data: string): number[] {
  const file = path.join(data, 'postmaster.pid');
  if (!fs.existsSync(file)) return [];
  const postmaster = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // Field 4 of /proc/PID/stat is the parent's pid; the name in field 2 may hold spaces, so split after it.
        return Number(fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone meanwhile */
    }
  }
}

function asServerUser(bin: string, args: string[]): string[] {
  if (process.getuid?.() !== 0) return [path.join(POSTGRES_BIN, bin), ...args];
  return [
    'su',
    'postgres',
    '-s',
    '/bin/sh',
    '-c',
    [path.join(POSTGRES_BIN, bin), ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' '),
  ];
}

function run(bin: string, args: string[]): void {
  const [command, ...rest] = asServerUser(bin, args);
  execFileSync(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Its own temporary folder (not under the run's, which only root may enter), removed by `stop`. */
export async function startPostgres(opts: { port: number }): Promise<PostgresServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-postgres-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  run('initdb', ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', '--no-sync']);
  const options = `-p ${opts.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
  const stop = () =>
    new Promise<void>((resolve) => {
      signalAll(serverProcesses(data), 'SIGCONT');
      const [command, ...rest] = asServerUser('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      const done = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      spawn(command, rest, { stdio: 'ignore' }).once('exit', done).once('error', done);
    });
  const url = `postgresql://${USER}@127.0.0.1:${opts.port}`;
  return {
    stop,
    url,
    logFile: path.join(dir, 'postgres.log'),
    freeze: () => signalAll(serverProcesses(data), 'SIGSTOP'),
    thaw: () => signalAll(serverProcesses(data), 'SIGCONT'),
    pids: () => serverProcesses(data),
  };
}

/** A fresh, empty database on the run's server; its URL. */
export function createDatabase(serverUrl: string, name: string): string {
  const { hostname, port, username } = new URL(serverUrl);
  execFileSync(path.join(POSTGRES_BIN, 'createdb'), ['-h', hostname, '-p', port, '-U', username, name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return `${serverUrl}/${name}`;
}

export function dropDatabase(serverUrl: string, name: string): void {
  const { hostname, port, username } = new URL(serverUrl);
  execFileSync(path.join(POSTGRES_BIN, 'dropdb'), ['-h', hostname, '-p', port, '-U', username, '--force', '--if-exists', name], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
