import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { placeholders } from '../db/placeholders';
import { openStages, type PipelineSnapshot } from '../domain/pipelines';
import { WORKFLOW_ID_SUFFIX_ALPHABET, WORKFLOW_ID_SUFFIX_LENGTH } from '../domain/ids';

/**
 * Migrations of a job's running applications from one pipeline version to another, as SQL records
 * them (`pipeline_migrations`): the API creates one, the migration workflow's activities count its
 * progress, and clients read it back.
 */
export type MigrationStatus = 'running' | 'completed' | 'failed';

export interface PipelineMigrationRecord {
  id: string;
  jobId: number;
  fromVersion: number;
  toVersion: number;
  /** Every non-final stage of `fromVersion` to a non-final stage of `toVersion`. */
  stageMap: Record<string, string>;
  status: MigrationStatus;
  total: number;
  migrated: number;
  failed: number;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

interface Row extends Omit<PipelineMigrationRecord, 'stageMap' | 'jobId' | 'createdBy'> {
  jobId: number | string;
  stageMap: string;
  createdBy: number | string | null;
}

const COLUMNS = `id, job_id as "jobId", from_version as "fromVersion", to_version as "toVersion", stage_map as "stageMap",
  status, total, migrated, failed, created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

const toRecord = (r: Row): PipelineMigrationRecord => ({
  ...r,
  jobId: Number(r.jobId),
  fromVersion: Number(r.fromVersion),
  toVersion: Number(r.toVersion),
  stageMap: JSON.parse(r.stageMap) as Record<string, string>,
  total: Number(r.total),
  migrated: Number(r.migrated),
  failed: Number(r.failed),
  createdBy: r.createdBy === null ? null : Number(r.createdBy),
});

/** `migration-` and 10 characters of lowercase base32: unguessable, and a workflow id as it stands. */
export function newMigrationId(): string {
  return `migration-${[...randomBytes(WORKFLOW_ID_SUFFIX_LENGTH)].map((b) => WORKFLOW_ID_SUFFIX_ALPHABET[b % 32]).join('')}`;
}

/**
 * What is wrong with a stage map (API.md): every non-final stage of `from` must map to a non-final
 * stage of `to`. Each problem names the stage id at fault, under `stageMap.<id>`.
 */
export function stageMapErrors(
  from: PipelineSnapshot,
  to: PipelineSnapshot,
  stageMap: Readonly<Record<string, string>>,
): Array<{ path: string; message: string }> {
  const sources = openStages(from);
  const targets = new Set(openStages(to));
  const errors: Array<{ path: string; message: string }> = [];
  for (const id of sources) {
    if (!(id in stageMap)) errors.push({ path: `stageMap.${id}`, message: `Stage \`${id}\` of version ${from.version} is not mapped.` });
    else if (!targets.has(stageMap[id]))
      errors.push({
        path: `stageMap.${id}`,
        message: `\`${stageMap[id]}\` is not a non-final stage of version ${to.version}.`,
      });
  }
  for (const id of Object.keys(stageMap)) {
    if (!sources.includes(id))
      errors.push({ path: `stageMap.${id}`, message: `\`${id}\` is not a non-final stage of version ${from.version}.` });
  }
  return errors;
}

/** The job's running applications pinned to `from`, per stage (every non-final stage listed, zero included). */
export async function runningByStage(em: EntityManager, jobId: number, from: PipelineSnapshot): Promise<Record<string, number>> {
  const open = openStages(from);
  const counts: Record<string, number> = Object.fromEntries(open.map((s) => [s, 0]));
  const rows = await em.execute<{ stage: string; n: number | string }[]>(
    `select stage, count(*) as n from applications
      where job_id = ? and pipeline_version = ? and stage in (${placeholders(open.length)}) group by stage`,
    [jobId, from.version, ...open],
    'all',
  );
  // PostgreSQL answers count(*) as a bigint string.
  for (const r of rows) counts[r.stage] = Number(r.n);
  return counts;
}

/** Records a new migration, `running`, before its workflow starts. */
export async function createMigration(
  em: EntityManager,
  m: Pick<PipelineMigrationRecord, 'jobId' | 'fromVersion' | 'toVersion' | 'stageMap' | 'total' | 'createdBy'>,
): Promise<PipelineMigrationRecord> {
  const now = new Date().toISOString();
  const record: PipelineMigrationRecord = {
    ...m,
    id: newMigrationId(),
    status: 'running',
    migrated: 0,
    failed: 0,
    createdAt: now,
    updatedAt: now,
  };
  await em.execute(
    `insert into pipeline_migrations (id, job_id, from_version, to_version, stage_map, status, total, migrated, failed, created_by, created_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      record.id,
      record.jobId,
      record.fromVersion,
      record.toVersion,
      JSON.stringify(record.stageMap),
      record.status,
      record.total,
      0,
      0,
      record.createdBy,
      now,
      now,
    ],
    'run',
  );
  return record;
}

/** One migration; null when none has that id. */
export async function findMigration(em: EntityManager, id: string): Promise<PipelineMigrationRecord | null> {
  const [row] = await em.execute<Row[]>(`select ${COLUMNS} from pipeline_migrations where id = ?`, [id], 'all');
  return row ? toRecord(row) : null;
}

/** The migration workflow's count so far, and its status once it is over. */
export async function recordMigrationProgress(
  em: EntityManager,
  id: string,
  progress: { migrated: number; failed: number; status: MigrationStatus },
): Promise<void> {
  await em.execute(
    'update pipeline_migrations set migrated = ?, failed = ?, status = ?, updated_at = ? where id = ?',
    [progress.migrated, progress.failed, progress.status, new Date().toISOString(), id],
    'run',
  );
}
