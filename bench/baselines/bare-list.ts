import Koa from 'koa';
import Router from '@koa/router';
import Database from 'better-sqlite3';
import { loadConfig, sqliteFileFromUrl } from '../../src/config';
import { workflowUrl } from '../../src/domain/ids';

/**
 * The list's baseline process: one Koa route answering `GET /api/applications` for one recruiter
 * (`BENCH_RECRUITER_ID`; no authentication) with the statements the repository runs for a recruiter
 * (the bounded team count, the page, the page's histories; see src/applications/application-repository.ts),
 * prepared once on the same SQLite file with the same pragmas, and the same JSON.
 */
const FEW_TEAM_APPLICATIONS = 2000;
const COLUMNS = `id, job_id as "jobId", candidate_id as "candidateId", stage, seq, cover_letter as "coverLetter",
  resume_url as "resumeUrl", created_at as "createdAt", updated_at as "updatedAt"`;
const EVENT_COLUMNS = 'application_id as "applicationId", seq, from_stage as "from", to_stage as "to", at, actor as "by", reason';
const TEAM_JOBS = '(select job_id from job_team_members where user_id = ?)';

interface Row {
  id: string;
  jobId: number;
  candidateId: number;
  stage: string;
  seq: number;
  coverLetter: string | null;
  resumeUrl: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Event {
  applicationId: string;
  seq: number;
  from: string | null;
  to: string;
  at: string;
  by: string | null;
  reason: string | null;
}

function main(): void {
  const config = loadConfig();
  const recruiterId = Number(process.env.BENCH_RECRUITER_ID);
  const db = new Database(sqliteFileFromUrl(config.database.url));
  db.pragma('journal_mode = wal');
  db.pragma('synchronous = normal');
  db.pragma('busy_timeout = 5000');
  const teamCount = db.prepare(
    `select count(*) as n from (select 1 from applications where job_id in ${TEAM_JOBS} limit ${FEW_TEAM_APPLICATIONS}) as team_applications`,
  );
  const pages = new Map<string, Database.Statement>();
  const page = (few: boolean, job: boolean, stage: boolean, after: boolean) => {
    const key = `${few}${job}${stage}${after}`;
    let statement = pages.get(key);
    if (!statement) {
      const where = [
        `${few ? 'job_id' : '+job_id'} in ${TEAM_JOBS}`,
        ...(job ? ['job_id = ?'] : []),
        ...(stage ? ['stage = ?'] : []),
        ...(after ? ['(created_at, id) < (?, ?)'] : []),
      ];
      statement =
        db.prepare(`select ${COLUMNS} from ${few ? 'applications indexed by applications_job_created_index' : 'applications'} where ${where.join(' and ')}
        order by created_at desc, id desc limit ?`);
      pages.set(key, statement);
    }
    return statement;
  };
  const histories = new Map<number, Database.Statement>();
  const historyOf = (n: number) => {
    let statement = histories.get(n);
    if (!statement) {
      statement = db.prepare(
        `select ${EVENT_COLUMNS} from stage_events where application_id in (${Array(n).fill('?').join(', ')}) order by application_id, seq`,
      );
      histories.set(n, statement);
    }
    return statement;
  };
  const ui = config.temporal;

  const router = new Router();
  router.get('/api/applications', (ctx) => {
    const limit = Math.min(100, Number(ctx.query.limit ?? 20));
    const jobId = ctx.query.jobId === undefined ? undefined : Number(ctx.query.jobId);
    const stage = typeof ctx.query.stage === 'string' ? ctx.query.stage : undefined;
    const cursor = typeof ctx.query.cursor === 'string' ? /^(.+)~(.+)$/.exec(ctx.query.cursor) : null;
    const few = jobId === undefined && (teamCount.get(recruiterId) as { n: number }).n < FEW_TEAM_APPLICATIONS;
    const params: unknown[] = [
      recruiterId,
      ...(jobId === undefined ? [] : [jobId]),
      ...(stage ? [stage] : []),
      ...(cursor ? [cursor[1], cursor[2]] : []),
      limit + 1,
    ];
    const rows = page(few, jobId !== undefined, !!stage, !!cursor).all(...params) as Row[];
    const byApplication = new Map<string, Event[]>(rows.map((r) => [r.id, []]));
    if (rows.length)
      for (const e of historyOf(rows.length).all(...rows.map((r) => r.id)) as Event[]) byApplication.get(e.applicationId)?.push(e);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    ctx.body = {
      items: items.map((r) => ({
        id: r.id,
        jobId: String(r.jobId),
        candidateId: String(r.candidateId),
        stage: r.stage,
        history: byApplication.get(r.id)!.map(({ from, to, at, by, reason }) => ({ from, to, at, by, reason })),
        workflowId: r.id,
        workflowUrl: workflowUrl(ui.uiUrl, ui.namespace, r.id),
        coverLetter: r.coverLetter,
        resumeUrl: r.resumeUrl,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      })),
      nextCursor: rows.length > limit ? `${last.createdAt}~${last.id}` : null,
    };
  });
  const app = new Koa();
  app.use(router.routes());
  app.listen(config.port, '127.0.0.1', () => process.stdout.write(`bare list listening on ${config.port}\n`));
}

main();
