import type { EntityManager } from '@mikro-orm/sql';
import { ZodError } from 'zod';
import { dialectOf } from '../db/dialect';
import { DEFAULT_PIPELINE, pipelineErrors, sameStages, type PipelineSnapshot, type PipelineStage } from '../domain/pipelines';
import { noSuchJob } from './job-lookup';

/**
 * A job's pipeline versions in SQL (`job_pipelines`). A job with no stored version runs the default
 * pipeline as version 1, created with the job: only the first edit stores it, so jobs and
 * applications from before pipelines need no rows.
 */
export interface StoredPipeline extends PipelineSnapshot {
  jobId: number;
  createdAt: string;
  createdBy: number | null;
}

interface Row {
  version: number;
  stages: string;
  createdBy: number | string | null;
  createdAt: string;
}

const SELECT = 'select version, stages, created_by as "createdBy", created_at as "createdAt" from job_pipelines where job_id = ?';

const toPipeline = (jobId: number, r: Row): StoredPipeline => ({
  jobId,
  version: Number(r.version),
  stages: JSON.parse(r.stages) as PipelineStage[],
  createdAt: r.createdAt,
  createdBy: r.createdBy === null ? null : Number(r.createdBy),
});

/** The implicit version 1: the default stages, dated and signed as the job itself. */
async function implicitDefault(em: EntityManager, jobId: number, lock = ''): Promise<StoredPipeline> {
  const [job] = await em.execute<{ createdAt: string; createdBy: number | string }[]>(
    `select created_at as "createdAt", created_by as "createdBy" from jobs where id = ?${lock}`,
    [jobId],
    'all',
  );
  if (!job) throw noSuchJob();
  return { ...DEFAULT_PIPELINE, jobId, createdAt: job.createdAt, createdBy: Number(job.createdBy) };
}

/** Every version of the job's pipeline, oldest first (the implicit default alone when none is stored). */
export async function pipelineVersions(em: EntityManager, jobId: number): Promise<StoredPipeline[]> {
  const stored = await storedVersions(em, jobId);
  return stored.length ? stored : [await implicitDefault(em, jobId)];
}

/**
 * Those of `stageIds` that no version of the job's pipeline has. A job with no stored version runs
 * the default, which needs no read of the job unless a stage is missing (an unknown job is then a 404).
 */
export async function stagesMissingFromPipeline(em: EntityManager, jobId: number, stageIds: readonly string[]): Promise<string[]> {
  const stored = await storedVersions(em, jobId);
  const versions: readonly PipelineSnapshot[] = stored.length ? stored : [DEFAULT_PIPELINE];
  const missing = stageIds.filter((id) => !versions.some((v) => v.stages.some((s) => s.id === id)));
  if (missing.length && !stored.length) await implicitDefault(em, jobId);
  return missing;
}

async function storedVersions(em: EntityManager, jobId: number): Promise<StoredPipeline[]> {
  const rows: Row[] = await em.execute<Row[]>(`${SELECT} order by version`, [jobId], 'all');
  return rows.map((r) => toPipeline(jobId, r));
}

/**
 * The version new applications are pinned to. Given the job as the caller has read it (rather than
 * its id), the implicit default is dated from it without reading the job again.
 */
export async function currentPipeline(
  em: EntityManager,
  job: number | { id: number; createdAt: string; createdBy: number },
): Promise<StoredPipeline> {
  const jobId = typeof job === 'number' ? job : job.id;
  const [row] = await em.execute<Row[]>(`${SELECT} order by version desc limit 1`, [jobId], 'all');
  if (row) return toPipeline(jobId, row);
  return typeof job === 'number'
    ? implicitDefault(em, jobId)
    : { ...DEFAULT_PIPELINE, jobId, createdAt: job.createdAt, createdBy: job.createdBy };
}

/** One version; null when the job has no such version. */
export async function pipelineVersion(em: EntityManager, jobId: number, version: number): Promise<StoredPipeline | null> {
  const [row] = await em.execute<Row[]>(`${SELECT} and version = ?`, [jobId, version], 'all');
  if (row) return toPipeline(jobId, row);
  if (version !== 1) return null;
  const current = await currentPipeline(em, jobId);
  return current.version === 1 ? current : null;
}

/** The stage as stored: its fields in one order, `slaSeconds` null when it takes the default. */
const normalized = (s: PipelineStage): PipelineStage => ({ id: s.id, name: s.name, kind: s.kind, slaSeconds: s.slaSeconds ?? null });

/**
 * Publishes `stages` as the job's next version, unless they are the current version's (answered
 * unchanged). Each rule broken against every earlier version is a 422 naming it. The job's row is
 * locked first (PostgreSQL; SQLite runs one writer at a time), so two edits at once take successive
 * versions, the second checked against the first.
 */
export async function publishPipeline(
  em: EntityManager,
  jobId: number,
  stages: readonly PipelineStage[],
  by: number,
): Promise<StoredPipeline> {
  return em.transactional(async (tx) => {
    const implicit = await implicitDefault(tx, jobId, dialectOf(tx).lockRead);
    const stored = await storedVersions(tx, jobId);
    const versions = stored.length ? stored : [implicit];
    const errors = pipelineErrors(stages, versions);
    if (errors.length) throw validationFailed(errors);
    const current = versions[versions.length - 1];
    if (sameStages(current.stages, stages)) return current;
    const stmt = 'insert into job_pipelines (job_id, version, stages, created_by, created_at) values (?, ?, ?, ?, ?)';
    const insert = (p: StoredPipeline) =>
      tx.execute(stmt, [jobId, p.version, JSON.stringify(p.stages.map(normalized)), p.createdBy, p.createdAt], 'run');
    // The first edit stores the default it replaces, so version 1 stays readable as it was.
    if (!stored.length) await insert(implicit);
    const next: StoredPipeline = {
      jobId,
      version: current.version + 1,
      stages: stages.map(normalized),
      createdAt: new Date().toISOString(),
      createdBy: by,
    };
    await insert(next);
    return next;
  });
}

/** Broken rules as a validation failure (422 `validation_failed`), each at its field's dotted path. */
export function validationFailed(errors: Array<{ path: string; message: string }>): ZodError {
  return new ZodError(
    errors.map(({ path, message }) => ({
      code: 'custom' as const,
      path: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      message,
      input: undefined,
    })),
  );
}
