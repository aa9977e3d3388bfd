import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { loadConfig, sqliteFileFromUrl } from '../../src/config';
import { bareAuthentication, bareErrors, HttpError } from './bare-auth';
import { applicationWorkflowId, workflowUrl } from '../../src/domain/ids';
import { drawWorkflowIdSuffix } from '../../src/applications/application-claims';
import { DEFAULT_PIPELINE, firstStage, kindOf } from '../../src/domain/pipelines';
import { notificationEvent } from '../../src/domain/notifications';
import type { Stage } from '../../src/domain/stages';
import { createNotificationQueue, notificationJobId, type NotificationJobData } from '../../src/notifications/notification-queue';
import { notificationKind, refuseStageChange } from '../../workflows/stage-rules';
import type { HistoryEntry } from '../../workflows/messages';

/**
 * The bare route: apply and stage change as a plain Koa app on SQL, with no Temporal. Two things at once:
 * - the API's own part of a transition without the engine, for the sum of bare parts (the matched
 *   bare workflow, this, and the raw notifier): the token verified as the API verifies it (HS256,
 *   the same claims, the caller's users row and its password version), the caller's team role read
 *   for a stage change, the transition journaled before and recorded after as the API records it
 *   (the intent row; then in one transaction the projection upsert with the stage_events rows, the
 *   outbox rows and the intent's delete), and the same notification jobs queued, one `add` each;
 * - the plain CRUD ATS, run alone with the raw notifier sending its mails (`BENCH_RAW_QUEUE`).
 *
 * Not done here, and so counted on the system's side: sealing the content, the Web UI's summary, the
 * pinned pipeline's read (the default pipeline here) and the webhooks (none are subscribed in the
 * bench). The statements are copies of the repository's
 * (src/applications/application-claims.ts, transition-recording.ts, application-projection.ts,
 * src/notifications/notification-jobs.ts and notification-outbox.ts) and must follow them when they
 * change. better-sqlite3 prepared once, on the same SQLite file with the API's pragmas.
 *
 * The outbox rows go to a twin of `notification_outbox` made from its own schema: the system
 * notifier's sweep would otherwise queue this side's rows, which no notifier marks sent, again.
 */
const OUTBOX = 'bench_notification_outbox';

// src/applications/application-claims.ts (claimApplicationId)
const CLAIM = `insert into application_claims (job_id, candidate_id, workflow_id, created_at) values (?, ?, ?, ?)
  on conflict (job_id, candidate_id) do nothing returning workflow_id as "workflowId"`;
const CLAIMED = 'select workflow_id as "workflowId" from application_claims where job_id = ? and candidate_id = ?';
// src/applications/transition-recording.ts (openIntent, and the delete recordAnswer runs alongside)
const OPEN_INTENT = `insert into transition_intents (id, application_id, after_seq, created_at)
  select ?, ?, coalesce(?, (select seq from applications where id = ?), 0), ? where true
  on conflict (id) do nothing`;
const CLOSE_INTENT = 'delete from transition_intents where id = ?';
// src/applications/application-projection.ts
const INSERT_APPLICATION = `insert into applications (id, job_id, candidate_id, stage, seq, cover_letter, resume_url, created_at, updated_at,
    stage_kind, pipeline_version)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 1)) on conflict (id) do nothing`;
const MOVE_IF_NEWER = `update applications set stage = ?, seq = ?, updated_at = ?, stage_kind = ?, pipeline_version = coalesce(?, pipeline_version)
  where id = ? and (updated_at, seq) < (?, ?)`;
const DROP_LATER_EVENTS = 'delete from stage_events where application_id = ? and seq > ?';
const EVENT_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const UPSERT_EVENTS = (count: number) => `insert into stage_events (application_id, seq, from_stage, to_stage, at, actor, reason,
    to_kind, migration_id, from_version, to_version)
  values ${Array.from({ length: count }, () => EVENT_VALUES).join(', ')}
  on conflict (application_id, seq) do update set from_stage = excluded.from_stage, to_stage = excluded.to_stage,
    at = excluded.at, actor = excluded.actor, reason = excluded.reason, to_kind = excluded.to_kind,
    migration_id = excluded.migration_id, from_version = excluded.from_version, to_version = excluded.to_version`;
// src/notifications/notification-jobs.ts (PEOPLE_OF_EVENT) and notification-outbox.ts (recordOutboxIn)
const PEOPLE_OF_EVENT = `select j.id as job_id, j.title as title, j.created_by as created_by, c.name as company,
    u.id as user_id, u.email as email, u.full_name as full_name, u.active as active
  from jobs j
  left join companies c on c.id = j.company_id
  left join users u on u.id = ? or u.id = j.created_by
  where j.id = ?`;
const OUTBOX_ROWS = (count: number) =>
  `insert into ${OUTBOX} (id, subject, data, status, created_at) values ${Array(count).fill("(?, ?, ?, 'pending', ?)").join(', ')}
  on conflict (id) do nothing`;

/** Who hears about what (src/notifications/notification-jobs.ts, AUDIENCES), for the kinds an apply and a stage change give. */
const AUDIENCES: Record<string, ('candidate' | 'recruiter')[]> = {
  application_received: ['candidate', 'recruiter'],
  stage_changed: ['candidate'],
  final_outcome: ['candidate'],
};

interface PersonRow {
  job_id: number;
  title: string;
  created_by: number;
  company: string | null;
  user_id: number | null;
  email: string;
  full_name: string | null;
  active: number;
}
interface ApplicationRow {
  id: string;
  job_id: number;
  candidate_id: number;
  stage: Stage;
  seq: number;
  cover_letter: string | null;
  resume_url: string | null;
  created_at: string;
  updated_at: string;
  pipeline_version: number;
}
interface Job {
  name: string;
  data: NotificationJobData;
  opts: { jobId: string };
}

function main(): void {
  const config = loadConfig();
  const db = new Database(sqliteFileFromUrl(config.database.url));
  db.pragma('journal_mode = wal');
  db.pragma('synchronous = normal');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = on');
  twinOutbox(db);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const queue = createNotificationQueue(redis, process.env.BENCH_RAW_QUEUE ?? 'bench-raw');
  const ui = config.temporal;

  const jobStatus = db.prepare<[number], { status: string }>('select status from jobs where id = ?');
  const teamRole = db.prepare<[number, number], { team_role: string }>(
    'select team_role from job_team_members where job_id = ? and user_id = ?',
  );
  const claim = db.prepare<[number, number, string, string], { workflowId: string }>(CLAIM);
  const claimed = db.prepare<[number, number], { workflowId: string }>(CLAIMED);
  const openIntent = db.prepare(OPEN_INTENT);
  const closeIntent = db.prepare(CLOSE_INTENT);
  const insertApplication = db.prepare(INSERT_APPLICATION);
  const moveIfNewer = db.prepare(MOVE_IF_NEWER);
  const dropLaterEvents = db.prepare(DROP_LATER_EVENTS);
  const peopleOf = db.prepare<[number, number], PersonRow>(PEOPLE_OF_EVENT);
  const applicationById = db.prepare<[string], ApplicationRow>(
    `select id, job_id, candidate_id, stage, seq, cover_letter, resume_url, created_at, updated_at, pipeline_version
    from applications where id = ?`,
  );
  const historyOf = db.prepare<
    [string],
    { seq: number; from_stage: Stage | null; to_stage: Stage; at: string; actor: string; reason: string | null; to_kind: string | null }
  >('select seq, from_stage, to_stage, at, actor, reason, to_kind from stage_events where application_id = ? order by seq');
  // One statement per count of rows, each prepared the first time it is needed.
  const byCount = new Map<string, Database.Statement>();
  const prepared = (name: string, n: number, sql: (n: number) => string) => {
    let statement = byCount.get(`${name}${n}`);
    if (!statement) byCount.set(`${name}${n}`, (statement = db.prepare(sql(n))));
    return statement;
  };

  /** The API's authentication (src/http/middleware/auth.ts): the token, then the user's row on every request. */
  const authenticate = bareAuthentication(config, db);

  /** The notification jobs of one transition (src/notifications/notification-jobs.ts): one read of the people it concerns. */
  const jobsOf = (application: { applicationId: string; jobId: string; candidateId: string }, entry: HistoryEntry): Job[] => {
    const kind = notificationKind(entry);
    const event = notificationEvent(application, entry, kind);
    const rows = peopleOf.all(Number(application.candidateId), Number(application.jobId));
    if (!rows.length) return [];
    const [first] = rows;
    const byId = new Map(rows.filter((r) => r.user_id !== null).map((r) => [Number(r.user_id), r]));
    const ids = { candidate: Number(application.candidateId), recruiter: Number(first.created_by) };
    const seen = new Set<number>();
    return (AUDIENCES[kind] ?? []).flatMap((audience) => {
      const r = byId.get(ids[audience]);
      if (!r?.active || seen.has(Number(r.user_id))) return [];
      seen.add(Number(r.user_id));
      const data: NotificationJobData = {
        kind,
        channel: 'email',
        applicationId: event.applicationId,
        seq: event.seq,
        at: event.at,
        audience,
        recipient: { id: String(r.user_id), email: r.email, name: r.full_name },
        job: { id: String(first.job_id), title: first.title, company: first.company ?? '' },
        candidate: { id: event.candidateId, name: byId.get(ids.candidate)?.full_name ?? null },
        from: event.from,
        to: event.to,
        ...(event.toKind === undefined ? {} : { toKind: event.toKind }),
        reason: event.reason,
      };
      return [{ name: kind, data, opts: { jobId: notificationJobId({ ...data, recipientId: data.recipient.id }) } }];
    });
  };

  /** The API's record of a transition (recordAnswer): one transaction, then the jobs to Redis, one `add` each. */
  const record = db.transaction(
    (intentId: string, a: ApplicationRow & { content: boolean }, history: HistoryEntry[], jobs: Job[], now: string) => {
      const last = history[history.length - 1];
      const kind = last.toKind ?? last.to;
      const created =
        a.content &&
        insertApplication.run(
          a.id,
          a.job_id,
          a.candidate_id,
          last.to,
          last.seq,
          a.cover_letter,
          a.resume_url,
          a.created_at,
          last.at,
          kind,
          a.pipeline_version,
        ).changes > 0;
      const moved = created || moveIfNewer.run(last.to, last.seq, last.at, kind, a.pipeline_version, a.id, last.at, last.seq).changes > 0;
      if (moved) {
        dropLaterEvents.run(a.id, last.seq);
        prepared('events', history.length, UPSERT_EVENTS).run(
          history.flatMap((e) => [a.id, e.seq, e.from, e.to, e.at, e.by, e.reason, e.toKind ?? e.to, null, null, null]),
        );
      }
      if (jobs.length)
        prepared('outbox', jobs.length, OUTBOX_ROWS).run(
          jobs.flatMap((j) => [j.opts.jobId, j.data.applicationId, JSON.stringify({ name: j.name, data: j.data }), now]),
        );
      closeIntent.run(intentId);
    },
  );
  const enqueue = (jobs: Job[]) => Promise.all(jobs.map((j) => queue.add(j.name, j.data, j.opts)));

  const view = (a: ApplicationRow, history: HistoryEntry[]) => ({
    id: a.id,
    jobId: String(a.job_id),
    candidateId: String(a.candidate_id),
    stage: history[history.length - 1].to,
    pipelineVersion: a.pipeline_version,
    history: history.map(({ from, to, at, by, reason }) => ({ from, to, at, by, reason })),
    workflowId: a.id,
    workflowUrl: workflowUrl(ui.uiUrl, ui.namespace, a.id),
    coverLetter: a.cover_letter,
    resumeUrl: a.resume_url,
    createdAt: a.created_at,
    updatedAt: history[history.length - 1].at,
  });

  const router = new Router();
  router.post('/api/jobs/:id/apply', async (ctx) => {
    const user = authenticate(ctx, ['candidate']);
    const jobId = Number(ctx.params.id);
    const body = (ctx.request.body ?? {}) as { coverLetter?: string | null; resumeUrl?: string | null };
    const job = jobStatus.get(jobId);
    if (!job || job.status === 'draft') throw new HttpError(404, 'not_found');
    if (job.status !== 'open') throw new HttpError(409, 'job_not_open');
    const now = new Date().toISOString();
    const drawn = applicationWorkflowId(String(jobId), String(user.id), drawWorkflowIdSuffix());
    const id = (claim.get(jobId, user.id, drawn, now) ?? claimed.get(jobId, user.id)!).workflowId;
    if (applicationById.get(id)) throw new HttpError(409, 'duplicate_application');
    const intentId = `${id}:${randomUUID()}`;
    openIntent.run(intentId, id, null, id, now);
    const stage = firstStage(DEFAULT_PIPELINE);
    const entry: HistoryEntry = {
      seq: 1,
      from: null,
      to: stage,
      at: now,
      by: String(user.id),
      reason: null,
      toKind: kindOf(DEFAULT_PIPELINE, stage),
    };
    const application: ApplicationRow = {
      id,
      job_id: jobId,
      candidate_id: user.id,
      stage,
      seq: 1,
      cover_letter: body.coverLetter ?? null,
      resume_url: body.resumeUrl ?? null,
      created_at: now,
      updated_at: now,
      pipeline_version: DEFAULT_PIPELINE.version,
    };
    const jobs = jobsOf({ applicationId: id, jobId: String(jobId), candidateId: String(user.id) }, entry);
    record(intentId, { ...application, content: true }, [entry], jobs, now);
    await enqueue(jobs);
    ctx.status = 201;
    ctx.body = view(application, [entry]);
  });

  router.patch('/api/applications/:id/stage', async (ctx) => {
    const user = authenticate(ctx, ['recruiter', 'admin']);
    const body = (ctx.request.body ?? {}) as { stage?: Stage; reason?: string | null; fromStage?: Stage | null };
    const a = applicationById.get(ctx.params.id);
    if (!a) throw new HttpError(404, 'not_found');
    if (user.role !== 'admin' && teamRole.get(a.job_id, user.id)?.team_role !== 'recruiter') throw new HttpError(404, 'not_found');
    if (typeof body.stage !== 'string') throw new HttpError(422, 'validation_failed');
    const request = { stage: body.stage, reason: body.reason ?? null, fromStage: body.fromStage, by: String(user.id) };
    const refusal = refuseStageChange(a.stage, request, { pipeline: DEFAULT_PIPELINE, movesBack: true });
    if (refusal) throw new HttpError(409, refusal.code);
    const now = new Date().toISOString();
    const intentId = `${a.id}:${randomUUID()}`;
    openIntent.run(intentId, a.id, null, a.id, now);
    const history: HistoryEntry[] = historyOf.all(a.id).map((e) => ({
      seq: e.seq,
      from: e.from_stage,
      to: e.to_stage,
      at: e.at,
      by: e.actor,
      reason: e.reason,
      toKind: (e.to_kind ?? e.to_stage) as HistoryEntry['toKind'],
    }));
    const entry: HistoryEntry = {
      seq: a.seq + 1,
      from: a.stage,
      to: request.stage,
      at: now,
      by: request.by,
      reason: request.reason,
      toKind: kindOf(DEFAULT_PIPELINE, request.stage),
    };
    history.push(entry);
    const jobs = jobsOf({ applicationId: a.id, jobId: String(a.job_id), candidateId: String(a.candidate_id) }, entry);
    record(intentId, { ...a, content: false }, history, jobs, now);
    await enqueue(jobs);
    ctx.body = view(a, history);
  });

  // Not a measured route: the orchestrator reads back the ids its applies were given, as it asks the API.
  router.get('/api/jobs/:id/application', (ctx) => {
    const user = authenticate(ctx, ['candidate']);
    const row = claimed.get(Number(ctx.params.id), user.id);
    if (!row) throw new HttpError(404, 'not_found');
    ctx.body = { id: row.workflowId };
  });

  const app = new Koa();
  app.use(bareErrors);
  app.use(koaBody({ jsonLimit: 1024 * 1024, multipart: false, jsonStrict: true }));
  app.use(router.routes());
  app.listen(config.port, '127.0.0.1', () => process.stdout.write(`bare route listening on ${config.port}\n`));
}

/** `bench_notification_outbox`: `notification_outbox`'s own schema (columns, keys, indexes) under another name. */
export function twinOutbox(db: Database.Database): void {
  const rows = db
    .prepare<[], { sql: string }>("select sql from sqlite_master where tbl_name = 'notification_outbox' and sql is not null")
    .all();
  db.transaction(() => {
    for (const { sql } of rows)
      db.exec(sql.replace(/notification_outbox/g, OUTBOX).replace(/^create (table|index)/i, 'create $1 if not exists'));
  })();
}

if (require.main === module) main();
