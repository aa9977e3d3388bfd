import type { QueryResult } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/sqlite';
import type { HistoryEntry } from '../workflows/messages';

/**
 * Keeps the SQL projection of an application in step with its workflow. The workflow is the source
 * of truth; this is the only code that writes `stage`. Each call carries the workflow's history up
 * to one transition, and writing it is idempotent: retries, worker crashes and replays can run it any
 * number of times.
 *
 * Why a snapshot and not just the one new transition: the projection runs as a local activity, so it
 * executes before the workflow task that decided the transition is committed. If that task is lost
 * (the worker dies, or the server drops a speculative update task because an activity completed at
 * the same moment), the retried task may decide differently — another update first, another seq for
 * the same change, a later `at`. Decisions are ordered by (workflow time, seq): a retried task runs
 * later than the one it replaces, and within one task seq orders the transitions. The newest decision
 * wins and replaces the whole history, dropping any transition only the lost task had made.
 */

/** What the application row needs besides its history. */
export interface ApplicationFacts {
  id: string;
  jobId: string;
  candidateId: string;
  coverLetter: string | null;
  resumeUrl: string | null;
  createdAt: string;
}

export interface ProjectApplicationInput {
  application: ApplicationFacts;
  /** The workflow's history, oldest first, up to and including the transition being projected. */
  history: HistoryEntry[];
}

export interface ProjectionActivities {
  projectApplication(input: ProjectApplicationInput): Promise<void>;
}

export interface ProjectionDeps { orm: MikroORM }

const INSERT_APPLICATION = `insert into applications (id, job_id, candidate_id, stage, seq, cover_letter, resume_url, created_at, updated_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`;
// `updated_at` is the workflow time of the last transition: with `seq`, the version of the row.
const MOVE_IF_NEWER = 'update applications set stage = ?, seq = ?, updated_at = ? where id = ? and (updated_at, seq) < (?, ?)';
const DROP_LATER_EVENTS = 'delete from stage_events where application_id = ? and seq > ?';
const UPSERT_EVENTS = (count: number) => `insert into stage_events (application_id, seq, from_stage, to_stage, at, actor, reason)
  values ${Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
  on conflict (application_id, seq) do update set from_stage = excluded.from_stage, to_stage = excluded.to_stage,
    at = excluded.at, actor = excluded.actor, reason = excluded.reason`;

export function createProjectionActivities({ orm }: ProjectionDeps): ProjectionActivities {
  return {
    async projectApplication({ application: a, history }) {
      const last = history[history.length - 1];
      await orm.em.fork().transactional(async (em) => {
        const run = (sql: string, params: unknown[]) => em.execute<QueryResult>(sql, params, 'run');
        const created = await run(INSERT_APPLICATION, [a.id, Number(a.jobId), Number(a.candidateId), last.to, last.seq, a.coverLetter, a.resumeUrl, a.createdAt, last.at]);
        const moved = created.affectedRows > 0 || (await run(MOVE_IF_NEWER, [last.to, last.seq, last.at, a.id, last.at, last.seq])).affectedRows > 0;
        // SQL already holds this decision or a newer one: nothing to write.
        if (!moved) return;
        await run(DROP_LATER_EVENTS, [a.id, last.seq]);
        await run(UPSERT_EVENTS(history.length), history.flatMap((e) => [a.id, e.seq, e.from, e.to, e.at, e.by, e.reason]));
      });
    },
  };
}
