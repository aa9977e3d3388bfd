import Koa from 'koa';
import Router from '@koa/router';
import Database from 'better-sqlite3';
import { loadConfig, sqliteFileFromUrl } from '../../src/config';
import { workflowUrl } from '../../src/domain/ids';
import { RECOMMENDATIONS } from '../../src/domain/interviews';
import { bareAuthentication, bareErrors } from './bare-auth';

/**
 * The list's baseline process: one Koa route answering `GET /api/applications` for a staff member,
 * authenticated as the API authenticates every request (the token, then the user's row: bare-auth.ts),
 * with the statements the repository runs for a recruiter
 * (the bounded team count with whether the recruiter has any interview, the page with its candidate's
 * users row and the recruiter's team role on each row's job, the page's histories with each actor's
 * name; see src/applications/application-repository.ts) and for the page's evaluations (the
 * interviews, and only when there are some, the scorecards; see src/applications/application-evaluation.ts),
 * prepared once on the same SQLite file with the same pragmas, and the same JSON.
 */
const FEW_TEAM_APPLICATIONS = 2000;
const COLUMNS = `a.id, a.job_id as "jobId", a.candidate_id as "candidateId", a.stage, a.pipeline_version as "pipelineVersion", a.seq, a.cover_letter as "coverLetter",
  a.resume_url as "resumeUrl", a.created_at as "createdAt", a.updated_at as "updatedAt",
  u.full_name as "candidateName", u.email as "candidateEmail",
  (select t.team_role from job_team_members t where t.job_id = a.job_id and t.user_id = ?) as "readerTeamRole"`;
const EVENT_COLUMNS = `e.application_id as "applicationId", e.seq, e.from_stage as "from", e.to_stage as "to", e.at, e.actor as "by",
  u.full_name as "byName", e.reason`;
/** The jobs whose every application the member reads, those where they only interview, and the applications they interview. */
const READ_JOBS = "(select job_id from job_team_members where user_id = ? and team_role in ('recruiter', 'hiring_manager'))";
const INTERVIEWER_JOBS = "(select job_id from job_team_members where user_id = ? and team_role in ('interviewer'))";
const INTERVIEWED =
  '(select i.application_id from interview_interviewers ii join interviews i on i.id = ii.interview_id where ii.user_id = ?)';

interface Row {
  id: string;
  jobId: number;
  candidateId: number;
  stage: string;
  pipelineVersion: number | null;
  seq: number;
  coverLetter: string | null;
  resumeUrl: string | null;
  createdAt: string;
  updatedAt: string;
  candidateName: string | null;
  candidateEmail: string | null;
  readerTeamRole: string | null;
}
interface Event {
  applicationId: string;
  seq: number;
  from: string | null;
  to: string;
  at: string;
  by: string | null;
  byName: string | null;
  reason: string | null;
}
interface Interview {
  applicationId: string;
  completedAt: string | null;
  interviewers: number;
}

function main(): void {
  const config = loadConfig();
  const db = new Database(sqliteFileFromUrl(config.database.url));
  db.pragma('journal_mode = wal');
  db.pragma('synchronous = normal');
  db.pragma('busy_timeout = 5000');
  const teamCount = db.prepare(
    `select count(*) as n, exists (select 1 from interview_interviewers where user_id = ?) as interviews
    from (select 1 from applications where job_id in ${READ_JOBS} limit ${FEW_TEAM_APPLICATIONS}) as team_applications`,
  );
  const pages = new Map<string, Database.Statement>();
  const page = (few: boolean, interviews: boolean, job: boolean, stage: boolean, after: boolean) => {
    const key = `${few}${interviews}${job}${stage}${after}`;
    let statement = pages.get(key);
    if (!statement) {
      // The repository's two plans: few, the jobs' ranges and the interviewed applications, sorted; many, the
      // newest-first walk. The interviewed applications only for a member with an interview.
      const interviewed = `a.id in ${INTERVIEWED} and +a.job_id in ${INTERVIEWER_JOBS}`;
      const from = few
        ? `(select * from applications indexed by applications_job_created_index where job_id in ${READ_JOBS}${
            interviews ? ` union all select * from applications where id in ${INTERVIEWED} and job_id in ${INTERVIEWER_JOBS}` : ''
          }) as a`
        : 'applications as a';
      const where = [
        ...(few ? [] : [interviews ? `(+a.job_id in ${READ_JOBS} or (${interviewed}))` : `+a.job_id in ${READ_JOBS}`]),
        ...(job ? ['a.job_id = ?'] : []),
        ...(stage ? ['a.stage = ?'] : []),
        ...(after ? ['(a.created_at, a.id) < (?, ?)'] : []),
      ];
      statement = db.prepare(`select ${COLUMNS} from ${from} left join users u on u.id = a.candidate_id
        ${where.length ? `where ${where.join(' and ')}` : ''} order by a.created_at desc, a.id desc limit ?`);
      pages.set(key, statement);
    }
    return statement;
  };
  // One statement per page size (and per count of jobs), each prepared the first time it is needed.
  const statements = new Map<string, Database.Statement>();
  const prepared = (name: string, n: number, sql: (marks: string) => string) => {
    let statement = statements.get(`${name}${n}`);
    if (!statement) {
      statement = db.prepare(sql(Array(n).fill('?').join(', ')));
      statements.set(`${name}${n}`, statement);
    }
    return statement;
  };
  const historyOf = (n: number) =>
    prepared(
      'history',
      n,
      (marks) => `select ${EVENT_COLUMNS} from stage_events e left join users u on u.id = e.actor
      where e.application_id in (${marks}) order by e.application_id, e.seq`,
    );
  const interviewsOf = (n: number) =>
    prepared(
      'interviews',
      n,
      (marks) => `select i.application_id as "applicationId", i.completed_at as "completedAt",
      (select count(*) from interview_interviewers ii where ii.interview_id = i.id) as interviewers
      from interviews i where i.application_id in (${marks}) and i.status <> 'cancelled'`,
    );
  const scorecardsOf = (n: number) =>
    prepared(
      'scorecards',
      n,
      (marks) => `select s.application_id as "applicationId", s.recommendation, count(*) as n from scorecards s
      join interviews i on i.id = s.interview_id and i.status <> 'cancelled' where s.application_id in (${marks})
      group by s.application_id, s.recommendation`,
    );
  /** The evaluation of each of the page's applications on a job where the recruiter reads them (no interviewer's blind scoring here). */
  const evaluations = (items: Row[]) => {
    const visible = items.filter((r) => r.readerTeamRole === 'recruiter' || r.readerTeamRole === 'hiring_manager');
    const ids = visible.map((r) => r.id);
    const interviews = ids.length ? (interviewsOf(ids.length).all(...ids) as Interview[]) : [];
    const cards = interviews.length
      ? (scorecardsOf(ids.length).all(...ids) as { applicationId: string; recommendation: string; n: number }[])
      : [];
    return new Map(
      visible.map((r) => {
        const mine = interviews.filter((i) => i.applicationId === r.id);
        const recommendations = Object.fromEntries(RECOMMENDATIONS.map((k) => [k, 0])) as Record<string, number>;
        for (const c of cards) if (c.applicationId === r.id) recommendations[c.recommendation] += c.n;
        const submitted = Object.values(recommendations).reduce((x, y) => x + y, 0);
        const expected = mine.reduce((n, i) => n + i.interviewers, 0);
        return [
          r.id,
          {
            interviews: mine.length,
            scorecardsDue: Math.max(0, expected - submitted),
            scorecardsSubmitted: submitted,
            recommendations,
            needsDecision: mine.every((i) => i.completedAt !== null) && mine.some((i) => i.completedAt! > r.updatedAt),
          },
        ];
      }),
    );
  };
  const ui = config.temporal;
  const authenticate = bareAuthentication(config, db);

  const router = new Router();
  router.get('/api/applications', (ctx) => {
    const recruiterId = authenticate(ctx, ['recruiter', 'hiring_manager']).id;
    const limit = Math.min(100, Number(ctx.query.limit ?? 20));
    const jobId = ctx.query.jobId === undefined ? undefined : Number(ctx.query.jobId);
    const stage = typeof ctx.query.stage === 'string' ? ctx.query.stage : undefined;
    const cursor = typeof ctx.query.cursor === 'string' ? /^(.+)~(.+)$/.exec(ctx.query.cursor) : null;
    const team = jobId === undefined ? (teamCount.get(recruiterId, recruiterId) as { n: number; interviews: number }) : undefined;
    const few = team !== undefined && team.n < FEW_TEAM_APPLICATIONS;
    const interviews = team === undefined || team.interviews === 1;
    const params: unknown[] = [
      recruiterId,
      recruiterId,
      ...(interviews ? [recruiterId, recruiterId] : []),
      ...(jobId === undefined ? [] : [jobId]),
      ...(stage ? [stage] : []),
      ...(cursor ? [cursor[1], cursor[2]] : []),
      limit + 1,
    ];
    const rows = page(few, interviews, jobId !== undefined, !!stage, !!cursor).all(...params) as Row[];
    const byApplication = new Map<string, Event[]>(rows.map((r) => [r.id, []]));
    if (rows.length)
      for (const e of historyOf(rows.length).all(...rows.map((r) => r.id)) as Event[]) byApplication.get(e.applicationId)?.push(e);
    const items = rows.slice(0, limit);
    const evaluation = items.length ? evaluations(items) : new Map();
    const last = items[items.length - 1];
    ctx.body = {
      items: items.map((r) => ({
        id: r.id,
        jobId: String(r.jobId),
        candidateId: String(r.candidateId),
        stage: r.stage,
        pipelineVersion: r.pipelineVersion ?? 1,
        history: byApplication.get(r.id)!.map(({ from, to, at, by, byName, reason }) => ({ from, to, at, by, byName, reason })),
        workflowId: r.id,
        workflowUrl: workflowUrl(ui.uiUrl, ui.namespace, r.id),
        coverLetter: r.coverLetter,
        resumeUrl: r.resumeUrl,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        candidate: r.candidateEmail === null ? null : { id: String(r.candidateId), fullName: r.candidateName, email: r.candidateEmail },
        evaluation: evaluation.get(r.id) ?? null,
      })),
      nextCursor: rows.length > limit ? `${last.createdAt}~${last.id}` : null,
    };
  });
  const app = new Koa();
  app.use(bareErrors);
  app.use(router.routes());
  app.listen(config.port, '127.0.0.1', () => process.stdout.write(`bare list listening on ${config.port}\n`));
}

main();
