import type { Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/sql';
import { stateQuery, type ApplicationState, type HistoryEntry } from '../../workflows/messages';
import { findApplication, type ApplicationRecord } from './application-repository';
import { isOwnApplication } from './application-claims';
import { writeProjection } from './application-projection';
import { openDeep } from '../crypto/personal-fields';
import type { PayloadKeyring } from '../crypto/payload-keys';

/**
 * `cli reconcile`: the workflows are the source of truth; the SQL projection is compared with each
 * one's live state and, where it differs, rewritten from it by the same projection function the
 * recording activity uses, in its forced mode (a corrupted row may carry a version newer than the
 * workflow's). Only differences are written, so a second run finds nothing; a run that races live
 * traffic at worst rewrites a row with the state it was about to receive.
 *
 * A workflow no claim or row of this database names is not compared: it belongs to another
 * database (one this replaced, or the state before a restored backup), whose job and user ids need
 * not mean the same people here. It is reported by id and left as it is.
 */
export type DifferenceKind = 'missing_row' | 'row' | 'history';

export interface Difference {
  applicationId: string;
  kind: DifferenceKind;
  detail: string;
}

export interface ReconcileReport {
  /** Application workflows listed and queried. */
  checked: number;
  differences: Difference[];
  /** Applications rewritten (0 on a dry run). */
  repaired: number;
  /** Workflows that could not be queried (no worker, say): compared next time. */
  unreadable: { applicationId: string; error: string }[];
  /** Application workflows that no claim or row of this database names: listed, never changed. */
  unclaimed: string[];
}

/** `payloadKeys` open the personal fields the workflow carries sealed under the candidate's key. */
export interface ReconcileDeps {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  payloadKeys: PayloadKeyring;
}

/** Only this deployment's application workflows: others may share the namespace. */
export function applicationWorkflowsQuery(taskQueue: string): string {
  return `WorkflowType = "applicationWorkflow" AND TaskQueue = "${taskQueue.replace(/["\\]/g, '\\$&')}"`;
}

export interface ReconcileOptions {
  dryRun?: boolean;
  onDifference?: (d: Difference) => void;
  onUnclaimed?: (workflowId: string) => void;
  /** Workflows per visibility page (the SDK fetches the next page as the loop reaches it). */
  pageSize?: number;
}

export async function reconcileApplications(
  { orm, temporal, taskQueue, payloadKeys }: ReconcileDeps,
  { dryRun = false, onDifference, onUnclaimed, pageSize = 100 }: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, differences: [], repaired: 0, unreadable: [], unclaimed: [] };
  for await (const info of temporal.workflow.list({ query: applicationWorkflowsQuery(taskQueue), pageSize })) {
    if (!(await isOwnApplication(orm.em.fork(), info.workflowId))) {
      report.unclaimed.push(info.workflowId);
      onUnclaimed?.(info.workflowId);
      continue;
    }
    let state: ApplicationState;
    try {
      state = await temporal.workflow.getHandle(info.workflowId, info.runId).query(stateQuery);
    } catch (err) {
      report.unreadable.push({ applicationId: info.workflowId, error: (err as Error).message });
      continue;
    }
    report.checked++;
    // Not yet submitted: there is nothing to project.
    if (state.seq === 0 || state.history.length === 0) continue;
    const found = compare(state, await findApplication(orm.em.fork(), state.applicationId));
    if (!found.length) continue;
    for (const d of found) {
      report.differences.push(d);
      onDifference?.(d);
    }
    if (dryRun) continue;
    const { applicationId: id, jobId, candidateId, createdAt, history } = state;
    // An erased candidate's fields no longer open: the row is rebuilt without them, as erasure left it.
    const { coverLetter, resumeUrl } = await openDeep(orm.em.fork(), payloadKeys, {
      coverLetter: state.coverLetter,
      resumeUrl: state.resumeUrl,
    });
    await writeProjection(orm, { application: { id, jobId, candidateId, coverLetter, resumeUrl, createdAt }, history }, { force: true });
    report.repaired++;
  }
  return report;
}

function compare(state: ApplicationState, row: ApplicationRecord | null): Difference[] {
  const id = state.applicationId;
  if (!row) return [{ applicationId: id, kind: 'missing_row', detail: `no row; the workflow is at ${state.stage} (seq ${state.seq})` }];
  const differences: Difference[] = [];
  const rowFields = {
    stage: row.stage,
    seq: row.seq,
    updatedAt: row.updatedAt,
    jobId: String(row.jobId),
    candidateId: String(row.candidateId),
    createdAt: row.createdAt,
  };
  const wanted = {
    stage: state.stage,
    seq: state.seq,
    updatedAt: state.updatedAt,
    jobId: state.jobId,
    candidateId: state.candidateId,
    createdAt: state.createdAt,
  };
  const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter((k) => String(rowFields[k]) !== String(wanted[k]));
  if (changed.length) {
    differences.push({ applicationId: id, kind: 'row', detail: changed.map((k) => `${k}: ${rowFields[k]} → ${wanted[k]}`).join(', ') });
  }
  const sql = new Map(row.history.map((e) => [e.seq, e]));
  const problems: string[] = [];
  for (const entry of state.history) {
    const held = sql.get(entry.seq);
    sql.delete(entry.seq);
    if (!held) problems.push(`seq ${entry.seq} missing`);
    else if (!sameEvent(held, entry)) problems.push(`seq ${entry.seq} differs`);
  }
  for (const extra of sql.keys()) problems.push(`seq ${extra} not in the workflow`);
  if (problems.length) differences.push({ applicationId: id, kind: 'history', detail: problems.join(', ') });
  return differences;
}

function sameEvent(held: ApplicationRecord['history'][number], entry: HistoryEntry): boolean {
  return held.from === entry.from && held.to === entry.to && held.at === entry.at && held.by === entry.by && held.reason === entry.reason;
}
