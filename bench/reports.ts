import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { sqliteFileFromUrl } from '../src/config';
import { parseOptions } from './options';
import { REPORT_MEASURES, reportFigures, reportLoads, type ReportMeasure, type Side } from './phases';
import { ROOT } from './support/processes';
import { accessTokens, benchContext, benchMain, newRunId, removeLargeFiles } from './support/harness';
import { Seeder } from './support/seed';
import { startSystem } from './support/system';

/**
 * `npm run bench:reports`: the funnel and time in stage at `--rows` applications (100,000) with
 * the histories a hiring team leaves (bench/support/seed.ts, `reportRows`), the API started as
 * production starts it, each report read over HTTP for every job (as an admin) and for the large
 * job (a fifth of the applications), one request at a time, `--rounds` times (3).
 */
const REPORT_JOBS = 40;
/** Measured requests per report, scope and round. */
const REQUESTS = 30;

export const REPORTS_USAGE = `usage: npm run bench:reports -- [--rows N] [--rounds N] [--profile] [--out DIR]
  --rows N                applications in the projection (100000)
  --rounds N              take each measure N times (3); the medians of the rounds' p50 and p99 are reported`;

interface Seeded {
  adminId: number;
  recruiterId: number;
  largeJob: number;
}

function seed(file: string, rows: number): Seeded {
  const seeder = new Seeder(file);
  try {
    seeder.offsetIds();
    const [adminId] = seeder.users('admin', 1, 'admin');
    const [recruiterId] = seeder.users('recruiter', 1, 'recruiter');
    const jobs = seeder.jobs(recruiterId, REPORT_JOBS, 'Report job');
    seeder.reportRows(jobs, seeder.users('candidate', rows, 'reported'), rows);
    return { adminId, recruiterId, largeJob: jobs[0] };
  } finally {
    seeder.close();
  }
}

async function run(argv: string[]): Promise<boolean> {
  const opts = parseOptions(argv, process.env);
  const rows = argv.includes('--rows') ? opts.listRows : 100_000;
  const rounds = argv.includes('--rounds') ? opts.rounds : 3;
  const runId = newRunId();
  const dir = path.resolve(ROOT, opts.outDir, `reports-${runId}`);
  fs.mkdirSync(dir, { recursive: true });
  let seeded: Seeded | undefined;
  process.stdout.write(`seeding ${rows} applications and starting the API in ${path.relative(ROOT, dir)}\n`);
  const system = await startSystem({
    dir,
    profile: opts.profile,
    listOnly: true,
    recruiterId: () => seeded!.recruiterId,
    async beforeStart(env) {
      seeded = seed(sqliteFileFromUrl(env.DATABASE_URL), rows);
    },
  });
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    const token = accessTokens(system)(seeded!.adminId, 'admin');
    const ctx = benchContext({ opts, system, connection, runId, recruiter: { id: seeded!.recruiterId, token }, sampled: ['api'] });
    const taken: Record<ReportMeasure, Side>[] = [];
    for (let k = 0; k < rounds; k++) {
      process.stdout.write(`round ${k + 1} of ${rounds}\n`);
      taken.push(await reportLoads(ctx, seeded!.largeJob, token, REQUESTS));
    }
    const figures = reportFigures(taken);
    const lines = [
      `reports at ${rows} applications (the large job: a fifth of them), ${REQUESTS} requests one at a time per measure and round, medians of ${rounds} rounds:`,
      ...REPORT_MEASURES.map(
        (m) =>
          `  ${m.padEnd(26)} p50 ${figures[m].p50.toFixed(1)} ms, p99 ${figures[m].p99.toFixed(1)} ms, ${figures[m].cpuMsPerRequest.toFixed(1)} ms API CPU per request`,
      ),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    const file = path.join(path.resolve(ROOT, opts.outDir), `reports-${runId}.json`);
    fs.writeFileSync(
      file,
      `${JSON.stringify({ options: { rows, rounds, requests: REQUESTS }, figures, rounds: taken.map((r) => Object.fromEntries(REPORT_MEASURES.map((m) => [m, r[m].summary]))) }, null, 2)}\n`,
    );
    process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
    return Object.values(figures).every((f) => f.errors === 0);
  } finally {
    await connection.close();
    await system.close();
    removeLargeFiles(dir);
  }
}

benchMain('bench:reports', REPORTS_USAGE, run);
