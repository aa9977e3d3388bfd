import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { sqliteFileFromUrl } from '../src/config';
import { parseOptions, USAGE, type BenchOptions } from './options';
import {
  applyRound,
  lists,
  reportFigures,
  reportLoads,
  notifications,
  stageChanges,
  transitionWork,
  warmupFor,
  type ApplyRound,
  type Pair,
  type Side,
} from './phases';
import { ROOT } from './support/processes';
import { accessTokens, benchContext, benchMain, newRunId, removeLargeFiles, seededApplies } from './support/harness';
import { Seeder } from './support/seed';
import { startSystem, type System } from './support/system';
import { maxPss, maxRss, medianRound, memorySource, roundRatios, type BenchResult } from './result';
import { atRate, cachedRegime, candidatesFor, offeredRates, RATE_SIDES, uncachedWorkflowsFor, withCrudOf } from './regimes';
import { firstIn } from './support/rounds';
import { tablesOf, textOf } from './report';
import { checkBounds } from './bounds';

/**
 * `npm run bench`: starts the system and its baselines as separate processes on fresh engines,
 * drives each with the same load from a separate process, and prints and saves the figures.
 */
const APPLY_JOBS = 10;
const LIST_JOBS = 100;
/** Measured requests per report, scope and round. */
const REPORT_REQUESTS = 20;

async function run(opts: BenchOptions, argv: string[]): Promise<boolean> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const dir = path.resolve(ROOT, opts.outDir, `run-${runId}`);
  fs.mkdirSync(dir, { recursive: true });
  const listSizes = [...new Set([...opts.listCurve, opts.listRows])].sort((a, b) => a - b);
  const seeded = {
    recruiterId: 0,
    adminId: 0,
    candidates: [] as number[],
    applyJobs: [] as number[],
    listJobs: [] as number[],
    listCandidates: [] as number[],
    rows: 0,
  };
  let seeder: Seeder | undefined;
  const say = (line: string) => process.stdout.write(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  say(`starting the system and its baselines in ${path.relative(ROOT, dir)}`);
  const system: System = await startSystem({
    dir,
    profile: opts.profile,
    temporalAddress: opts.temporalAddress,
    temporalServer: opts.temporalServer,
    tracing: opts.tracing,
    workerCache: uncachedWorkflowsFor(opts),
    recruiterId: () => seeded.recruiterId,
    async beforeStart(env) {
      seeder = new Seeder(sqliteFileFromUrl(env.DATABASE_URL));
      seeder.offsetIds();
      [seeded.recruiterId] = seeder.users('recruiter', 1, 'recruiter');
      [seeded.adminId] = seeder.users('admin', 1, 'admin');
      const perRound = (clients: number) => warmupFor(clients) + opts.applies;
      // Each round's applies take fresh candidates twice: the system's, and the CRUD side's.
      const applyRounds = [...Array(2 * opts.rounds + opts.workerCurve.length).fill(opts.clients), ...opts.clientsCurve];
      seeded.candidates = seeder.users('candidate', applyRounds.reduce((n, c) => n + perRound(c), 0) + candidatesFor(opts), 'applicant');
      seeded.applyJobs = seeder.jobs(seeded.recruiterId, APPLY_JOBS, 'Apply job');
      seeded.listJobs = seeder.jobs(seeded.recruiterId, LIST_JOBS, 'List job');
      seeded.listCandidates = seeder.users('candidate', Math.ceil(Math.max(...listSizes) / LIST_JOBS), 'listed');
      seeder.listRows(seeded.listJobs, seeded.listCandidates, 0, listSizes[0]);
      seeded.rows = listSizes[0];
    },
  });
  const stop = () => {
    void system.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    const token = accessTokens(system);
    const ctx = benchContext({
      opts,
      system,
      connection,
      runId,
      ...seededApplies(system, seeded),
      outboxRows: (rows) => seeder!.outboxRows(rows),
    });
    const { sampler } = ctx;

    const rounds: BenchResult['rounds'] = { apply: [], stageChange: [], list: [], notifier: [] };
    let first: ApplyRound | undefined;
    for (let k = 1; k <= opts.rounds; k++) {
      say(`round ${k} of ${opts.rounds}: applies`);
      const round = { ...ctx, first: firstIn(k) };
      const applied = await applyRound(round, `apply-${k}`);
      first ??= applied;
      rounds.apply.push(applied.pair);
      say(`round ${k} of ${opts.rounds}: stage changes`);
      rounds.stageChange.push(await stageChanges(round, applied));
    }
    say('engine work per transition (histories)');
    const engineWork = await transitionWork(ctx, first!);
    const rates = offeredRates(rounds);
    const rated = await atRate(ctx, say, rates);
    const { cached, atRate: ratedCached, atRest } = await cachedRegime(ctx, say, rates);

    const listCurve: ({ rows: number } & Pair)[] = [];
    for (const rows of listSizes) {
      if (rows > seeded.rows) {
        say(`growing the projection to ${rows} applications`);
        seeder!.listRows(seeded.listJobs, seeded.listCandidates, seeded.rows, rows);
        seeded.rows = rows;
      }
      const at = Math.floor(rows / 2);
      const cursor = `${new Date(Date.UTC(2025, 0, 1) + at * 1000).toISOString()}~application-job${seeded.listJobs[at % LIST_JOBS]}-candidate${seeded.listCandidates[Math.floor(at / LIST_JOBS)]}`;
      const set = { jobs: seeded.listJobs, rows, cursor };
      if (rows !== opts.listRows) {
        say(`lists at ${rows} applications`);
        listCurve.push({ rows, ...(await lists(ctx, set)) });
        continue;
      }
      for (let k = 1; k <= opts.rounds; k++) {
        say(`round ${k} of ${opts.rounds}: lists at ${rows} applications`);
        rounds.list.push(await lists({ ...ctx, first: firstIn(k) }, set));
      }
      listCurve.push({ rows, ...medianRound(rounds.list, roundRatios.list, false) });
    }
    const list = listCurve.find((c) => c.rows === opts.listRows)!;
    const reportRounds = [];
    for (let k = 1; k <= opts.rounds; k++) {
      say(`round ${k} of ${opts.rounds}: reports at ${opts.listRows} applications`);
      reportRounds.push(await reportLoads(ctx, seeded.listJobs[0], token(seeded.adminId, 'admin'), REPORT_REQUESTS));
    }

    for (let k = 1; k <= opts.rounds; k++) {
      say(`round ${k} of ${opts.rounds}: notifications`);
      rounds.notifier.push(await notifications(ctx, k));
    }
    const apply = medianRound(rounds.apply, roundRatios.apply, true);
    const stageChange = medianRound(rounds.stageChange, roundRatios.stageChange, false);
    const notifier = medianRound(rounds.notifier, roundRatios.notifier, true);

    const workerCurve: BenchResult['curves']['workers'] = [];
    for (const workers of [...new Set(opts.workerCurve)].sort((a, b) => a - b)) {
      say(`applies with ${workers} worker processes`);
      const extra = [];
      for (let i = 2; i <= workers; i++) extra.push(await system.addWorker('worker', i), await system.addWorker('bare-worker', i));
      for (const p of extra) sampler.track(p.name, p.pid);
      workerCurve.push({ workers, apply: (await applyRound(ctx, `${workers} workers`, opts.clients, [])).pair });
      for (const p of extra) {
        sampler.untrack(p.name);
        await p.stop();
      }
    }

    const clientsCurve: BenchResult['curves']['clients'] = [];
    for (const clients of [...new Set(opts.clientsCurve)].sort((a, b) => a - b)) {
      say(`applies and one stage change each with ${clients} clients`);
      const applied = await applyRound(ctx, `${clients} clients`, clients, []);
      clientsCurve.push({ clients, apply: applied.pair, stageChange: await stageChanges(ctx, applied, clients, 1) });
    }

    const systemSides = [
      ...rounds.apply,
      ...rounds.stageChange,
      ...rounds.list,
      ...listCurve,
      ...workerCurve.map((c) => c.apply),
      ...clientsCurve.flatMap((c) => (c.stageChange ? [c.apply, c.stageChange] : [c.apply])),
    ].map((p) => p.system);
    const notifierSides = rounds.notifier.flatMap((n) => [n.system, n.raw]) as unknown as Side[];
    const result: BenchResult = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: os.totalmem() / 2 ** 30,
        node: process.versions.node,
        kernel: os.release(),
      },
      options: opts,
      apply,
      stageChange,
      list,
      notifier,
      engineWork,
      rounds,
      cached,
      atRest,
      atRate: { ...rated, sides: RATE_SIDES, cached: { maxCachedWorkflows: cached.maxCachedWorkflows, ...withCrudOf(ratedCached, rated) } },
      reports: { rows: opts.listRows, figures: reportFigures(reportRounds), rounds: reportRounds },
      pss: {
        source: memorySource([...systemSides, ...notifierSides]),
        apiDuringWrites: maxPss(
          [...rounds.apply, ...rounds.stageChange].map((p) => p.system),
          'api',
        ),
        workerDuringWrites: maxPss(
          [...rounds.apply, ...rounds.stageChange].map((p) => p.system),
          'worker',
        ),
        apiDuringList: maxPss(
          rounds.list.map((p) => p.system),
          'api',
        ),
        apiMax: maxPss([...systemSides, ...notifierSides], 'api'),
        workerMax: maxPss([...systemSides, ...notifierSides], 'worker'),
        notifierMax: maxPss([...systemSides, ...notifierSides], 'notifier'),
      },
      rss: {
        apiDuringWrites: maxRss(
          [...rounds.apply, ...rounds.stageChange].map((p) => p.system),
          'api',
        ),
        workerDuringWrites: maxRss(
          [...rounds.apply, ...rounds.stageChange].map((p) => p.system),
          'worker',
        ),
        apiDuringList: maxRss(
          rounds.list.map((p) => p.system),
          'api',
        ),
        apiMax: maxRss([...systemSides, ...notifierSides], 'api'),
        workerMax: maxRss([...systemSides, ...notifierSides], 'worker'),
        notifierMax: maxRss([...systemSides, ...notifierSides], 'notifier'),
      },
      curves: { workers: workerCurve, clients: clientsCurve, list: listSizes.length > 1 ? listCurve : [] },
    };
    const outDir = path.resolve(ROOT, opts.outDir);
    const file = path.join(outDir, `bench-${runId}${opts.quick ? '-quick' : ''}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    fs.copyFileSync(file, path.join(outDir, opts.quick ? 'latest-quick.json' : 'latest.json'));
    process.stdout.write(
      `\n${textOf(tablesOf(result))}\n\nresults: ${path.relative(ROOT, file)} (markdown: node dist/bench/report.js ${path.relative(ROOT, file)})\n`,
    );
    const failed = opts.check ? checkBounds(result).filter((v) => !v.ok) : [];
    if (failed.length)
      process.stdout.write(
        `\nregression check failed: ${failed.map((v) => `${v.name} ${v.value.toFixed(2)} (bound ${v.bound})`).join('; ')}\n`,
      );
    return failed.length === 0;
  } finally {
    seeder?.close();
    await connection.close();
    await system.close();
    removeLargeFiles(dir, true);
  }
}

benchMain('bench', USAGE, (argv) => run(parseOptions(argv, process.env), argv));
