import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Client } from '@temporalio/client';
import type { Stage } from '../src/domain/stages';
import { createNotificationQueue, notificationJobId, type NotificationJobData } from '../src/notifications/notification-queue';
import type { HttpRequestSpec, LoadSpec } from './load';
import type { BenchOptions } from './options';
import { runScript } from './support/processes';
import { sampledLoad, type ProcessUsage, type UsageSampler } from './support/sampler';
import { summarize, type Summary } from './support/stats';
import { BARE_TASK_QUEUE, MATCHED_TASK_QUEUE, RAW_QUEUE, type System } from './support/system';
import { engineWork, type WorkPerTransition } from './support/history';
import { readStepTotals, stepsBetween } from './support/step-metrics';
import { APPLY_CONTENT } from './baselines/matched-messages';
import { firstIn, inOrder, type First } from './support/rounds';

/**
 * One side of a measure: the figures of its load, and what each process used meanwhile; for the
 * API's transitions, the mean time per request of each step it reports (`ats_transition_step_seconds`, ms).
 */
export interface Side {
  summary: Summary;
  firstError: string | null;
  usage: Record<string, ProcessUsage>;
  steps?: Record<string, number>;
}
export interface Pair {
  system: Side;
  bare: Side;
  /** The feature-matched bare workflow (bench/baselines/matched.workflow.ts), when the round ran it. */
  matched?: Side;
  /** The CRUD side: the bare route with the raw notifier sending its mails, no Temporal (bench/baselines/bare-route.ts). */
  crud?: Side;
}

export interface BenchContext {
  opts: BenchOptions;
  system: System;
  sampler: UsageSampler;
  client: Client;
  recruiter: { id: number; token: string };
  applyJobs: number[];
  /** Writes pending notification-outbox rows (see Seeder.outboxRows). */
  outboxRows(rows: { id: string; subject: string; data: unknown }[]): boolean;
  /** Candidates not yet used, each with a token; every apply takes fresh ones. */
  takeCandidates(count: number): { id: number; token: string }[];
  runId: string;
  /** Which side of each measure runs first this round (the baseline when unset). */
  first?: First;
  /** Every load an open loop at this many operations per second, instead of `clients` in a closed loop. */
  ratePerSec?: number;
}

let loads = 0;

/** Runs one load in its own process while the sampler watches the system's processes. */
export async function measure(ctx: BenchContext, name: string, spec: LoadSpec): Promise<Side> {
  // The raw result (every latency) stays.
  const base = path.join(ctx.system.dir, `load-${++loads}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
  fs.writeFileSync(`${base}.spec.json`, JSON.stringify(ctx.ratePerSec ? { ...spec, ratePerSec: ctx.ratePerSec } : spec));
  const { usage, result } = await sampledLoad(ctx.sampler, base, ctx.system.env);
  // The load process's own CPU, over the measured operations only (it reports it itself); no memory.
  usage.load = { cpuMs: result.cpuMs, rssMaxMb: NaN, rssMeanMb: NaN };
  const side = { summary: summarize(result), firstError: result.firstError, usage };
  process.stdout.write(
    `  ${name.padEnd(34)} ${side.summary.ops} ok, ${side.summary.errors} failed, ${side.summary.opsPerSec.toFixed(1)}/s, p50 ${side.summary.p50.toFixed(1)} ms, p99 ${side.summary.p99.toFixed(1)} ms${side.firstError ? ` (first error: ${side.firstError.slice(0, 200)})` : ''}\n`,
  );
  return side;
}

/** Operations run before the clock starts: twice the clients. */
export const warmupFor = (clients: number) => 2 * clients;

/** An open loop's warm-up: enough to open its connections and warm its code; it has no clients to fill. */
export const RATE_WARMUP = 10;

/** The warm-up of a load in `ctx`: an open loop's when it runs at a rate, else its clients'. */
const warmupIn = (ctx: BenchContext, clients: number) => (ctx.ratePerSec ? RATE_WARMUP : warmupFor(clients));

export interface ApplyRound {
  /** The round's name, which its stage changes' loads carry too. */
  label: string;
  pair: Pair;
  systemIds: string[];
  bareIds: string[];
  matchedIds?: string[];
  crudIds?: string[];
}

/** The baselines that, with an engine, make up the sum of bare parts: the feature-matched engine, and the CRUD side. */
export type Part = 'matched' | 'crud';
export const SUM_OF_PARTS: readonly Part[] = ['matched', 'crud'];

/**
 * Applies: POST /api/jobs/{id}/apply by fresh candidates, beside update-with-start of the bare workflow;
 * with `parts`, also of the feature-matched bare workflow (`matched`), and the same applies to the
 * bare route (`crud`, the CRUD side, whose candidates are fresh too). The stage changes that follow
 * (`stageChanges`) run the same sides.
 */
export async function applyRound(
  ctx: BenchContext,
  label: string,
  clients = ctx.opts.clients,
  parts: readonly Part[] = SUM_OF_PARTS,
): Promise<ApplyRound> {
  const opts = { ...ctx.opts, clients, warmup: warmupIn(ctx, clients) };
  const total = opts.warmup + opts.applies;
  const bareIds = Array.from({ length: total }, (_, i) => `bare-${ctx.runId}-${label}-${i}`);
  const applies = (candidates: { token: string }[]): HttpRequestSpec[] =>
    candidates.map((c, i) => ({
      method: 'POST',
      path: `/api/jobs/${ctx.applyJobs[i % ctx.applyJobs.length]}/apply`,
      token: c.token,
      expect: 201,
      body: APPLY_CONTENT,
    }));
  const runSystem = async () => {
    const candidates = ctx.takeCandidates(total);
    const system = await withSteps(ctx, 'apply', () =>
      measure(ctx, `${label}: apply`, {
        kind: 'http',
        baseUrl: ctx.system.apiUrl,
        concurrency: opts.clients,
        warmup: opts.warmup,
        requests: applies(candidates),
      }),
    );
    return { system, systemIds: await appliedIds(ctx, candidates.slice(opts.warmup), opts.warmup) };
  };
  // In the rounds where the system goes first, it runs before every baseline.
  const early = ctx.first === 'system' ? await runSystem() : undefined;
  const bare = await measure(ctx, `${label}: bare apply`, {
    kind: 'bare-apply',
    concurrency: opts.clients,
    warmup: opts.warmup,
    taskQueue: BARE_TASK_QUEUE,
    workflowIds: bareIds,
  });
  let matched: Pick<ApplyRound, 'matchedIds'> & Pick<Pair, 'matched'> = {};
  if (parts.includes('matched')) {
    const matchedIds = Array.from({ length: total }, (_, i) => `matched-${ctx.runId}-${label}-${i}`);
    const side = await measure(ctx, `${label}: matched apply`, {
      kind: 'bare-apply',
      workflow: 'matched',
      concurrency: opts.clients,
      warmup: opts.warmup,
      taskQueue: MATCHED_TASK_QUEUE,
      workflowIds: matchedIds,
    });
    matched = { matched: side, matchedIds: matchedIds.slice(opts.warmup) };
  }
  let crud: Pick<ApplyRound, 'crudIds'> & Pick<Pair, 'crud'> = {};
  if (parts.includes('crud')) {
    const crudCandidates = ctx.takeCandidates(total);
    const side = await measure(ctx, `${label}: CRUD apply`, {
      kind: 'http',
      baseUrl: ctx.system.bareRouteUrl,
      concurrency: opts.clients,
      warmup: opts.warmup,
      requests: applies(crudCandidates),
    });
    crud = { crud: side, crudIds: await crudAppliedIds(ctx, crudCandidates.slice(opts.warmup), opts.warmup) };
  }
  const { system, systemIds } = early ?? (await runSystem());
  return {
    pair: {
      system,
      bare,
      ...(matched.matched ? { matched: matched.matched } : {}),
      ...(crud.crud ? { crud: crud.crud } : {}),
    },
    label,
    systemIds,
    bareIds: bareIds.slice(opts.warmup),
    ...(matched.matchedIds ? { matchedIds: matched.matchedIds } : {}),
    ...(crud.crudIds ? { crudIds: crud.crudIds } : {}),
  };
}

/** The ids the bare route gave the CRUD side's applies (its claims), asked for as each candidate. */
async function crudAppliedIds(ctx: BenchContext, candidates: { id: number; token: string }[], first: number): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, c] of candidates.entries()) {
    const jobId = ctx.applyJobs[(first + i) % ctx.applyJobs.length];
    const res = await fetch(`${ctx.system.bareRouteUrl}/api/jobs/${jobId}/application`, {
      headers: { Authorization: `Bearer ${c.token}` },
    });
    if (!res.ok) throw new Error(`candidate ${c.id} has no CRUD application to job ${jobId} (${res.status})`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  return ids;
}

/**
 * The ids the applies got, read after the clock stopped: each holds a random part the API drew, so
 * each candidate asks for their own. `first`: the index of the first candidate in the round.
 */
async function appliedIds(ctx: BenchContext, candidates: { id: number; token: string }[], first: number): Promise<string[]> {
  const ids: string[] = new Array(candidates.length);
  for (let start = 0; start < candidates.length; start += 16) {
    await Promise.all(
      candidates.slice(start, start + 16).map(async (c, k) => {
        const i = start + k;
        const jobId = ctx.applyJobs[(first + i) % ctx.applyJobs.length];
        const res = await fetch(`${ctx.system.apiUrl}/api/applications?jobId=${jobId}`, {
          headers: { Authorization: `Bearer ${c.token}` },
        });
        const page = (await res.json()) as { items?: { id: string }[] };
        if (!page.items?.[0]) throw new Error(`candidate ${c.id} has no application to job ${jobId} (${res.status})`);
        ids[i] = page.items[0].id;
      }),
    );
  }
  return ids;
}

const MOVES: Stage[] = ['screening', 'interview', 'offer'];

/** Stage changes round the applications (each one's previous change is done first), beside executeUpdate of the bare workflows. */
export async function stageChanges(
  ctx: BenchContext,
  applied: ApplyRound,
  clients = ctx.opts.clients,
  moves = ctx.opts.movesPerApplication,
): Promise<Pair> {
  const opts = { ...ctx.opts, clients, warmup: warmupIn(ctx, clients), movesPerApplication: moves };
  const order = <T>(ids: string[], make: (id: string, stage: Stage) => T) =>
    MOVES.slice(0, opts.movesPerApplication).flatMap((stage) => ids.map((id) => make(id, stage)));
  const patches = (ids: string[]) =>
    order(ids, (id, stage) => ({
      method: 'PATCH',
      path: `/api/applications/${encodeURIComponent(id)}/stage`,
      token: ctx.recruiter.token,
      body: { stage },
      expect: 200,
      key: id,
    }));
  const runSystem = () =>
    withSteps(ctx, 'stage_change', () =>
      measure(ctx, `${applied.label}: stage change`, {
        kind: 'http',
        baseUrl: ctx.system.apiUrl,
        concurrency: opts.clients,
        warmup: opts.warmup,
        requests: patches(applied.systemIds),
      }),
    );
  // In the rounds where the system goes first, it runs before every baseline.
  const early = ctx.first === 'system' ? await runSystem() : undefined;
  const bare = await measure(ctx, `${applied.label}: bare stage change`, {
    kind: 'bare-stage',
    concurrency: opts.clients,
    warmup: opts.warmup,
    moves: order(applied.bareIds, (workflowId, stage) => ({ workflowId, stage })),
  });
  const matched =
    applied.matchedIds &&
    (await measure(ctx, `${applied.label}: matched stage change`, {
      kind: 'bare-stage',
      workflow: 'matched',
      concurrency: opts.clients,
      warmup: opts.warmup,
      moves: order(applied.matchedIds, (workflowId, stage) => ({ workflowId, stage })),
    }));
  const crud =
    applied.crudIds &&
    (await measure(ctx, `${applied.label}: CRUD stage change`, {
      kind: 'http',
      baseUrl: ctx.system.bareRouteUrl,
      concurrency: opts.clients,
      warmup: opts.warmup,
      requests: patches(applied.crudIds),
    }));
  const system = early ?? (await runSystem());
  return { system, bare, ...(matched ? { matched } : {}), ...(crud ? { crud } : {}) };
}

/** Runs a system load and adds the mean ms per request of each step the API reported for `operation` meanwhile (warm-up included). */
async function withSteps(ctx: BenchContext, operation: string, load: () => Promise<Side>): Promise<Side> {
  const before = await readStepTotals(ctx.system.metricsUrl);
  const side = await load();
  const between = stepsBetween(before, await readStepTotals(ctx.system.metricsUrl), operation);
  const steps = Object.fromEntries(Object.entries(between).map(([step, { ms, n }]) => [step, ms / n]));
  return { ...side, steps };
}

export async function transitionWork(
  ctx: BenchContext,
  applied: ApplyRound,
): Promise<{ system: WorkPerTransition; bare: WorkPerTransition; matched?: WorkPerTransition }> {
  const n = ctx.opts.historySample;
  return {
    system: await engineWork(ctx.client, applied.systemIds.slice(0, n)),
    bare: await engineWork(ctx.client, applied.bareIds.slice(0, n)),
    ...(applied.matchedIds ? { matched: await engineWork(ctx.client, applied.matchedIds.slice(0, n)) } : {}),
  };
}

export interface ListSet {
  jobs: number[];
  rows: number;
  cursor: string;
}

/** GET /api/applications as the recruiter, with a mix of filters and a deep page, beside the bare Koa route. */
export async function lists(ctx: BenchContext, set: ListSet): Promise<Pair> {
  return inOrder(
    ctx.first ?? 'bare',
    () => listLoad(ctx, `bare list at ${set.rows}`, ctx.system.bareListUrl, set, ctx.recruiter.token),
    () => listLoad(ctx, `list at ${set.rows}`, ctx.system.apiUrl, set, ctx.recruiter.token),
  );
}

/** One side of the list measure: the five queries in turn against `baseUrl`, as the recruiter (both sides check the token). */
export async function listLoad(ctx: BenchContext, name: string, baseUrl: string, set: ListSet, token?: string): Promise<Side> {
  const { opts } = ctx;
  const queries = [
    '',
    '?stage=interview',
    `?jobId=${set.jobs[7 % set.jobs.length]}`,
    `?stage=offer&jobId=${set.jobs[3 % set.jobs.length]}`,
    `?cursor=${encodeURIComponent(set.cursor)}`,
  ];
  const requests: HttpRequestSpec[] = Array.from({ length: opts.warmup * 5 + opts.listRequests }, (_, i) => ({
    method: 'GET',
    path: `/api/applications${queries[i % queries.length]}`,
    token,
    expect: 200,
  }));
  return measure(ctx, name, { kind: 'http', baseUrl, concurrency: opts.clients, warmup: opts.warmup * 5, requests });
}

export interface NotifierSide {
  jobs: number;
  elapsedMs: number;
  jobsPerSec: number;
  usage: Record<string, ProcessUsage>;
  /** Whether each job had its pending notification-outbox row, as the worker writes them. */
  outboxRows: boolean;
}

/**
 * The same jobs through the real notifier and through raw BullMQ + nodemailer: each queue is paused,
 * filled, resumed, and timed until the SMTP sink has every message.
 */
export async function notifications(ctx: BenchContext, round = 1): Promise<{ system: NotifierSide; raw: NotifierSide }> {
  const redis = new Redis(ctx.system.redisUrl, { maxRetriesPerRequest: null });
  try {
    const systemQueue = createNotificationQueue(redis, 'notifications');
    await drained(systemQueue);
    const run = async (name: string, queueName: string, batch: string): Promise<NotifierSide> => {
      const queue = createNotificationQueue(redis, queueName);
      const n = ctx.opts.notifications;
      const jobsOf = (batch: string, count: number) =>
        Array.from({ length: count }, (_, i) => {
          const data = notificationJob(`${ctx.runId}${batch}`, i);
          return { name: data.kind, data, opts: { jobId: notificationJobId({ ...data, recipientId: data.recipient.id }) } };
        });
      const fill = async (jobs: ReturnType<typeof jobsOf>) => {
        const outbox =
          queueName === RAW_QUEUE
            ? false
            : ctx.outboxRows(jobs.map((j) => ({ id: j.opts.jobId, subject: j.data.applicationId, data: j.data })));
        for (let from = 0; from < jobs.length; from += 500) await queue.addBulk(jobs.slice(from, from + 500));
        return outbox;
      };
      // A warm-up batch first, unmeasured: both sides then start with their SMTP pools open.
      const warmup = warmupFor(ctx.opts.clients);
      // Counted before the jobs go in: a fast notifier delivers some before `fill` returns.
      const warmedUp = (await ctx.system.sink.count()) + warmup;
      await fill(jobsOf(`${batch}w`, warmup));
      await ctx.system.sink.waitFor(warmedUp, 60_000);
      await queue.pause();
      const outbox = await fill(jobsOf(batch, n));
      const target = (await ctx.system.sink.count()) + n;
      const { result: elapsedMs, usage } = await ctx.sampler.during(async () => {
        const started = performance.now();
        await queue.resume();
        await ctx.system.sink.waitFor(target, 300_000);
        return performance.now() - started;
      });
      await queue.close();
      const side = { jobs: n, elapsedMs, jobsPerSec: n / (elapsedMs / 1000), usage, outboxRows: outbox };
      process.stdout.write(`  ${name.padEnd(28)} ${n} jobs, ${side.jobsPerSec.toFixed(0)}/s\n`);
      return side;
    };
    const { bare: raw, system } = await inOrder(
      firstIn(round),
      () => run('raw BullMQ + nodemailer', RAW_QUEUE, `r${round}-`),
      () => run('notifier', 'notifications', `s${round}-`),
    );
    await systemQueue.close();
    return { system, raw };
  } finally {
    redis.disconnect();
  }
}

/** Waits (up to a minute) until the notifier has taken every job the load's transitions queued. */
async function drained(queue: ReturnType<typeof createNotificationQueue>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
    if (counts.waiting + counts.active + counts.prioritized === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function notificationJob(runId: string, i: number): NotificationJobData {
  return {
    kind: 'stage_changed',
    channel: 'email',
    applicationId: `application-job1-candidate${i + 1}`,
    seq: 2,
    at: new Date().toISOString(),
    audience: 'candidate',
    recipient: { id: `${runId}${i}`, email: `candidate${i}@bench.example`, name: `Candidate ${i}` },
    job: { id: '1', title: 'Backend Developer', company: 'TechCorp' },
    candidate: { id: String(i + 1), name: `Candidate ${i}` },
    from: 'applied',
    to: 'screening',
    reason: null,
  };
}

/** The reports' four measures (bench/reports.ts, and the bench's reports phase). */
export const REPORT_MEASURES = ['funnel, every job', 'funnel, one job', 'time in stage, every job', 'time in stage, one job'] as const;
export type ReportMeasure = (typeof REPORT_MEASURES)[number];

/**
 * Each report for every job (as an admin) and for one large job, `requests` times after a few
 * unmeasured ones, one request at a time: the time one reader waits, not a throughput.
 */
export async function reportLoads(
  ctx: BenchContext,
  jobId: number,
  adminToken: string,
  requests: number,
): Promise<Record<ReportMeasure, Side>> {
  const sides = {} as Record<ReportMeasure, Side>;
  for (const measureName of REPORT_MEASURES) {
    const path = `/api/reports/${measureName.startsWith('funnel') ? 'funnel' : 'time-in-stage'}${measureName.endsWith('one job') ? `?jobId=${jobId}` : ''}`;
    const warmup = 3;
    sides[measureName] = await measure(ctx, measureName, {
      kind: 'http',
      baseUrl: ctx.system.apiUrl,
      concurrency: 1,
      warmup,
      requests: Array.from({ length: warmup + requests }, () => ({ method: 'GET', path, token: adminToken, expect: 200 })),
    });
  }
  return sides;
}

/** A report measure over rounds: the medians of the rounds' p50 and p99, and the API's CPU per request. */
export interface ReportFigure {
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  errors: number;
}

export function reportFigures(rounds: Record<ReportMeasure, Side>[]): Record<ReportMeasure, ReportFigure> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const figures = {} as Record<ReportMeasure, ReportFigure>;
  for (const m of REPORT_MEASURES) {
    const runs = rounds.map((r) => r[m]);
    figures[m] = {
      p50: median(runs.map((r) => r.summary.p50)),
      p99: median(runs.map((r) => r.summary.p99)),
      cpuMsPerRequest: median(runs.map((r) => (r.usage.api?.cpuMs ?? NaN) / r.summary.ops)),
      errors: runs.reduce((n, r) => n + r.summary.errors, 0),
    };
  }
  return figures;
}
