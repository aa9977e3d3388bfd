import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import {
  interviewStatus,
  RECOMMENDATIONS,
  type InterviewDetails,
  type InterviewStatus,
  type Recommendation,
  type StoredInterviewStatus,
} from '../domain/interviews';
import { toDbId } from '../domain/ids';
import { placeholders } from '../db/placeholders';
import type { InterviewRecord } from '../../workflows/messages';
import type { ApplicationAccess } from './application-access';

/**
 * Interviews and scorecards in SQL: the projection the API reads. The application's workflow keeps
 * the record of who is interviewed when and whose scorecard is in (and enforces the rules); SQL keeps
 * that for reading, and the scorecards' content. Rows are written as the API answers, and by the
 * interview's workflow should the API die first; the `revision` keeps an older write from undoing a newer.
 */
export interface InterviewRow {
  id: string;
  applicationId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  location: string | null;
  stored: StoredInterviewStatus;
  revision: number;
  completedAt: string | null;
  createdAt: string;
  interviewers: Array<{ id: string; fullName: string | null; scorecardSubmitted: boolean }>;
}

export interface ScorecardAttribute {
  name: string;
  rating: number;
  note?: string | null;
}

export interface ScorecardRow {
  id: string;
  interviewId: string;
  applicationId: string;
  author: { id: string; fullName: string | null };
  recommendation: Recommendation;
  attributes: ScorecardAttribute[];
  notes: string | null;
  submittedAt: string;
}

export interface Evaluation {
  interviews: number;
  scorecardsDue: number;
  scorecardsSubmitted: number;
  recommendations: Record<Recommendation, number>;
  needsDecision: boolean;
}

export const statusOf = (row: InterviewRow, now = Date.now()): InterviewStatus =>
  interviewStatus(
    row.stored,
    { endsAt: row.endsAt, interviewerIds: row.interviewers.map((i) => i.id) },
    row.interviewers.filter((i) => i.scorecardSubmitted).map((i) => i.id),
    now,
  );

/** Writes the workflow's record of an interview, unless SQL already holds a newer revision of it. */
export async function writeInterview(em: EntityManager, applicationId: string, record: InterviewRecord): Promise<void> {
  await em.transactional(async (tx) => {
    const written = await tx.execute<{ affectedRows: number }>(
      `insert into interviews (id, application_id, title, starts_at, ends_at, location, status, revision, created_by, created_at, updated_at, completed_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (id) do update set title = excluded.title, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
          location = excluded.location, status = excluded.status, revision = excluded.revision,
          updated_at = excluded.updated_at, completed_at = excluded.completed_at
        where (interviews.updated_at, interviews.revision) <= (excluded.updated_at, excluded.revision)`,
      [
        record.id,
        applicationId,
        record.title,
        record.startsAt,
        record.endsAt,
        record.location,
        record.status,
        record.revision,
        toDbId(record.scheduledBy) ?? null,
        record.createdAt,
        record.updatedAt,
        record.completedAt,
      ],
      'run',
    );
    if (written.affectedRows > 0) await writeInterviewers(tx, record.id, record.interviewerIds);
  });
}

/** The row as the interview's workflow knows it at its start, when SQL has none yet. */
export async function writeInterviewIfMissing(
  em: EntityManager,
  applicationId: string,
  interview: InterviewDetails,
  scheduledBy: string,
  createdAt: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    const written = await tx.execute<{ affectedRows: number }>(
      `insert into interviews (id, application_id, title, starts_at, ends_at, location, status, revision, created_by, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, 'scheduled', 0, ?, ?, ?) on conflict (id) do nothing`,
      [
        interview.id,
        applicationId,
        interview.title,
        interview.startsAt,
        interview.endsAt,
        interview.location,
        toDbId(scheduledBy) ?? null,
        createdAt,
        createdAt,
      ],
      'run',
    );
    if (written.affectedRows > 0) await writeInterviewers(tx, interview.id, interview.interviewerIds);
  });
}

async function writeInterviewers(em: EntityManager, interviewId: string, interviewerIds: readonly string[]): Promise<void> {
  await em.execute('delete from interview_interviewers where interview_id = ?', [interviewId], 'run');
  for (const userId of interviewerIds)
    await em.execute('insert into interview_interviewers (interview_id, user_id) values (?, ?)', [interviewId, Number(userId)], 'run');
}

export async function markInterviewCancelled(em: EntityManager, interviewId: string): Promise<void> {
  await em.execute(
    `update interviews set status = 'cancelled' where id = ? and status <> 'cancelled' and completed_at is null`,
    [interviewId],
    'run',
  );
}

const INTERVIEW_COLUMNS = `i.id, i.application_id as "applicationId", i.title, i.starts_at as "startsAt", i.ends_at as "endsAt",
  i.location, i.status as "stored", i.revision, i.completed_at as "completedAt", i.created_at as "createdAt"`;

/** Interviews with their interviewers (names, and whether each one's scorecard is in): two queries whatever the count. */
async function withInterviewers(em: EntityManager, rows: Omit<InterviewRow, 'interviewers'>[]): Promise<InterviewRow[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const people = await em.execute<{ interviewId: string; id: number; fullName: string | null; submitted: number | null }[]>(
    `select ii.interview_id as "interviewId", u.id, u.full_name as "fullName", s.id as submitted
      from interview_interviewers ii join users u on u.id = ii.user_id
      left join scorecards s on s.interview_id = ii.interview_id and s.author_id = ii.user_id
      where ii.interview_id in (${placeholders(ids.length)}) order by ii.interview_id, u.id`,
    ids,
    'all',
  );
  const byInterview = new Map<string, InterviewRow['interviewers']>(ids.map((id) => [id, []]));
  for (const p of people)
    byInterview.get(p.interviewId)?.push({ id: String(p.id), fullName: p.fullName, scorecardSubmitted: p.submitted !== null });
  return rows.map((r) => ({ ...r, revision: Number(r.revision), interviewers: byInterview.get(r.id) ?? [] }));
}

/** Who sees what of an interview: the candidate its time, title and place; an interviewer the others' scorecards only after their own. */
export interface Viewer {
  access: ApplicationAccess;
  userId: number;
  /** An interviewer's own scorecard for the application is in (blind scoring opens). */
  sighted: boolean;
}

export function interviewView(row: InterviewRow, viewer: Viewer) {
  const status = statusOf(row);
  const base = { id: row.id, title: row.title, startsAt: row.startsAt, endsAt: row.endsAt, location: row.location };
  if (viewer.access === 'owner') return { ...base, status: status === 'cancelled' ? 'cancelled' : 'scheduled' };
  const blind = viewer.access === 'interviewer' && !viewer.sighted;
  return {
    ...base,
    applicationId: row.applicationId,
    status: blind && status === 'complete' ? 'awaiting_feedback' : status,
    interviewers: row.interviewers.map((i) => ({
      id: i.id,
      fullName: i.fullName,
      scorecardSubmitted: blind && i.id !== String(viewer.userId) ? null : i.scorecardSubmitted,
    })),
    createdAt: row.createdAt,
  };
}

export async function findInterview(em: EntityManager, id: string): Promise<InterviewRow | null> {
  const rows = await em.execute<Omit<InterviewRow, 'interviewers'>[]>(
    `select ${INTERVIEW_COLUMNS} from interviews i where i.id = ?`,
    [id],
    'all',
  );
  return (await withInterviewers(em, rows))[0] ?? null;
}

/** An application's interviews by start time. */
export async function listInterviews(em: EntityManager, applicationId: string): Promise<InterviewRow[]> {
  const rows = await em.execute<Omit<InterviewRow, 'interviewers'>[]>(
    `select ${INTERVIEW_COLUMNS} from interviews i where i.application_id = ? order by i.starts_at, i.id`,
    [applicationId],
    'all',
  );
  return withInterviewers(em, rows);
}

/** The interviews a user is an interviewer of, upcoming first (by start), then past ones latest first; at most `limit`. */
export async function interviewsOf(em: EntityManager, userId: number, now: string, limit: number): Promise<InterviewRow[]> {
  const rows = await em.execute<Omit<InterviewRow, 'interviewers'>[]>(
    `select ${INTERVIEW_COLUMNS} from interview_interviewers ii join interviews i on i.id = ii.interview_id
      where ii.user_id = ? order by case when i.ends_at >= ? then 0 else 1 end,
        case when i.ends_at >= ? then i.starts_at end asc, i.starts_at desc, i.id limit ?`,
    [userId, now, now, limit],
    'all',
  );
  return withInterviewers(em, rows);
}

/** Writes (or replaces) an interviewer's scorecard for an interview. */
export async function writeScorecard(
  em: EntityManager,
  card: {
    interviewId: string;
    applicationId: string;
    authorId: number;
    recommendation: Recommendation;
    attributes: ScorecardAttribute[];
    notes: string | null;
    submittedAt: string;
  },
): Promise<void> {
  await em.execute(
    `insert into scorecards (interview_id, application_id, author_id, recommendation, attributes, notes, submitted_at) values (?, ?, ?, ?, ?, ?, ?)
      on conflict (interview_id, author_id) do update set recommendation = excluded.recommendation, attributes = excluded.attributes,
        notes = excluded.notes, submitted_at = excluded.submitted_at`,
    [
      card.interviewId,
      card.applicationId,
      card.authorId,
      card.recommendation,
      JSON.stringify(card.attributes),
      card.notes,
      card.submittedAt,
    ],
    'run',
  );
}

const SCORECARD_SELECT = `select s.id, s.interview_id as "interviewId", s.application_id as "applicationId", s.author_id as "authorId",
  u.full_name as "authorName", s.recommendation, s.attributes, s.notes, s.submitted_at as "submittedAt"
  from scorecards s join users u on u.id = s.author_id`;

type ScorecardSqlRow = Omit<ScorecardRow, 'author' | 'attributes' | 'id'> & {
  id: number;
  authorId: number;
  authorName: string | null;
  attributes: string;
};
const toScorecard = (r: ScorecardSqlRow): ScorecardRow => ({
  id: String(r.id),
  interviewId: r.interviewId,
  applicationId: r.applicationId,
  author: { id: String(r.authorId), fullName: r.authorName },
  recommendation: r.recommendation,
  attributes: JSON.parse(r.attributes) as ScorecardAttribute[],
  notes: r.notes,
  submittedAt: r.submittedAt,
});

export async function findScorecard(em: EntityManager, interviewId: string, authorId: number): Promise<ScorecardRow | null> {
  const [row] = await em.execute<ScorecardSqlRow[]>(
    `${SCORECARD_SELECT} where s.interview_id = ? and s.author_id = ?`,
    [interviewId, authorId],
    'all',
  );
  return row ? toScorecard(row) : null;
}

/** An application's scorecards, in the order they were submitted. */
export async function listScorecards(em: EntityManager, applicationId: string): Promise<ScorecardRow[]> {
  const rows = await em.execute<ScorecardSqlRow[]>(
    `${SCORECARD_SELECT} where s.application_id = ? order by s.submitted_at, s.id`,
    [applicationId],
    'all',
  );
  return rows.map(toScorecard);
}

/** Whether the user's own scorecard for (an interview of) the application is in: what opens the others' to an interviewer. */
export async function hasOwnScorecard(em: EntityManager, applicationId: string, userId: number): Promise<boolean> {
  const rows = await em.execute<{ found: number }[]>(
    'select 1 as found from scorecards where application_id = ? and author_id = ? limit 1',
    [applicationId, userId],
    'all',
  );
  return rows.length > 0;
}

/** Of `applicationIds`, those the user's own scorecard is in for: one read for a list of interviews. */
export async function applicationsWithOwnScorecard(
  em: EntityManager,
  applicationIds: readonly string[],
  userId: number,
): Promise<Set<string>> {
  const ids = [...new Set(applicationIds)];
  if (!ids.length) return new Set();
  const rows = await em.execute<{ applicationId: string }[]>(
    `select distinct application_id as "applicationId" from scorecards where author_id = ? and application_id in (${placeholders(ids.length)})`,
    [userId, ...ids],
    'all',
  );
  return new Set(rows.map((r) => r.applicationId));
}

/**
 * `true` while the application has an interview completed since its last stage change (`updated_at`
 * is the time of its last transition) and none still scheduled or awaiting feedback, as the workflow
 * computes its `NeedsDecision` search attribute. Both subqueries read the (application_id, …) index.
 */
export const NEEDS_DECISION_SQL = `(exists (select 1 from interviews nd where nd.application_id = applications.id and nd.status <> 'cancelled'
    and nd.completed_at is not null and nd.completed_at > applications.updated_at)
  and not exists (select 1 from interviews np where np.application_id = applications.id and np.status <> 'cancelled' and np.completed_at is null))`;

/** The evaluations of several applications (with the time of each one's last transition), in two queries (one without interviews). */
export async function evaluationsOf(
  em: EntityManager,
  applications: ReadonlyArray<{ id: string; updatedAt: string }>,
): Promise<Map<string, Evaluation>> {
  const result = new Map<string, Evaluation>();
  if (!applications.length) return result;
  const ids = applications.map((a) => a.id);
  const marks = placeholders(ids.length);
  const interviews = await em.execute<{ applicationId: string; id: string; completedAt: string | null; interviewers: number }[]>(
    `select i.application_id as "applicationId", i.id, i.completed_at as "completedAt",
      (select count(*) from interview_interviewers ii where ii.interview_id = i.id) as interviewers
      from interviews i where i.application_id in (${marks}) and i.status <> 'cancelled'`,
    ids,
    'all',
  );
  // A page without interviews (most of them) costs this one query.
  const cards = !interviews.length
    ? []
    : await em.execute<{ applicationId: string; recommendation: Recommendation; n: number }[]>(
        `select s.application_id as "applicationId", s.recommendation, count(*) as n from scorecards s
      join interviews i on i.id = s.interview_id and i.status <> 'cancelled'
      where s.application_id in (${marks}) group by s.application_id, s.recommendation`,
        ids,
        'all',
      );
  for (const a of applications) {
    const mine = interviews.filter((i) => i.applicationId === a.id);
    const recommendations = Object.fromEntries(RECOMMENDATIONS.map((r) => [r, 0])) as Record<Recommendation, number>;
    for (const c of cards) if (c.applicationId === a.id) recommendations[c.recommendation] += Number(c.n);
    const submitted = Object.values(recommendations).reduce((x, y) => x + y, 0);
    const expected = mine.reduce((n, i) => n + Number(i.interviewers), 0);
    result.set(a.id, {
      interviews: mine.length,
      scorecardsDue: Math.max(0, expected - submitted),
      scorecardsSubmitted: submitted,
      recommendations,
      needsDecision: mine.every((i) => i.completedAt !== null) && mine.some((i) => i.completedAt! > a.updatedAt),
    });
  }
  return result;
}

/** A candidate's interviews and the scorecards about them, for their export. */
export async function interviewDataOfCandidate(
  em: EntityManager,
  candidateId: number,
): Promise<{ interviews: InterviewRow[]; scorecards: ScorecardRow[] }> {
  const rows = await em.execute<Omit<InterviewRow, 'interviewers'>[]>(
    `select ${INTERVIEW_COLUMNS} from interviews i where i.application_id in (select id from applications where candidate_id = ?) order by i.starts_at, i.id`,
    [candidateId],
    'all',
  );
  const cards = await em.execute<ScorecardSqlRow[]>(
    `${SCORECARD_SELECT} where s.application_id in (select id from applications where candidate_id = ?) order by s.submitted_at, s.id`,
    [candidateId],
    'all',
  );
  return { interviews: await withInterviewers(em, rows), scorecards: cards.map(toScorecard) };
}

/**
 * Erasure: the scorecards about a candidate go, and their interviews with them (what is still pending
 * is cancelled by the application's workflow as the erasure rejects it, telling only the interviewers).
 */
export async function eraseInterviewDataOfCandidate(em: EntityManager, candidateId: number): Promise<void> {
  const mine = '(select id from applications where candidate_id = ?)';
  await em.execute(`delete from scorecards where application_id in ${mine}`, [candidateId], 'run');
  await em.execute(
    `delete from interview_interviewers where interview_id in (select id from interviews where application_id in ${mine})`,
    [candidateId],
    'run',
  );
  await em.execute(`delete from interviews where application_id in ${mine}`, [candidateId], 'run');
}
