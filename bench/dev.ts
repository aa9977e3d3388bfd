import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { createTokenService } from '../src/auth/tokens';
import { createPasswordHasher } from '../src/auth/passwords';
import { sqliteFileFromUrl } from '../src/config';
import type { Stage } from '../src/domain/stages';
import type { HttpRequestSpec, LoadSpec } from './load';
import { APPLY_CONTENT } from './baselines/matched-messages';
import { findDevProcesses } from './support/dev-processes';
import { ROOT, runScript } from './support/processes';
import { sampledLoad, UsageSampler } from './support/sampler';
import { summarize, type Summary } from './support/stats';

/**
 * `npm run bench:dev`: the bench's apply and stage-change loads against a `npm run dev` already
 * running, from outside: what a developer's machine gives for the figures `npm run bench` reports.
 */
export const DEV_USAGE = `usage: npm run bench:dev -- [options]     (with \`npm run dev\` running)
  Finds the system's processes by the API's port (the runner as the API's parent, the worker and
  notifier as its other children, Temporal and Redis by the addresses in the API's environment),
  signs in as a staff member through the token endpoint (POST /api/auth/login), creates the jobs
  through the API, and writes the candidates into the API's SQLite database as sign-up would (an
  argon2 hash each; their tokens signed with the SECRET_KEY of the API's environment). Then, with
  the bench's load driver (bench/load.ts) and --clients clients: warm-up and measured applies by
  fresh candidates, then a stage change of every application in the order they applied (to
  screening; with --moves, then interview and offer), as the bench moves them. More running
  applications than the worker caches (WORKER_MAX_CACHED_WORKFLOWS, 200) make every stage change a
  replay, as in the full bench; --applies 100 --jobs 10 --moves 3 is the quick bench's shape.
  Prints throughput, p50, p99 and each process's CPU per operation, with the load average before
  each load (measure on a quiet machine); the JSON goes to --out.
  --api URL               the API (http://localhost:8000)
  --applies N             measured applies per round, after 2 x clients of warm-up (300)
  --clients N             concurrent clients (10)
  --jobs N                jobs the applies go to, in turn (1; the bench's loads use 10)
  --moves N               stage changes per application, 1-3 (1)
  --rounds N              rounds, each on jobs and candidates of its own (1); medians are reported
  --email ADDR            staff account to sign in as (the demo recruiter, recruiter@example.com)
  --password TEXT         its password (the demo recruiter's)
  --label TEXT            what this run is, kept in the JSON (e.g. "NODE_ENV=production")
  --out DIR               where the JSON results go (var/bench)`;

export interface DevBenchOptions {
  api: string;
  applies: number;
  clients: number;
  jobs: number;
  moves: number;
  rounds: number;
  email: string;
  password: string;
  label: string;
  outDir: string;
}

export function parseDevOptions(argv: string[]): DevBenchOptions {
  const known = ['--api', '--applies', '--clients', '--jobs', '--moves', '--rounds', '--email', '--password', '--label', '--out'];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!known.includes(flag)) throw new Error(`unknown option ${flag}\n${DEV_USAGE}`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${DEV_USAGE}`);
    values.set(flag, value);
  }
  const int = (flag: string, fallback: number, max = Infinity) => {
    const v = values.get(flag);
    if (v === undefined) return fallback;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${flag} must be an integer from 1 to ${max}, got ${v}\n${DEV_USAGE}`);
    return n;
  };
  return {
    api: (values.get('--api') ?? 'http://localhost:8000').replace(/\/$/, ''),
    applies: int('--applies', 300),
    clients: int('--clients', 10),
    jobs: int('--jobs', 1),
    moves: int('--moves', 1, 3),
    rounds: int('--rounds', 1),
    email: values.get('--email') ?? 'recruiter@example.com',
    password: values.get('--password') ?? 'recruiter-demo-password',
    label: values.get('--label') ?? '',
    outDir: values.get('--out') ?? 'var/bench',
  };
}

/** The settings that tell one `npm run dev` from another, as the API's environment holds them. */
const SETTINGS = ['NODE_ENV', 'LOG_LEVEL', 'SMTP_URL', 'MAIL_OUTBOX_DIR', 'WORKFLOW_BUNDLE_PATH', 'DATABASE_URL', 'TEMPORAL_ADDRESS'];
const MOVES: Stage[] = ['screening', 'interview', 'offer'];

interface Load {
  summary: Summary;
  firstError: string | null;
  /** CPU per measured operation, ms, per process (the load driver's own as `load`). */
  cpuMsPerOp: Record<string, number>;
  loadAverage: number;
}

async function api<T>(base: string, method: string, url: string, token: string | undefined, body?: unknown, form?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(base + url, { method, headers, body: form ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Candidates as sign-up writes them (one argon2 hash of a password of the run's, shared), with their tokens. */
async function seedCandidates(dbFile: string, secret: string, count: number, prefix: string): Promise<string[]> {
  const passwordHash = await createPasswordHasher({ concurrency: 1, maxWaiting: 1 }).hash(randomBytes(16).toString('hex'));
  const db = new Database(dbFile);
  try {
    db.pragma('busy_timeout = 10000');
    const now = new Date().toISOString();
    const insert = db.prepare(
      "insert into users (email, password_hash, role, full_name, active, created_at, updated_at) values (?, ?, 'candidate', ?, 1, ?, ?)",
    );
    const ids = db.transaction(() =>
      Array.from({ length: count }, (_, i) =>
        Number(insert.run(`${prefix}-${i}@bench.example`, passwordHash, `${prefix} ${i}`, now, now).lastInsertRowid),
      ),
    )();
    const tokens = createTokenService(secret, 24 * 60);
    return ids.map((id) => tokens.issue({ id, role: 'candidate', passwordHash }).accessToken);
  } finally {
    db.close();
  }
}

/** Runs one load in a process of its own while the sampler watches the dev processes. */
async function measure(dir: string, sampler: UsageSampler, name: string, spec: LoadSpec): Promise<Load> {
  const base = path.join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
  fs.writeFileSync(`${base}.spec.json`, JSON.stringify(spec), { mode: 0o600 });
  const loadAverage = os.loadavg()[0];
  // Each process is charged the measured operations' CPU, as the bench charges it (warm-up not counted).
  const { usage, result } = await sampledLoad(sampler, base, {});
  const summary = summarize(result);
  const cpuMsPerOp: Record<string, number> = Object.fromEntries([
    ...Object.entries(usage).map(([p, u]) => [p, u.cpuMs / summary.ops]),
    ['load', result.cpuMs / summary.ops],
  ]);
  process.stdout.write(
    `  ${name.padEnd(14)} ${summary.ops} ok, ${summary.errors} failed, ${summary.opsPerSec.toFixed(1)}/s, p50 ${summary.p50.toFixed(0)} ms, p99 ${summary.p99.toFixed(0)} ms (load average ${loadAverage.toFixed(2)} before)${result.firstError ? `; first error: ${result.firstError.slice(0, 200)}` : ''}\n` +
      `  ${''.padEnd(14)} CPU ms/op: ${Object.entries(cpuMsPerOp)
        .map(([p, ms]) => `${p} ${ms.toFixed(1)}`)
        .join(', ')}\n`,
  );
  return { summary, firstError: result.firstError, cpuMsPerOp, loadAverage };
}

/**
 * Every application of the jobs, as the staff member lists them (a page of 100 at a time), in the
 * order they were made: the bench moves them in that order too, which is what the workers' bounded
 * workflow cache sees.
 */
async function applicationsOf(opts: DevBenchOptions, token: string, jobIds: string[]): Promise<string[]> {
  const found: { id: string; createdAt: string }[] = [];
  for (const jobId of jobIds) {
    let cursor: string | null = null;
    do {
      const page: { items: { id: string; createdAt: string }[]; nextCursor: string | null } = await api(
        opts.api,
        'GET',
        `/api/applications?jobId=${encodeURIComponent(jobId)}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      found.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
  }
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((a) => a.id);
}

async function round(
  opts: DevBenchOptions,
  k: number,
  ctx: { runId: string; dir: string; dbFile: string; secret: string; staff: string; sampler: UsageSampler },
) {
  const warmup = 2 * opts.clients;
  const jobIds: string[] = [];
  for (let j = 0; j < opts.jobs; j++) {
    const job = await api<{ id: string | number }>(opts.api, 'POST', '/api/jobs', ctx.staff, {
      title: `bench:dev ${ctx.runId} round ${k} job ${j + 1}`,
      company: 'Bench',
      status: 'open',
    });
    jobIds.push(String(job.id));
  }
  const tokens = await seedCandidates(ctx.dbFile, ctx.secret, warmup + opts.applies, `dev-${ctx.runId}-${k}`);
  await api(opts.api, 'GET', '/api/auth/me', tokens[0]);
  const apply = await measure(ctx.dir, ctx.sampler, `apply`, {
    kind: 'http',
    baseUrl: opts.api,
    concurrency: opts.clients,
    warmup,
    requests: tokens.map((token, i): HttpRequestSpec => ({
      method: 'POST',
      path: `/api/jobs/${jobIds[i % jobIds.length]}/apply`,
      token,
      body: APPLY_CONTENT,
      expect: 201,
    })),
  });
  // The warm-up's applications are moved too: the stage changes' own warm-up is the first of them.
  const ids = await applicationsOf(opts, ctx.staff, jobIds);
  const stageChange = await measure(ctx.dir, ctx.sampler, `stage change`, {
    kind: 'http',
    baseUrl: opts.api,
    concurrency: opts.clients,
    warmup,
    requests: MOVES.slice(0, opts.moves).flatMap((stage) =>
      ids.map((id): HttpRequestSpec => ({
        method: 'PATCH',
        path: `/api/applications/${encodeURIComponent(id)}/stage`,
        token: ctx.staff,
        body: { stage },
        expect: 200,
        key: id,
      })),
    ),
  });
  return { apply, stageChange };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function run(opts: DevBenchOptions): Promise<boolean> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(2).toString('hex')}`;
  const found = findDevProcesses(Number(new URL(opts.api).port) || 80);
  const settings = Object.fromEntries(SETTINGS.map((k) => [k, found.env[k] ?? null]));
  process.stdout.write(
    `dev processes: ${[...found.pids].map(([n, pid]) => `${n} ${pid}`).join(', ')}\n` +
      `settings: ${Object.entries(settings)
        .map(([k, v]) => `${k}=${v ?? '(unset)'}`)
        .join(' ')}\n`,
  );
  const url = found.env.DATABASE_URL ?? 'sqlite:///./dev.db';
  if (/^postgres/i.test(url)) throw new Error('the API uses PostgreSQL: bench:dev writes its candidates into a SQLite database only');
  if (!found.env.SECRET_KEY) throw new Error("the API's environment holds no SECRET_KEY to sign the candidates' tokens with");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dev-'));
  const sampler = new UsageSampler();
  for (const [name, pid] of found.pids) sampler.track(name, pid);
  try {
    const { access_token: staff } = await api<{ access_token: string }>(
      opts.api,
      'POST',
      '/api/auth/login',
      undefined,
      undefined,
      new URLSearchParams({ username: opts.email, password: opts.password }).toString(),
    );
    const ctx = { runId, dir, dbFile: path.resolve(found.cwd, sqliteFileFromUrl(url)), secret: found.env.SECRET_KEY, staff, sampler };
    const rounds: Awaited<ReturnType<typeof round>>[] = [];
    for (let k = 1; k <= opts.rounds; k++) {
      process.stdout.write(`round ${k} of ${opts.rounds}: ${opts.applies} applies to ${opts.jobs} job(s), ${opts.clients} clients\n`);
      rounds.push(await round(opts, k, ctx));
    }
    const figures = Object.fromEntries(
      (['apply', 'stageChange'] as const).map((load) => {
        const taken = rounds.map((r) => r[load]);
        return [
          load,
          {
            opsPerSec: median(taken.map((t) => t.summary.opsPerSec)),
            p50: median(taken.map((t) => t.summary.p50)),
            p99: median(taken.map((t) => t.summary.p99)),
            errors: taken.reduce((n, t) => n + t.summary.errors, 0),
            cpuMsPerOp: Object.fromEntries(Object.keys(taken[0].cpuMsPerOp).map((p) => [p, median(taken.map((t) => t.cpuMsPerOp[p]))])),
            loadAverage: median(taken.map((t) => t.loadAverage)),
          },
        ];
      }),
    );
    const lines = Object.entries(figures).map(
      ([load, f]) =>
        `  ${load.padEnd(12)} ${f.opsPerSec.toFixed(1)}/s, p50 ${f.p50.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms, CPU ms/op: ${Object.entries(
          f.cpuMsPerOp,
        )
          .map(([p, ms]) => `${p} ${ms.toFixed(1)}`)
          .join(', ')}`,
    );
    process.stdout.write(`\n${opts.label ? `${opts.label}: ` : ''}medians of ${opts.rounds} round(s)\n${lines.join('\n')}\n`);
    const outDir = path.resolve(ROOT, opts.outDir);
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `dev-${runId}.json`);
    const result = {
      startedAt: startedAt.toISOString(),
      label: opts.label,
      options: { ...opts, password: undefined },
      settings,
      processes: Object.fromEntries(found.pids),
      figures,
      rounds: rounds.map((r) => ({ apply: r.apply, stageChange: r.stageChange })),
    };
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
    return Object.values(figures).every((f) => f.errors === 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${DEV_USAGE}\n`);
    return;
  }
  let opts: DevBenchOptions;
  try {
    opts = parseDevOptions(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  process.exit((await run(opts)) ? 0 : 1);
}

if (require.main === module)
  main().catch((err: Error) => {
    process.stderr.write(`bench:dev: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
