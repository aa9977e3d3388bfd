import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { sqliteFileFromUrl } from '../src/config';
import { freePort } from '../src/dev/engines';
import { NODE_FLAGS, PROCESS_ENV } from '../src/main/process-settings';
import { parseOptions } from './options';
import { listLoad, type ListSet, type Side } from './phases';
import { ROOT, runScript, startProcess, type BenchProcess } from './support/processes';
import { accessTokens, benchContext, benchMain, newRunId, removeLargeFiles } from './support/harness';
import { Seeder } from './support/seed';
import { startSystem } from './support/system';

/**
 * `npm run bench:list`: the list measure alone, in a few minutes. The API and the bare list route on
 * engines of their own, the projection seeded as `npm run bench` seeds it (candidates with names), and
 * `GET /api/applications` measured as the bench's recruiter with its query mix, `--rounds` times (3),
 * each round starting with another side. `--before DIR` adds the API built in another checkout
 * (`DIR/dist`, e.g. a git worktree at an older commit): its own database, migrated by its own build
 * and seeded the same way, so the list can be compared with its time before a change.
 */
const LIST_JOBS = 100;

export const LIST_USAGE = `usage: npm run bench:list -- [--rows N] [--rounds N] [--list-requests N] [--clients N] [--before DIR] [--profile]
  --before DIR            also measure the API built in the checkout DIR (DIR/dist), on its own database seeded the same way
  (the other options as npm run bench's; --rounds defaults to 3)`;

interface Seeded {
  offset: number;
  recruiterId: number;
  jobs: number[];
  candidates: number[];
}

/** The recruiter, the list jobs on their team, and `rows` applications of named candidates; ids from `offset` when given. */
function seed(file: string, rows: number, offset?: number): Seeded {
  const seeder = new Seeder(file);
  try {
    const at = seeder.offsetIds(offset);
    const [recruiterId] = seeder.users('recruiter', 1, 'recruiter');
    const jobs = seeder.jobs(recruiterId, LIST_JOBS, 'List job');
    const candidates = seeder.users('candidate', Math.ceil(rows / LIST_JOBS), 'listed');
    seeder.listRows(jobs, candidates, 0, rows);
    return { offset: at, recruiterId, jobs, candidates };
  } finally {
    seeder.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(argv: string[]): Promise<boolean> {
  const b = argv.indexOf('--before');
  const before = b < 0 ? undefined : path.resolve(argv[b + 1] ?? '');
  const opts = parseOptions(
    argv.filter((_, i) => b < 0 || (i !== b && i !== b + 1)),
    process.env,
  );
  const rounds = argv.includes('--rounds') ? opts.rounds : 3;
  const runId = newRunId();
  const dir = path.resolve(ROOT, opts.outDir, `list-${runId}`);
  fs.mkdirSync(dir, { recursive: true });
  let seeded: Seeded | undefined;
  process.stdout.write(`seeding ${opts.listRows} applications and starting the API and the bare list in ${path.relative(ROOT, dir)}\n`);
  const system = await startSystem({
    dir,
    profile: opts.profile,
    listOnly: true,
    recruiterId: () => seeded!.recruiterId,
    async beforeStart(env) {
      seeded = seed(sqliteFileFromUrl(env.DATABASE_URL), opts.listRows);
    },
  });
  let older: BenchProcess | undefined;
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    const token = accessTokens(system)(seeded!.recruiterId, 'recruiter');
    const ctx = benchContext({
      opts,
      system,
      connection,
      runId,
      recruiter: { id: seeded!.recruiterId, token },
      sampled: ['api', 'bare-list'],
    });
    const sides: { name: string; process: string; url: string }[] = [
      { name: 'bare list', process: 'bare-list', url: system.bareListUrl },
      { name: 'list', process: 'api', url: system.apiUrl },
    ];
    if (before) {
      const env = { ...system.env, DATABASE_URL: `sqlite:///${path.join(dir, 'before.db')}`, PORT: String(await freePort()) };
      await runScript(path.join(before, 'dist/src/main/cli.js'), ['migrate'], env);
      if (seed(sqliteFileFromUrl(env.DATABASE_URL), opts.listRows, seeded!.offset).recruiterId !== seeded!.recruiterId)
        throw new Error('the older build seeded another recruiter id');
      older = await startProcess({
        name: 'api-before',
        script: path.join(before, 'dist/src/main/api.js'),
        env: { ...PROCESS_ENV, ...env },
        logDir: path.join(dir, 'logs'),
        ready: /API listening/,
        nodeArgs: [
          ...NODE_FLAGS.api,
          ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, 'profiles', 'api-before')}`] : []),
        ],
      });
      ctx.sampler.track('api-before', older.pid);
      sides.splice(1, 0, { name: 'list before', process: 'api-before', url: `http://127.0.0.1:${env.PORT}` });
    }
    const at = Math.floor(opts.listRows / 2);
    const set: ListSet = {
      jobs: seeded!.jobs,
      rows: opts.listRows,
      cursor: `${new Date(Date.UTC(2025, 0, 1) + at * 1000).toISOString()}~application-job${seeded!.jobs[at % LIST_JOBS]}-candidate${seeded!.candidates[Math.floor(at / LIST_JOBS)]}`,
    };
    const taken = new Map<string, Side[]>(sides.map((s) => [s.name, []]));
    for (let k = 0; k < rounds; k++) {
      process.stdout.write(`round ${k + 1} of ${rounds}\n`);
      for (const s of [...sides.slice(k % sides.length), ...sides.slice(0, k % sides.length)])
        taken.get(s.name)!.push(await listLoad(ctx, `${s.name} at ${set.rows}`, s.url, set, token));
    }
    const figures = Object.fromEntries(
      sides.map((s) => {
        const runs = taken.get(s.name)!;
        return [
          s.name,
          {
            p50: median(runs.map((r) => r.summary.p50)),
            p99: median(runs.map((r) => r.summary.p99)),
            opsPerSec: median(runs.map((r) => r.summary.opsPerSec)),
            cpuMsPerRequest: median(runs.map((r) => r.usage[s.process].cpuMs / r.summary.ops)),
            pssMaxMb: median(runs.map((r) => r.usage[s.process].pssMaxMb ?? r.usage[s.process].rssMaxMb)),
            errors: runs.reduce((n, r) => n + r.summary.errors, 0),
            rounds: runs.map((r) => r.summary),
          },
        ];
      }),
    );
    const ratio = (a: string, b: string, f: 'p50' | 'p99') => figures[a][f] / figures[b][f];
    const lines = [
      `list at ${set.rows} applications, ${opts.clients} clients, ${opts.listRequests} requests per side and round, medians of ${rounds} rounds:`,
      ...sides.map(
        (s) =>
          `  ${s.name.padEnd(12)} p50 ${figures[s.name].p50.toFixed(2)} ms, p99 ${figures[s.name].p99.toFixed(2)} ms, ${figures[s.name].opsPerSec.toFixed(0)} req/s, ${figures[s.name].cpuMsPerRequest.toFixed(2)} ms CPU per request, ${figures[s.name].pssMaxMb.toFixed(0)} MB PSS at most (${s.process})`,
      ),
      `  list / bare list: p50 ${ratio('list', 'bare list', 'p50').toFixed(2)}x, p99 ${ratio('list', 'bare list', 'p99').toFixed(2)}x`,
      ...(before
        ? [
            `  list / list before: p50 ${ratio('list', 'list before', 'p50').toFixed(2)}x, p99 ${ratio('list', 'list before', 'p99').toFixed(2)}x`,
          ]
        : []),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    const file = path.join(path.resolve(ROOT, opts.outDir), `list-${runId}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ options: { ...opts, rounds, before }, figures }, null, 2)}\n`);
    process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
    return Object.values(figures).every((f) => f.errors === 0);
  } finally {
    await older?.stop();
    await connection.close();
    await system.close();
    removeLargeFiles(dir);
  }
}

benchMain('bench:list', LIST_USAGE, run);
