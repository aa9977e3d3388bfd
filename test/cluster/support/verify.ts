import { findApplication } from '../../../src/applications/application-repository';
import { stateQuery, type ApplicationState } from '../../../workflows/messages';
import type { SmtpSink } from '../../support/smtp-sink';
import type { Cluster } from './cluster';
import type { Ledger } from './ledger';

export function queryState(cluster: Cluster, id: string): Promise<ApplicationState> {
  return cluster.client.workflow.getHandle(id).query(stateQuery);
}

async function sqlHistory(cluster: Cluster, id: string) {
  const rows = await cluster.orm.em
    .fork()
    .execute<{ seq: number; from: string | null; to: string; at: string; by: string; reason: string | null; toKind: string }[]>(
      // As the workflow's entries hold them, field for field and in that order (the comparison is of JSON text).
      'select seq, from_stage as "from", to_stage as "to", at, actor as "by", reason, to_kind as "toKind" from stage_events where application_id = ? order by seq',
      [id],
      'all',
    );
  return rows.map((r) => ({ ...r }));
}

export interface Comparison {
  id: string;
  sql: unknown;
  workflow: unknown;
  accepted: string[];
}

/**
 * For every accepted application: the workflow's history is exactly what was accepted, in order, and
 * SQL's row and history equal the workflow's state query. The projection is written after the answer,
 * so each application gets `timeoutMs` to catch up. Returns the applications that never agreed.
 */
export async function compareProjection(cluster: Cluster, ledger: Ledger, timeoutMs = 60_000): Promise<Comparison[]> {
  const deadline = Date.now() + timeoutMs;
  const mismatches: Comparison[] = [];
  for (const app of ledger.applications.values()) {
    for (;;) {
      const state = await queryState(cluster, app.id);
      const record = await findApplication(cluster.orm.em.fork(), app.id);
      const history = await sqlHistory(cluster, app.id);
      const workflow = {
        stage: state.stage,
        seq: state.seq,
        createdAt: state.createdAt,
        updatedAt: state.updatedAt,
        history: state.history,
        stages: state.history.map((h) => h.to),
      };
      const sql = {
        stage: record?.stage,
        seq: record?.seq,
        createdAt: record?.createdAt,
        updatedAt: record?.updatedAt,
        history,
        stages: app.stages,
      };
      if (JSON.stringify(sql) === JSON.stringify(workflow)) break;
      if (Date.now() > deadline) {
        mismatches.push({ id: app.id, sql, workflow, accepted: app.stages });
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return mismatches;
}

/** Application rows SQL holds for the job: no more than were accepted. */
export async function sqlApplicationIds(cluster: Cluster, jobId: number): Promise<string[]> {
  const rows = await cluster.orm.em
    .fork()
    .execute<{ id: string }[]>('select id from applications where job_id = ? order by id', [jobId], 'all');
  return rows.map((r) => r.id);
}

/** `(application, seq, recipient)` of a received mail, from its X-ATS-Notification job ID. */
function mailKey(notificationId: string): string {
  const parts = notificationId.split('.');
  // applicationId.seq.kind.user<id>.channel; the application ID itself contains no dot.
  return `${parts[0]}/${parts[1]}/${parts[3]}`;
}

/** Every mail the accepted transitions call for: a new application tells the candidate and the recruiter, later steps the candidate. */
export function expectedMailKeys(ledger: Ledger, recruiterId: number, filter: (phase: string) => boolean = () => true): Set<string> {
  const keys = new Set<string>();
  for (const app of ledger.applications.values()) {
    if (!filter(app.phase)) continue;
    app.stages.forEach((_, i) => {
      const seq = i + 1;
      keys.add(`${app.id}/${seq}/user${app.candidateId}`);
      if (seq === 1) keys.add(`${app.id}/${seq}/user${recruiterId}`);
    });
  }
  return keys;
}

export interface MailCount {
  expected: number;
  received: number;
  missing: string[];
  doubled: string[];
  unexpected: string[];
}

/** Waits until every expected mail is in (or `timeoutMs` passes), then lets late duplicates arrive before counting. */
export async function countMails(smtp: SmtpSink, expected: Set<string>, timeoutMs = 120_000, settleMs = 3000): Promise<MailCount> {
  const deadline = Date.now() + timeoutMs;
  const received = () => smtp.messages.map((m) => mailKey(m.notificationId)).filter((k) => expected.has(k));
  while (new Set(received()).size < expected.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  await new Promise((r) => setTimeout(r, settleMs));
  const counts = new Map<string, number>();
  for (const m of smtp.messages) counts.set(mailKey(m.notificationId), (counts.get(mailKey(m.notificationId)) ?? 0) + 1);
  return {
    expected: expected.size,
    received: [...expected].filter((k) => counts.has(k)).length,
    missing: [...expected].filter((k) => !counts.has(k)),
    doubled: [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`),
    unexpected: [...counts.keys()].filter((k) => !expected.has(k)),
  };
}
