import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { Stage } from '../domain/stages';
import { dialectOf } from '../db/dialect';
import type { ApplicationCursor } from './application-cursor';

/**
 * Reads of the application projection. Lists cost two queries whatever the page size: one index
 * range scan for the page (each filter has an index ending in the sort key, see the initial
 * migration) and one `IN (...)` lookup for the page's histories on the (application_id, seq) key;
 * a recruiter's list costs a third, bounded count that picks how to read their teams' jobs.
 */
export interface StageEventRecord {
  applicationId: string;
  seq: number;
  from: Stage | null;
  to: Stage;
  at: string;
  by: string | null;
  reason: string | null;
}

/** An application as SQL holds it, read back from the projection (numeric ids, the content, the history). */
export interface ApplicationRecord {
  id: string;
  jobId: number;
  candidateId: number;
  stage: Stage;
  seq: number;
  coverLetter: string | null;
  resumeUrl: string | null;
  createdAt: string;
  updatedAt: string;
  history: StageEventRecord[];
}

export interface ApplicationFilter {
  candidateId?: number;
  /** A recruiter: only the applications of jobs on whose hiring team they are. */
  teamMemberId?: number;
  jobId?: number;
  stage?: Stage;
  after?: ApplicationCursor;
  limit: number;
}

// Aliases are quoted: PostgreSQL folds unquoted names to lower case.
const COLUMNS = `id, job_id as "jobId", candidate_id as "candidateId", stage, seq, cover_letter as "coverLetter",
  resume_url as "resumeUrl", created_at as "createdAt", updated_at as "updatedAt"`;
const EVENT_COLUMNS = 'application_id as "applicationId", seq, from_stage as "from", to_stage as "to", at, actor as "by", reason';

type Row = Omit<ApplicationRecord, 'history'>;

export async function findApplication(em: EntityManager, id: string): Promise<ApplicationRecord | null> {
  const [row] = await em.execute<Row[]>(`select ${COLUMNS} from applications where id = ?`, [id], 'all');
  return row ? (await withHistories(em, [row]))[0] : null;
}

/** What the candidate sent with the application (cover letter, résumé URL), which the workflow's answers leave out. */
export interface ApplicationContent {
  coverLetter: string | null;
  resumeUrl: string | null;
}

export async function applicationContent(em: EntityManager, id: string): Promise<ApplicationContent | null> {
  const [row] = await em.execute<ApplicationContent[]>(
    'select cover_letter as "coverLetter", resume_url as "resumeUrl" from applications where id = ?',
    [id],
    'all',
  );
  return row ? { coverLetter: row.coverLetter, resumeUrl: row.resumeUrl } : null;
}

export async function applicationExists(em: EntityManager, id: string): Promise<boolean> {
  const rows = await em.execute<{ found: number }[]>('select 1 as found from applications where id = ?', [id], 'all');
  return rows.length > 0;
}

/** Newest first; `limit` rows at most, after the cursor's row when one is given. */
export async function listApplications(em: EntityManager, filter: ApplicationFilter): Promise<ApplicationRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  let from = 'applications';
  if (filter.candidateId !== undefined) {
    where.push('candidate_id = ?');
    params.push(filter.candidateId);
  }
  if (filter.teamMemberId !== undefined) {
    const few = filter.jobId === undefined && (await teamHoldsFew(em, filter.teamMemberId));
    const plan = dialectOf(em).teamList(few);
    from = plan.from;
    where.push(`${plan.jobColumn} in ${TEAM_JOBS}`);
    params.push(filter.teamMemberId);
  }
  if (filter.jobId !== undefined) {
    where.push('job_id = ?');
    params.push(filter.jobId);
  }
  if (filter.stage !== undefined) {
    where.push('stage = ?');
    params.push(filter.stage);
  }
  // A row-value comparison is one range on the (…, created_at, id) indexes, unlike its OR expansion.
  if (filter.after) {
    where.push('(created_at, id) < (?, ?)');
    params.push(filter.after.createdAt, filter.after.id);
  }
  const sql = `select ${COLUMNS} from ${from}${where.length ? ` where ${where.join(' and ')}` : ''}
    order by created_at desc, id desc limit ?`;
  const rows = await em.execute<Row[]>(sql, [...params, filter.limit], 'all');
  return withHistories(em, rows);
}

const TEAM_JOBS = '(select job_id from job_team_members where user_id = ?)';

/**
 * A recruiter's list reads one of two ways. While their teams' jobs hold many applications, walking
 * all applications newest first (`+job_id` keeps the planner off the job index) and keeping the
 * team's finds a page after a short walk. When they hold few, that walk could cross the whole table
 * for nothing, so the jobs' own (job_id, created_at, id) ranges are read and those few rows sorted.
 * SQLite is told which way (src/db/dialect.ts); PostgreSQL's planner chooses from its statistics.
 * The count stops at the bound, so telling the two apart costs at most that many index entries.
 */
export const FEW_TEAM_APPLICATIONS = 2000;

async function teamHoldsFew(em: EntityManager, userId: number): Promise<boolean> {
  const [{ n }] = await em.execute<{ n: number }[]>(
    `select count(*) as n from (select 1 from applications where job_id in ${TEAM_JOBS} limit ${FEW_TEAM_APPLICATIONS}) as team_applications`,
    [userId],
    'all',
  );
  return n < FEW_TEAM_APPLICATIONS;
}

async function withHistories(em: EntityManager, rows: Row[]): Promise<ApplicationRecord[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const events = await em.execute<StageEventRecord[]>(
    `select ${EVENT_COLUMNS} from stage_events where application_id in (${ids.map(() => '?').join(', ')}) order by application_id, seq`,
    ids,
    'all',
  );
  const byApplication = new Map<string, StageEventRecord[]>(ids.map((id) => [id, []]));
  for (const e of events) byApplication.get(e.applicationId)?.push(e);
  return rows.map((r) => ({ ...r, history: byApplication.get(r.id) ?? [] }));
}
