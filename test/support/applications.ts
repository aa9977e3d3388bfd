import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { JobSchema, type Job, type JobStatus } from '../../src/db/entities/job.entity';
import { resolveCompany } from '../../src/companies/companies';
import { findApplication } from '../../src/applications/application-repository';
import { addCreatorToTeam, addToTeam as addMember } from '../../src/jobs/hiring-team';
import { allowedNext, type Stage } from '../../src/domain/stages';
import { stateQuery, type ApplicationState } from '../../workflows/messages';
import { startStack, type TestStack } from './stack';

/** Helpers for tests of application workflows: jobs, the workflow's view and SQL's view. */

/** Bundle once per test file: webpack costs seconds, a worker from a bundle starts at once. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
}

export type Actor = Awaited<ReturnType<TestStack['user']>>;

/** What application tests start from: a stack whose worker runs the bundled workflows, a recruiter, and an open job of theirs. */
export async function startApplicationStack(): Promise<{ stack: TestStack; recruiter: Actor; jobId: string }> {
  const stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
  const recruiter = await stack.user('recruiter');
  return { stack, recruiter, jobId: String((await createJob(stack, recruiter.user.id)).id) };
}

/** A job inserted directly (the jobs API is not under test here). */
export async function createJob(stack: TestStack, createdBy: number, status: JobStatus = 'open'): Promise<Job> {
  const em = stack.services.orm.em.fork();
  const now = new Date().toISOString();
  const company = await resolveCompany(em, { company: 'TechCorp' });
  const job = em.create(JobSchema, {
    title: 'Backend Developer',
    companyId: company.id,
    description: null,
    location: 'Remote',
    status,
    createdBy,
    createdAt: now,
    updatedAt: now,
  });
  addCreatorToTeam(em, job);
  await em.flush();
  return job;
}

/** Puts a recruiter on a job's hiring team directly, as its creator would through the API. */
export async function addToTeam(stack: TestStack, job: Pick<Job, 'id' | 'createdBy'>, userId: number): Promise<void> {
  await addMember(stack.services.orm.em.fork(), job.id, userId, job.createdBy);
}

export function queryState(stack: TestStack, id: string): Promise<ApplicationState> {
  return stack.services.temporal.workflow.getHandle(id).query(stateQuery);
}

/** The history SQL holds, in the shape of the workflow's (seq included). */
export async function sqlHistory(stack: TestStack, id: string) {
  const rows = await stack.services.orm.em.fork().execute<
    {
      seq: number;
      from: Stage | null;
      to: Stage;
      at: string;
      by: string;
      reason: string | null;
      toKind: string;
      migrationId: string | null;
      fromVersion: number | null;
      toVersion: number | null;
    }[]
  >(
    `select seq, from_stage as "from", to_stage as "to", at, actor as "by", reason, to_kind as "toKind",
        migration_id as "migrationId", from_version as "fromVersion", to_version as "toVersion"
        from stage_events where application_id = ? order by seq`,
    [id],
    'all',
  );
  // As the workflow's history holds them: the migration only on the entry that has one.
  return rows.map(({ migrationId, fromVersion, toVersion, ...r }) => ({
    ...r,
    ...(migrationId ? { migration: { id: migrationId, fromVersion: Number(fromVersion), toVersion: Number(toVersion) } } : {}),
  }));
}

/** SQL's row and history agree with the workflow's live state, field by field. */
export async function expectSqlMatchesWorkflow(stack: TestStack, id: string): Promise<ApplicationState> {
  const state = await queryState(stack, id);
  const record = await findApplication(stack.services.orm.em.fork(), id);
  expect(record).not.toBeNull();
  expect({ stage: record!.stage, seq: record!.seq, createdAt: record!.createdAt, updatedAt: record!.updatedAt }).toEqual({
    stage: state.stage,
    seq: state.seq,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  });
  expect(await sqlHistory(stack, id)).toEqual(state.history);
  return state;
}

/** A history is linear and legal: seq 1..n without gaps, each step allowed by the one transition table. */
export function expectLegalHistory(history: { seq: number; from: Stage | null; to: Stage }[]): void {
  expect(history.map((h) => h.seq)).toEqual(history.map((_, i) => i + 1));
  expect(history[0]).toMatchObject({ from: null, to: 'applied' });
  for (let i = 1; i < history.length; i++) {
    expect(history[i].from).toBe(history[i - 1].to);
    expect(allowedNext(history[i].from!)).toContain(history[i].to);
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
