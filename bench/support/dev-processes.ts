import fs from 'node:fs';
import path from 'node:path';

/**
 * The processes of a running `npm run dev`, found from outside through /proc: the API by the port it
 * listens on, the runner as its parent, the worker and notifier as the runner's other children, and
 * the Temporal server and Redis by the ports the API's environment names (whoever started them).
 */
export interface DevProcesses {
  /** Name → pid: `runner` (when the API was started by `npm run dev`), api, worker, notifier, temporal, redis. */
  pids: Map<string, number>;
  /** The API's environment, as the runner gave it. */
  env: Record<string, string>;
  /** The API's working directory, which relative paths in its environment are relative to. */
  cwd: string;
}

export function findDevProcesses(apiPort: number): DevProcesses {
  const api = listenerPid(apiPort);
  if (api === undefined) throw new Error(`nothing of this user's listens on port ${apiPort}: is \`npm run dev\` running?`);
  const env = environOf(api);
  const cwd = fs.readlinkSync(`/proc/${api}/cwd`);
  const pids = new Map<string, number>();
  const runner = ppidOf(api);
  if (runner !== undefined && cmdlineOf(runner).some((a) => a.endsWith(path.join('dev', 'run-dev.js')))) {
    pids.set('runner', runner);
    for (const child of childrenOf(runner)) {
      const script = cmdlineOf(child).find((a) => /main[/\\](worker|notifier)\.js$/.test(a));
      if (script) pids.set(path.basename(script, '.js'), child);
    }
  }
  pids.set('api', api);
  const temporalPort = Number(new URL(`tcp://${env.TEMPORAL_ADDRESS ?? 'localhost:7233'}`).port) || 7233;
  const redisPort = Number(new URL(env.REDIS_URL ?? 'redis://localhost:6379').port) || 6379;
  for (const [name, port] of [
    ['temporal', temporalPort],
    ['redis', redisPort],
  ] as const) {
    const pid = listenerPid(port);
    if (pid !== undefined) pids.set(name, pid);
  }
  return { pids, env, cwd };
}

/** The pid of this user's process listening on TCP `port` (IPv4 or IPv6), read from /proc/net and each process's fds. */
export function listenerPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (fields.length > 9 && fields[3] === '0A' && parseInt(fields[1].split(':')[1], 16) === port) inodes.add(fields[9]);
    }
  }
  if (!inodes.size) return undefined;
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode && inodes.has(inode)) return pid;
      } catch {
        // The fd closed meanwhile.
      }
    }
  }
  return undefined;
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function ppidOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: the fields after its closing parenthesis are state, then ppid.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  return allPids().filter((p) => ppidOf(p) === pid);
}

function cmdlineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function environOf(pid: number): Record<string, string> {
  const entries = fs
    .readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]);
  return Object.fromEntries(entries);
}
