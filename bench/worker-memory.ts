import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { sqliteFileFromUrl } from '../src/config';
import { parseOptions } from './options';
import { applyRound, stageChanges, type Side } from './phases';
import { DIST, ROOT } from './support/processes';
import { benchContext, benchMain, newRunId, seededApplies } from './support/harness';
import { memoryOf } from './support/memory';
import { Seeder } from './support/seed';
import { startSystem } from './support/system';

/**
 * `npm run bench:worker-memory`: what a cached application workflow costs the worker, beside the
 * bare and feature-matched workers. Starts the system as the bench does, then in steps applies
 * applications through the API (and bare workflows beside them) and moves each once, so that each
 * worker's cache holds that many more; after each step it reads every worker's PSS as it stands and
 * again after two full GCs, with the V8 heaps of its main and workflow threads (bench/support/heap-probe.ts).
 * With --snapshots, each thread of each worker writes a heap snapshot before the first step and after
 * the last (a snapshot leaves the process's PSS higher: compare PSS from runs without).
 */
export const WORKER_MEMORY_USAGE = `usage: npm run bench:worker-memory -- [options]
  --steps N,N,...         applications after each step (100,200); each worker's cache holds up to
                          WORKER_MAX_CACHED_WORKFLOWS of them (200 by default), the rest are evicted
  --clients N             concurrent clients of the applies and stage changes (2)
  --snapshots             heap snapshots of every worker (bench/support/heap-probe.ts) at 0 and after the last step
  --out DIR               where the run's folder goes (var/bench)`;

const WORKERS = ['worker', 'bare-worker', 'matched-worker'];

interface ProbeReading {
  main: { usedHeap: number; contexts: number };
  threads: { threadId: number; usedHeap: number; contexts: number }[];
  pssKb: number;
}

interface Reading {
  /** Applications applied and moved so far (the workers' caches hold up to WORKER_MAX_CACHED_WORKFLOWS). */
  cached: number;
  worker: string;
  pssMb: number;
  gcPssMb: number;
  /** The main thread's V8 heap after a full GC. */
  heapMb: number;
  /** The other threads' (the workflow thread's) V8 heaps after a full GC. */
  threadHeapMb: number;
  contexts: number;
}

async function run(argv: string[]): Promise<boolean> {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
  const steps = value('--steps', '100,200').split(',').map(Number);
  const clients = Number(value('--clients', '2'));
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`--clients needs a positive integer\n${WORKER_MEMORY_USAGE}`);
  // Each step applies its warm-up (2 x clients) and at least one measured application more.
  if (steps.some((n, i) => !Number.isInteger(n) || n - (steps[i - 1] ?? 0) <= 2 * clients))
    throw new Error(`--steps must grow by more than 2 x clients each\n${WORKER_MEMORY_USAGE}`);
  const snapshots = flag('--snapshots');
  const runId = newRunId();
  const dir = path.resolve(ROOT, value('--out', 'var/bench'), `worker-memory-${runId}`);
  const probeDir = path.join(dir, 'probe');
  fs.mkdirSync(probeDir, { recursive: true });
  const opts = { ...parseOptions(['--quick'], {}), clients, movesPerApplication: 1 };
  const seeded = { recruiterId: 0, candidates: [] as number[], applyJobs: [] as number[] };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const system = await startSystem({
    dir,
    profile: false,
    recruiterId: () => seeded.recruiterId,
    async beforeStart(env) {
      const seeder = new Seeder(sqliteFileFromUrl(env.DATABASE_URL));
      seeder.offsetIds();
      [seeded.recruiterId] = seeder.users('recruiter', 1, 'recruiter');
      seeded.candidates = seeder.users('candidate', 2 * Math.max(...steps) + 100, 'applicant');
      seeded.applyJobs = seeder.jobs(seeded.recruiterId, 10, 'Apply job');
      env.NODE_OPTIONS = `--require=${path.join(DIST, 'bench/support/heap-probe.js')}`;
      env.BENCH_HEAP_PROBE_DIR = probeDir;
    },
  });
  const stop = () => {
    void system.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const connection = await Connection.connect({ address: system.temporalAddress });
  const readings: Reading[] = [];
  try {
    const ctx = benchContext({ opts, system, connection, runId, ...seededApplies(system, seeded), sampled: WORKERS });
    const read = async (cached: number) => {
      await new Promise((r) => setTimeout(r, 3000));
      for (const name of WORKERS) {
        const { pid } = system.processes.get(name)!;
        const before = memoryOf(pid);
        const probe = await probeOf(probeDir, pid);
        fs.writeFileSync(path.join(probeDir, `smaps-${name}-${cached}.txt`), fs.readFileSync(`/proc/${pid}/smaps`));
        const reading = {
          cached,
          worker: name,
          pssMb: before?.pssMb ?? NaN,
          gcPssMb: probe.pssKb / 1024,
          heapMb: probe.main.usedHeap / 2 ** 20,
          threadHeapMb: probe.threads.reduce((n, t) => n + t.usedHeap, 0) / 2 ** 20,
          contexts: probe.main.contexts + probe.threads.reduce((n, t) => n + t.contexts, 0),
        };
        readings.push(reading);
        say(
          `  ${String(cached).padStart(4)} applications  ${name.padEnd(15)} PSS ${reading.pssMb.toFixed(1)} MB, after GC ${reading.gcPssMb.toFixed(1)} MB, heap used ${reading.heapMb.toFixed(1)} MB (main thread) + ${reading.threadHeapMb.toFixed(1)} MB (other threads), V8 contexts ${reading.contexts}`,
        );
      }
    };
    const snapshot = async () => {
      for (const name of WORKERS) await snapshotOf(probeDir, system.processes.get(name)!.pid);
    };
    await read(0);
    if (snapshots) await snapshot();
    let cached = 0;
    for (const [k, target] of steps.entries()) {
      const warmup = 2 * clients;
      ctx.opts = { ...opts, applies: target - cached - warmup };
      say(`step ${k + 1}: ${target - cached} applications each side, applied and moved once`);
      const applied = await applyRound(ctx, `step-${k + 1}`, clients, ['matched']);
      const moved = await stageChanges(ctx, applied, clients, 1);
      // The bench's figure: each worker's highest PSS while its own side's load ran.
      const peak = (side: Side | undefined, name: string) => side?.usage[name]?.pssMaxMb?.toFixed(1) ?? '-';
      say(
        `  highest PSS during the loads (MB): ${WORKERS.map((name, i) => {
          const side = (['system', 'bare', 'matched'] as const)[i];
          return `${name} ${peak(applied.pair[side], name)} (applies), ${peak(moved[side], name)} (stage changes)`;
        }).join('; ')}`,
      );
      cached = target;
      await read(cached);
    }
    if (snapshots) await snapshot();
    // From 0, the first workflows' one-off costs count too (code compiled, pools and buffers grown); from
    // the first step to the next, only what more workflows add (while the cache still takes them all).
    const slope = (from: number, to: number) => {
      say(`\nper workflow more, from ${from} to ${to} applications (MB):`);
      for (const name of WORKERS) {
        const [a, b] = [
          readings.find((r) => r.worker === name && r.cached === from)!,
          readings.find((r) => r.worker === name && r.cached === to)!,
        ];
        const per = (f: 'pssMb' | 'gcPssMb' | 'heapMb' | 'threadHeapMb') => ((b[f] - a[f]) / (to - from)).toFixed(3);
        say(
          `  ${name.padEnd(15)} PSS ${per('pssMb')}, PSS after GC ${per('gcPssMb')}, heap used ${per('heapMb')} (main thread) + ${per('threadHeapMb')} (other threads)`,
        );
      }
    };
    slope(0, steps[steps.length - 1]);
    if (steps.length > 1) slope(steps[0], steps[1]);
    fs.writeFileSync(path.join(dir, 'readings.json'), JSON.stringify(readings, null, 2));
    say(`\nreadings in ${path.relative(ROOT, dir)}${snapshots ? `; heap snapshots in ${path.relative(ROOT, probeDir)}` : ''}`);
    return true;
  } finally {
    await connection.close();
    await system.close();
  }
}

/** Signals the probe and waits for what it writes. */
async function probeOf(dir: string, pid: number): Promise<ProbeReading> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(pid, 'SIGURG');
  for (let i = 0; i < 300; i++) {
    const file = fs.readdirSync(dir).find((f) => f.startsWith(`${pid}-`) && f.endsWith('.json') && !before.has(f));
    if (file) return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`process ${pid} wrote no heap statistics`);
}

/** Asks for a heap snapshot and waits until it is written. */
async function snapshotOf(dir: string, pid: number): Promise<void> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 1200; i++) {
    await new Promise((r) => setTimeout(r, 500));
    // The main thread's and the workflow thread's.
    if (fs.readdirSync(dir).filter((f) => f.startsWith(`${pid}-`) && f.endsWith('.heapsnapshot') && !before.has(f)).length >= 2) return;
  }
  throw new Error(`process ${pid} wrote no heap snapshot`);
}

if (require.main === module) benchMain('worker-memory', WORKER_MEMORY_USAGE, run);
