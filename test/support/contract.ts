import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedSampleData } from '../../src/accounts/seed';
import { startStack, type TestStack } from './stack';
import { bundleWorkflows } from './applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/** A running stack with a worker and something for every endpoint to act on, seen by every role. */
export interface ContractWorld {
  stack: TestStack;
  admin: Actor;
  recruiter: Actor;
  otherRecruiter: Actor;
  /** On the open job's team as `hiring_manager`: reads its applications, moves none. */
  hiringManager: Actor;
  candidate: Actor;
  otherCandidate: Actor;
  jobs: { open: string; draft: string; closed: string; otherRecruiters: string };
  /** The candidate's application (moved to screening) and the other candidate's. */
  applications: { mine: string; others: string };
  /** An interview tomorrow on the other candidate's application, the hiring manager its interviewer. */
  interviews: { others: string };
}

export async function startContractStack(extraEnv: Record<string, string> = {}): Promise<ContractWorld> {
  const stack = await startStack(extraEnv, { worker: { workflowBundle: await bundleWorkflows() } });
  // The sample data first, as `npm run dev` does on a fresh database (TechCorp is company 1).
  await seedSampleData(stack.services);
  const [admin, recruiter, otherRecruiter, hiringManager, candidate, otherCandidate] = [
    await stack.user('admin'),
    await stack.user('recruiter'),
    await stack.user('recruiter'),
    await stack.user('hiring_manager'),
    await stack.user('candidate'),
    await stack.user('candidate'),
  ];
  const job = async (who: Actor, status: string, title: string) => {
    const res = await stack.http('POST', '/api/jobs', {
      token: who.token,
      body: { title, company: 'TechCorp', description: 'Build the ATS.', location: 'Remote', status },
    });
    if (res.status !== 201) throw new Error(`seeding a ${status} job: ${res.status} ${res.text}`);
    return String(res.body.id);
  };
  const jobs = {
    open: await job(recruiter, 'open', 'Backend Developer'),
    draft: await job(recruiter, 'draft', 'Staff Engineer'),
    closed: await job(recruiter, 'closed', 'Site Reliability Engineer'),
    otherRecruiters: await job(otherRecruiter, 'open', 'Data Engineer'),
  };
  const apply = async (who: Actor, jobId: string) => {
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, {
      token: who.token,
      body: { coverLetter: 'Hello', resumeUrl: 'https://example.com/cv.pdf' },
    });
    if (res.status !== 201) throw new Error(`seeding an application: ${res.status} ${res.text}`);
    return String(res.body.id);
  };
  const joined = await stack.http('POST', `/api/jobs/${jobs.open}/team`, {
    token: recruiter.token,
    body: { userId: String(hiringManager.user.id), teamRole: 'hiring_manager' },
  });
  if (joined.status !== 201) throw new Error(`seeding a hiring manager on a team: ${joined.status} ${joined.text}`);
  const applications = { mine: await apply(candidate, jobs.open), others: await apply(otherCandidate, jobs.open) };
  const moved = await stack.http('PATCH', `/api/applications/${applications.mine}/stage`, {
    token: recruiter.token,
    body: { stage: 'screening', reason: 'Strong portfolio' },
  });
  if (moved.status !== 200) throw new Error(`seeding a stage change: ${moved.status} ${moved.text}`);
  await apply(otherCandidate, jobs.otherRecruiters);
  const tomorrow = (hours: number) => new Date(Date.now() + (24 + hours) * 3600_000).toISOString();
  const interview = await stack.http('POST', `/api/applications/${applications.others}/interviews`, {
    token: recruiter.token,
    body: { title: 'Technical interview', startsAt: tomorrow(0), endsAt: tomorrow(1), interviewerIds: [String(hiringManager.user.id)] },
  });
  if (interview.status !== 201) throw new Error(`seeding an interview: ${interview.status} ${interview.text}`);
  const interviews = { others: String(interview.body.id) };
  return { stack, admin, recruiter, otherRecruiter, hiringManager, candidate, otherCandidate, jobs, applications, interviews };
}

/** The venv the toolchain installs (scripts/requirements-contract.txt). */
export function pythonTool(name: string): string {
  const dir = process.env.ATS_PYTHON_TOOLS ?? path.resolve(__dirname, '../../.tools/python');
  const file = path.join(dir, 'bin', name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the tests with npm test, which installs the contract tools`);
  return file;
}

export interface RunResult {
  code: number;
  output: string;
}

/** Runs a command to its end, stdout and stderr interleaved as the tool wrote them. */
export function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output }),
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
  });
}

/** Fails with the tool's own output, which says what went wrong. */
export function expectSuccess(result: RunResult, what: string): void {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.output}`);
}

export const SCHEMATHESIS_SEED = '8';
export const SCHEMATHESIS_MAX_EXAMPLES = '30';
/** The one exception to schemathesis' defaults, and why: see the file. */
const SCHEMATHESIS_CONFIG = path.resolve(__dirname, '../contract/schemathesis.toml');

/** The hooks every run loads: a fresh `Idempotency-Key` per request (see the file for why). */
const SCHEMATHESIS_HOOKS = path.resolve(__dirname, '../contract/schemathesis-hooks.py');

export interface SchemathesisOptions {
  maxExamples?: string;
  /** Which checks run (`all` unless given). */
  checks?: string;
  /** `false` runs without test/contract/schemathesis-hooks.py: to show what it prevents. */
  hooks?: boolean;
}

/** `st run location --checks all` with the suite's seed and example count; `args` add the URL, headers, filters. */
export async function runSchemathesis(location: string, args: string[], options: SchemathesisOptions = {}): Promise<RunResult> {
  const { maxExamples = SCHEMATHESIS_MAX_EXAMPLES, checks = 'all', hooks = true } = options;
  // A directory of its own: schemathesis keeps a cache of past crashes in its working directory and
  // replays them first, which would make one run depend on the ones before.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-schemathesis-'));
  try {
    return await run(
      pythonTool('st'),
      [
        '--config-file',
        SCHEMATHESIS_CONFIG,
        'run',
        location,
        '--checks',
        checks,
        '--seed',
        SCHEMATHESIS_SEED,
        '--max-examples',
        maxExamples,
        // One worker: hypothesis parses lambdas' source with `ast` while drawing, which is not thread-safe
        // on Python 3.11 ("AST constructor recursion depth mismatch").
        '--generation-database',
        'none',
        '--workers',
        '1',
        '--no-color',
        ...args,
      ],
      { timeoutMs: 300_000, cwd, env: { SCHEMATHESIS_HOOKS: hooks ? SCHEMATHESIS_HOOKS : '' } },
    );
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
