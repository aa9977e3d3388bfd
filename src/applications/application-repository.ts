import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { Stage } from '../domain/stages';
import { dialectOf } from '../db/dialect';
import { placeholders } from '../db/placeholders';
import type { TeamRole } from '../db/entities/job-team-member.entity';
import type { ApplicationCursor } from './application-cursor';
import { NEEDS_DECISION_SQL } from './interviews';
import { READS_EVERY_APPLICATION } from './application-access';

/**
 * Reads of the application projection. Lists cost two queries whatever the page size: one index
 * range scan for the page (each filter has an index ending in the sort key, see the initial
 * migration) and one `IN (...)` lookup for the page's histories on the (application_id, seq) key;
 * a staff member's list costs a third, bounded count that picks how to read their teams' jobs, and
 * its page carries the member's team role on each row's job, which the evaluation needs.
 */
export interface StageEventRecord {
  applicationId: string;
  seq: number;
  from: Stage | null;
  to: Stage;
  at: string;
  by: string | null;
  /** The actor's full name (users joined on `by`); null for the system and for erased accounts. */
  byName: string | null;
  reason: string | null;
  /** The entry a pipeline migration made: its id and the versions (all null on other entries). */
  migrationId?: string | null;
  fromVersion?: number | null;
  toVersion?: number | null;
}

/** The candidate as the users table holds them (an erased account: no name, the erased address). */
export interface CandidateRecord {
  id: string;
  fullName: string | null;
  email: string;
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
  /** The pipeline version the application is pinned to (1, the default, for those from before pipelines). */
  pipelineVersion: number;
  /** The kind of its stage in that version (`rejected` for the rejection). */
  stageKind: string | null;
  /** Null only for a candidate id no users row holds (never, while the foreign key stands). */
  candidate: CandidateRecord | null;
  history: StageEventRecord[];
  /** In a list read for a team member (`teamMemberId`): their team role on the application's job. */
  readerTeamRole?: TeamRole | null;
}

export interface ApplicationFilter {
  candidateId?: number;
  /**
   * Staff: only the applications they may read (application-access.ts): those of jobs on whose hiring
   * team they read every application, and, where they are an `interviewer`, those they interview.
   */
  teamMemberId?: number;
  jobId?: number;
  stage?: Stage;
  /** Case-insensitive substring of the candidate's name or e-mail; plain text, no wildcards. */
  q?: string;
  /** Whether the application waits for a decision (see `NEEDS_DECISION_SQL`). */
  needsDecision?: boolean;
  after?: ApplicationCursor;
  limit: number;
}

// Aliases are quoted: PostgreSQL folds unquoted names to lower case. The candidate's users row is
// left-joined (on its primary key), so the page stays one index range scan over applications.
const COLUMNS = `applications.id, applications.job_id as "jobId", applications.candidate_id as "candidateId", applications.stage,
  applications.seq, applications.cover_letter as "coverLetter", applications.resume_url as "resumeUrl",
  applications.created_at as "createdAt", applications.updated_at as "updatedAt",
  applications.pipeline_version as "pipelineVersion", applications.stage_kind as "stageKind",
  candidate_user.full_name as "candidateName", candidate_user.email as "candidateEmail"`;
const WITH_CANDIDATE = 'left join users candidate_user on candidate_user.id = applications.candidate_id';
const EVENT_COLUMNS = `e.application_id as "applicationId", e.seq, e.from_stage as "from", e.to_stage as "to", e.at,
  e.actor as "by", actor_user.full_name as "byName", e.reason, e.migration_id as "migrationId",
  e.from_version as "fromVersion", e.to_version as "toVersion"`;

type Row = Omit<ApplicationRecord, 'history' | 'candidate'> & { candidateName: string | null; candidateEmail: string | null };

export async function findApplication(em: EntityManager, id: string): Promise<ApplicationRecord | null> {
  const [row] = await em.execute<Row[]>(`select ${COLUMNS} from applications ${WITH_CANDIDATE} where applications.id = ?`, [id], 'all');
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

/** The users rows of these ids (text, as application views carry them; `system` and the like are skipped), in one query. */
export async function peopleByIds(
  em: EntityManager,
  ids: readonly (string | null)[],
): Promise<Map<string, { fullName: string | null; email: string }>> {
  const numeric = [...new Set(ids.filter((id): id is string => id !== null && /^[0-9]{1,15}$/.test(id)))].map(Number);
  if (!numeric.length) return new Map();
  const rows = await em.execute<{ id: number; fullName: string | null; email: string }[]>(
    `select id, full_name as "fullName", email from users where id in (${placeholders(numeric.length)})`,
    numeric,
    'all',
  );
  return new Map(rows.map((r) => [String(r.id), { fullName: r.fullName, email: r.email }]));
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
  const fromParams: unknown[] = [];
  let readerColumn = '';
  const readerParams: unknown[] = [];
  if (filter.candidateId !== undefined) {
    where.push('applications.candidate_id = ?');
    params.push(filter.candidateId);
  }
  if (filter.teamMemberId !== undefined) {
    const member = filter.teamMemberId;
    readerColumn = `, (select reader_team.team_role from job_team_members reader_team
      where reader_team.job_id = applications.job_id and reader_team.user_id = ?) as "readerTeamRole"`;
    readerParams.push(member);
    const team = filter.jobId === undefined ? await teamReach(em, member) : { few: false, interviews: true };
    const plan = dialectOf(em).teamList(team.few);
    // The applications a member interviews are looked for only when they have an interview at all.
    if (team.few) {
      // Both parts are small: read each, then sort the union (the alias keeps the columns' names).
      const interviewed = team.interviews
        ? ` union all select * from applications where id in ${INTERVIEWED} and job_id in ${INTERVIEWER_JOBS}`
        : '';
      from = `(select * from ${plan.from} where ${plan.jobColumn} in ${READ_JOBS}${interviewed}) as applications`;
      fromParams.push(member, ...(team.interviews ? [member, member] : []));
    } else if (team.interviews) {
      where.push(`(${plan.jobColumn} in ${READ_JOBS} or (applications.id in ${INTERVIEWED} and ${plan.jobColumn} in ${INTERVIEWER_JOBS}))`);
      params.push(member, member, member);
    } else {
      where.push(`${plan.jobColumn} in ${READ_JOBS}`);
      params.push(member);
    }
  }
  if (filter.jobId !== undefined) {
    where.push('applications.job_id = ?');
    params.push(filter.jobId);
  }
  if (filter.stage !== undefined) {
    where.push('applications.stage = ?');
    params.push(filter.stage);
  }
  if (filter.q) {
    // A substring position finds the text as it is, where LIKE would read `%` and `_` as wildcards.
    const position = dialectOf(em).position;
    where.push(`(${position}(lower(candidate_user.full_name), lower(?)) > 0 or ${position}(lower(candidate_user.email), lower(?)) > 0)`);
    params.push(filter.q, filter.q);
  }
  if (filter.needsDecision !== undefined) where.push(filter.needsDecision ? NEEDS_DECISION_SQL : `not ${NEEDS_DECISION_SQL}`);
  // A row-value comparison is one range on the (…, created_at, id) indexes, unlike its OR expansion.
  if (filter.after) {
    where.push('(applications.created_at, applications.id) < (?, ?)');
    params.push(filter.after.createdAt, filter.after.id);
  }
  const sql = `select ${COLUMNS}${readerColumn} from ${from} ${WITH_CANDIDATE}${where.length ? ` where ${where.join(' and ')}` : ''}
    order by applications.created_at desc, applications.id desc limit ?`;
  const rows = await em.execute<Row[]>(sql, [...readerParams, ...fromParams, ...params, filter.limit], 'all');
  return withHistories(em, rows);
}

const teamJobs = (roles: readonly TeamRole[]) =>
  `(select job_id from job_team_members where user_id = ? and team_role in (${roles.map((r) => `'${r}'`).join(', ')}))`;
/** The jobs whose every application the member reads. */
const READ_JOBS = teamJobs(READS_EVERY_APPLICATION);
/** The jobs on whose team the member only interviews. */
const INTERVIEWER_JOBS = teamJobs(['interviewer']);
/** The applications the member has an interview with (by the interview_interviewers user index). */
const INTERVIEWED =
  '(select i.application_id from interview_interviewers ii join interviews i on i.id = ii.interview_id where ii.user_id = ?)';

/**
 * A staff member's list reads one of two ways. While the jobs whose applications they read hold
 * many, walking all applications newest first (`+job_id` keeps the planner off the job index) and
 * keeping theirs finds a page after a short walk. When they hold few, that walk could cross the whole
 * table for nothing, so the jobs' own (job_id, created_at, id) ranges are read, with the applications
 * they interview (by primary key; an interviewer has few), and those few rows sorted.
 * SQLite is told which way (src/db/dialect.ts); PostgreSQL's planner chooses from its statistics.
 * The count stops at the bound, so telling the two apart costs at most that many index entries.
 * The same statement says whether the member has any interview (one probe of the user index), so
 * that a member who has none, as most recruiters, reads no interviewed applications.
 */
export const FEW_TEAM_APPLICATIONS = 2000;

async function teamReach(em: EntityManager, userId: number): Promise<{ few: boolean; interviews: boolean }> {
  const [{ n, interviews }] = await em.execute<{ n: number; interviews: number | boolean }[]>(
    `select count(*) as n, exists (select 1 from interview_interviewers where user_id = ?) as "interviews"
    from (select 1 from applications where job_id in ${READ_JOBS} limit ${FEW_TEAM_APPLICATIONS}) as team_applications`,
    [userId, userId],
    'all',
  );
  return { few: Number(n) < FEW_TEAM_APPLICATIONS, interviews: Boolean(interviews) };
}

async function withHistories(em: EntityManager, rows: Row[]): Promise<ApplicationRecord[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const events = await em.execute<StageEventRecord[]>(
    `select ${EVENT_COLUMNS} from stage_events e left join users actor_user on actor_user.id = ${dialectOf(em).actorUserId('e.actor')}
    where e.application_id in (${placeholders(ids.length)}) order by e.application_id, e.seq`,
    ids,
    'all',
  );
  const byApplication = new Map<string, StageEventRecord[]>(ids.map((id) => [id, []]));
  for (const e of events) byApplication.get(e.applicationId)?.push(e);
  return rows.map(({ candidateName, candidateEmail, ...r }) => ({
    ...r,
    pipelineVersion: Number(r.pipelineVersion ?? 1),
    candidate: candidateEmail === null ? null : { id: String(r.candidateId), fullName: candidateName, email: candidateEmail },
    history: byApplication.get(r.id) ?? [],
  }));
}
