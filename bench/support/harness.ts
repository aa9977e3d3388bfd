import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, type Connection } from '@temporalio/client';
import { createTokenService } from '../../src/auth/tokens';
import type { Role } from '../../src/db/entities/user.entity';
import type { BenchContext } from '../phases';
import { UsageSampler } from './sampler';
import type { System } from './system';

/**
 * What every bench entry point (`npm run bench`, `bench:list`, `bench:reports`) sets up the same
 * way: the run's id, its users' tokens, the context its loads run in, its exit, and its clean-up.
 */

/** A run's id: its start to the second, and a random part so two runs in one second differ. */
export function newRunId(startedAt = new Date()): string {
  return `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(2).toString('hex')}`;
}

/** Access tokens signed with the run's SECRET_KEY, as the API issues them. */
export function accessTokens(system: System): (id: number, role: Role) => string {
  const tokens = createTokenService(system.env.SECRET_KEY, 24 * 60);
  return (id, role) => tokens.issue({ id, role, passwordHash: 'x' }).accessToken;
}

/**
 * The context the loads run in, with a sampler of the processes `sampled` names (every process of
 * the system when not given). Applies and notifications need `applyJobs`, `takeCandidates` and
 * `outboxRows`; a measure without them gets none.
 */
export function benchContext(
  args: Pick<BenchContext, 'opts' | 'system' | 'runId' | 'recruiter'> &
    Partial<Pick<BenchContext, 'applyJobs' | 'outboxRows' | 'takeCandidates'>> & { connection: Connection; sampled?: string[] },
): BenchContext {
  const { connection, sampled, system, ...rest } = args;
  const sampler = new UsageSampler();
  for (const [name, p] of system.processes) if (!sampled || sampled.includes(name)) sampler.track(name, p.pids ?? p.pid);
  return {
    applyJobs: [],
    outboxRows: () => false,
    takeCandidates: () => [],
    ...rest,
    system,
    sampler,
    client: new Client({ connection }),
  };
}

/**
 * Removes a run's databases (and with `bundles`, its workflow bundles): large, and saying nothing its
 * JSON does not; logs, the loads' raw results and profiles stay. BENCH_KEEP=1 keeps everything.
 */
export function removeLargeFiles(dir: string, bundles = false): void {
  if (process.env.BENCH_KEEP) return;
  const large = bundles ? /\.db(-wal|-shm)?$|bundle\.js$/ : /\.db(-wal|-shm)?$/;
  for (const f of fs.readdirSync(dir)) if (large.test(f)) fs.rmSync(path.join(dir, f));
}

/**
 * An entry point: `--help` prints `usage`; `run` decides the exit code (0 when it passed); a bad
 * option (its message carries the usage) exits 2, any other failure 1 with its stack.
 */
export function benchMain(name: string, usage: string, run: (argv: string[]) => Promise<boolean>): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  Promise.resolve(argv)
    .then(run)
    .then(
      (ok) => process.exit(ok ? 0 : 1),
      (err: Error) => {
        const badOption = err.message.includes('usage:');
        process.stderr.write(badOption ? `${err.message}\n` : `${name}: ${err.stack ?? err.message}\n`);
        process.exit(badOption ? 2 : 1);
      },
    );
}

/**
 * Hands out the seeded candidates in turn, each with a token of its own: an apply takes fresh ones.
 * A side left without them would measure no operation at all, so running out stops the run.
 */
export function freshCandidates(ids: number[], token: (id: number, role: Role) => string): BenchContext['takeCandidates'] {
  let next = 0;
  return (count) => {
    if (next + count > ids.length) throw new Error(`the run seeded ${ids.length} candidates, too few`);
    return ids.slice(next, (next += count)).map((id) => ({ id, token: token(id, 'candidate') }));
  };
}

/** What applies need of a run's seed: its recruiter, the jobs they apply to, and its candidates handed out fresh. */
export function seededApplies(
  system: System,
  seeded: { recruiterId: number; applyJobs: number[]; candidates: number[] },
): Pick<BenchContext, 'recruiter' | 'applyJobs' | 'takeCandidates'> {
  const token = accessTokens(system);
  return {
    recruiter: { id: seeded.recruiterId, token: token(seeded.recruiterId, 'recruiter') },
    applyJobs: seeded.applyJobs,
    takeCandidates: freshCandidates(seeded.candidates, token),
  };
}
