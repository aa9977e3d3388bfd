import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { sqliteFileFromUrl } from '../src/config';
import { parseOptions } from './options';
import { notifications, type NotifierSide } from './phases';
import { ROOT } from './support/processes';
import { accessTokens, benchContext, benchMain, newRunId, removeLargeFiles } from './support/harness';
import { Seeder } from './support/seed';
import { spreadOf } from './support/rounds';
import { startSystem } from './support/system';

/**
 * `npm run bench:notifier`: the notifier measure alone, as `npm run bench` takes it (the same jobs,
 * each with its pending outbox row, through the notifier and through raw BullMQ + nodemailer, the
 * side going first alternating), `--rounds` times (3), with `--notifications` jobs a side (3000).
 */
export const NOTIFIER_USAGE = `usage: npm run bench:notifier -- [--notifications N] [--rounds N] [--profile] [--out DIR]
  --notifications N       jobs per side and round (3000)
  --rounds N              rounds, the side going first alternating (3); the median ratio is reported
  --profile               CPU profiles of the notifier (and the API and worker) under the run's profiles/`;

const cpuPerJob = (side: NotifierSide, process: string) => (side.usage[process]?.cpuMs ?? 0) / side.jobs;

async function run(argv: string[]): Promise<boolean> {
  const opts = parseOptions(argv, process.env);
  const settings = {
    ...opts,
    notifications: argv.includes('--notifications') ? opts.notifications : 3000,
    rounds: argv.includes('--rounds') ? opts.rounds : 3,
  };
  const runId = newRunId();
  const dir = path.resolve(ROOT, opts.outDir, `notifier-${runId}`);
  fs.mkdirSync(dir, { recursive: true });
  let seeder: Seeder | undefined;
  let recruiterId = 0;
  process.stdout.write(`starting the system in ${path.relative(ROOT, dir)}\n`);
  const system = await startSystem({
    dir,
    profile: opts.profile,
    recruiterId: () => recruiterId,
    async beforeStart(env) {
      seeder = new Seeder(sqliteFileFromUrl(env.DATABASE_URL));
      seeder.offsetIds();
      [recruiterId] = seeder.users('recruiter', 1, 'recruiter');
    },
  });
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    const token = accessTokens(system)(recruiterId, 'recruiter');
    const ctx = benchContext({
      opts: settings,
      system,
      connection,
      runId,
      recruiter: { id: recruiterId, token },
      outboxRows: (rows) => seeder!.outboxRows(rows),
    });
    const taken: { system: NotifierSide; raw: NotifierSide }[] = [];
    for (let k = 1; k <= settings.rounds; k++) {
      process.stdout.write(`round ${k} of ${settings.rounds}\n`);
      taken.push(await notifications(ctx, k));
    }
    const ratios = taken.map((t) => t.system.jobsPerSec / t.raw.jobsPerSec);
    const lines = taken.map(
      (t, i) =>
        `  round ${i + 1}: notifier ${t.system.jobsPerSec.toFixed(0)}/s (${cpuPerJob(t.system, 'notifier').toFixed(2)} ms CPU a job, redis ${cpuPerJob(t.system, 'redis').toFixed(2)}), ` +
        `raw ${t.raw.jobsPerSec.toFixed(0)}/s (${cpuPerJob(t.raw, 'raw-notifier').toFixed(2)} ms, redis ${cpuPerJob(t.raw, 'redis').toFixed(2)}): ${ratios[i].toFixed(2)}x`,
    );
    process.stdout.write(
      `\n${lines.join('\n')}\nnotifier / raw BullMQ + nodemailer, median of ${taken.length} rounds: ${spreadOf(ratios).median.toFixed(2)}x\n`,
    );
    const file = path.join(path.resolve(ROOT, opts.outDir), `notifier-${runId}.json`);
    fs.writeFileSync(
      file,
      `${JSON.stringify({ options: { notifications: settings.notifications, rounds: settings.rounds }, ratios, rounds: taken }, null, 2)}\n`,
    );
    process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
    return true;
  } finally {
    seeder?.close();
    await connection.close();
    await system.close();
    removeLargeFiles(dir);
  }
}

benchMain('bench:notifier', NOTIFIER_USAGE, run);
