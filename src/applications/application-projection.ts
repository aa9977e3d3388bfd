import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/sql';
import { applicationExists } from './application-repository';
import { writeStays } from './application-stays';
import type { ApplicationAnswer, HistoryEntry } from '../../workflows/messages';

/**
 * The SQL projection of an application, the one writer of `stage`: it copies transitions Temporal
 * already kept (through the transition recorder), versioned by (workflow time, seq), so any writer's
 * repeat changes nothing. Only a write carrying the content creates a row: none exists without it.
 * With the events it rewrites the application's report rows (application-stays.ts).
 */

/** The row the projection writes, besides its history: an answer's ids and times, with the content when the writer has it. */
export interface ApplicationFacts {
  id: string;
  jobId: string;
  candidateId: string;
  /** Absent (not null) when the writer does not carry the content: then it only moves an existing row. */
  coverLetter?: string | null;
  resumeUrl?: string | null;
  createdAt: string;
  /** The pipeline version the application runs under; absent from writers that do not know it (the row keeps its own). */
  pipelineVersion?: number;
}

export interface ProjectApplicationInput {
  application: ApplicationFacts;
  /** The workflow's history, oldest first, up to and including the transition being projected. */
  history: HistoryEntry[];
}

const INSERT_APPLICATION = `insert into applications (id, job_id, candidate_id, stage, seq, cover_letter, resume_url, created_at, updated_at,
    stage_kind, pipeline_version)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 1)) on conflict (id) do nothing`;
// `updated_at` is the workflow time of the last transition: with `seq`, the version of the row.
const MOVE_IF_NEWER = `update applications set stage = ?, seq = ?, updated_at = ?, stage_kind = ?, pipeline_version = coalesce(?, pipeline_version)
  where id = ? and (updated_at, seq) < (?, ?)`;
// Reconcile only: the workflow's state replaces whatever SQL holds, even a row that looks newer.
const OVERWRITE = `update applications set stage = ?, seq = ?, updated_at = ?, stage_kind = ?, pipeline_version = coalesce(?, pipeline_version)
  where id = ?`;
const DROP_LATER_EVENTS = 'delete from stage_events where application_id = ? and seq > ?';
const EVENT_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const UPSERT_EVENTS = (count: number) => `insert into stage_events (application_id, seq, from_stage, to_stage, at, actor, reason,
    to_kind, migration_id, from_version, to_version)
  values ${Array.from({ length: count }, () => EVENT_VALUES).join(', ')}
  on conflict (application_id, seq) do update set from_stage = excluded.from_stage, to_stage = excluded.to_stage,
    at = excluded.at, actor = excluded.actor, reason = excluded.reason, to_kind = excluded.to_kind,
    migration_id = excluded.migration_id, from_version = excluded.from_version, to_version = excluded.to_version`;

/** An entry's stage kind: as the workflow recorded it, or (entries from before pipelines) its default-pipeline id. */
const kindOfEntry = (e: HistoryEntry) => e.toKind ?? e.to;

/** The version an application runs under, when the writer does not say: the last migration's, if any. */
function versionOf(a: ApplicationFacts, history: readonly HistoryEntry[]): number | null {
  if (a.pipelineVersion !== undefined) return a.pipelineVersion;
  const migrated = [...history].reverse().find((e) => e.migration);
  return migrated?.migration?.toVersion ?? null;
}

/** Writes the snapshot unless SQL already holds it or a newer one; true when it wrote. */
export async function projectApplication(orm: MikroORM, input: ProjectApplicationInput): Promise<boolean> {
  return (await writeProjection(orm, input)) === 'written';
}

/** `missing`: a write without the content found no row, and wrote nothing. */
export type ProjectionOutcome = 'written' | 'unchanged' | 'missing';

export interface ProjectionOptions {
  /** Write even when SQL's version is the same or newer: for repairing a row known to be wrong. */
  force?: boolean;
  /** Statements that commit with the projection, or not at all (whether or not the row moved); told what the write did. */
  alongside?: (em: EntityManager, outcome: ProjectionOutcome) => Promise<void>;
}

export async function writeProjection(
  orm: MikroORM,
  input: ProjectApplicationInput,
  { force = false, alongside }: ProjectionOptions = {},
): Promise<ProjectionOutcome> {
  return orm.em.fork().transactional(async (em) => {
    const outcome = await project(em, input, force);
    if (alongside) await alongside(em, outcome);
    return outcome;
  });
}

async function project(
  em: EntityManager,
  { application: a, history }: ProjectApplicationInput,
  force: boolean,
): Promise<ProjectionOutcome> {
  const last = history[history.length - 1];
  const withContent = a.coverLetter !== undefined || a.resumeUrl !== undefined;
  const version = versionOf(a, history);
  const run = (sql: string, params: unknown[]) => em.execute<QueryResult>(sql, params, 'run');
  const created =
    withContent &&
    (
      await run(INSERT_APPLICATION, [
        a.id,
        Number(a.jobId),
        Number(a.candidateId),
        last.to,
        last.seq,
        a.coverLetter ?? null,
        a.resumeUrl ?? null,
        a.createdAt,
        last.at,
        kindOfEntry(last),
        version,
      ])
    ).affectedRows > 0;
  const moved =
    created ||
    (force
      ? await run(OVERWRITE, [last.to, last.seq, last.at, kindOfEntry(last), version, a.id])
      : await run(MOVE_IF_NEWER, [last.to, last.seq, last.at, kindOfEntry(last), version, a.id, last.at, last.seq])
    ).affectedRows > 0;
  // SQL already holds this decision or a newer one: nothing to write.
  if (!moved) return withContent || (await applicationExists(em, a.id)) ? 'unchanged' : 'missing';
  await run(DROP_LATER_EVENTS, [a.id, last.seq]);
  await run(
    UPSERT_EVENTS(history.length),
    history.flatMap((e) => [
      a.id,
      e.seq,
      e.from,
      e.to,
      e.at,
      e.by,
      e.reason,
      kindOfEntry(e),
      e.migration?.id ?? null,
      e.migration?.fromVersion ?? null,
      e.migration?.toVersion ?? null,
    ]),
  );
  await writeStays(em, a, history);
  return 'written';
}

/** The projection of an update's answer; with the content when the caller has it (an apply). */
export function projectionOf(
  answer: ApplicationAnswer,
  content?: { coverLetter: string | null; resumeUrl: string | null },
): ProjectApplicationInput {
  const { applicationId: id, jobId, candidateId, createdAt, history, pipelineVersion } = answer;
  return {
    application: { id, jobId, candidateId, ...content, createdAt, ...(pipelineVersion === undefined ? {} : { pipelineVersion }) },
    history,
  };
}
