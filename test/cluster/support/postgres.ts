import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../../src/dev/engines';

/** A throwaway PostgreSQL server (Debian's packages) in its own data directory, on a free port. */
export interface Postgres {
  host: string;
  port: number;
  user: string;
  url(database: string): string;
  createDatabase(name: string): void;
  stop(): void;
}

const USER = 'ats';

/** PostgreSQL refuses to run as root, so as root the server runs as the `postgres` account. */
function asServerUser(command: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
}

function run(command: string, args: string[]): void {
  const [bin, ...rest] = asServerUser(command, args);
  const result = spawnSync(bin, rest, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

export async function startPostgres(dir: string): Promise<Postgres> {
  const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', USER, '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`;
  run(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
  const host = '127.0.0.1';
  return {
    host,
    port,
    user: USER,
    url: (database) => `postgresql://${USER}@${host}:${port}/${database}`,
    createDatabase(name) { run(path.join(bin, 'createdb'), ['-h', host, '-p', String(port), '-U', USER, name]); },
    stop() { run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']); },
  };
}
