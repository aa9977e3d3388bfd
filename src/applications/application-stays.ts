import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { REJECTED, STAGE_KINDS, type StageKind } from '../domain/pipelines';
import type { HistoryEntry } from '../../workflows/messages';

/**
 * `application_stays`: per application, one row per stage kind it entered, what the reports
 * (reports.ts) read instead of windowing every stage event. The projection rewrites an application's
 * rows from its whole history in the transaction that writes its events, so the rows are exactly as
 * idempotent and versioned as the events; a migration filled them from the events written before.
 *
 * - `stage_ids`: the stage ids of that kind it entered, sorted, comma-separated;
 * - `first_at`: when it first entered that kind;
 * - `closed_ms`: its finished stays in that kind, each from its entry to the next event (0 in `hired`);
 * - `open_since`: the entry of the stay still going, when it sits in that kind now (never `hired`);
 * - `advanced`: it entered a later kind afterwards; `rejected_here`: rejected or withdrawn from that kind;
 * - `order_ms`: what the reports sort by, one index for every figure: `closed_ms` for a kind it left;
 *   for the kind it sits in, `closed_ms` minus the epoch ms of `open_since` (negative: its time until
 *   now is `order_ms` plus now's epoch ms, so open rows sort apart, in the order of that time); for
 *   `hired`, the ms from the application's creation to its first hire.
 * An entry with no kind recorded is read as of version 1, whose stage ids are their kinds.
 * `application_stay_counts` sums them per job, kind and stage ids (entered, advanced, rejected here,
 * sitting there now), for the funnels over whole jobs.
 */
export interface Stay {
  kind: StageKind;
  stageIds: string[];
  firstAt: string;
  closedMs: number;
  openSince: string | null;
  advanced: boolean;
  rejectedHere: boolean;
  orderMs: number;
}

const RANK = new Map<string, number>(STAGE_KINDS.map((kind, i) => [kind, i + 1]));

/** An entry's stage kind: as the workflow recorded it, or (entries from before pipelines) its default-pipeline id. */
const kindOfEntry = (e: Pick<HistoryEntry, 'to' | 'toKind'>): string => e.toKind ?? e.to;

/** The rows of an application created at `createdAt` whose history, oldest first, is `history`. */
export function staysOf(history: readonly Pick<HistoryEntry, 'to' | 'toKind' | 'at'>[], createdAt: string): Stay[] {
  const ranks = history.map((e) => RANK.get(kindOfEntry(e)) ?? 0);
  // The highest kind entered after each entry: it advanced when that is later than its own.
  const later = ranks.map((_, i) => Math.max(0, ...ranks.slice(i + 1)));
  const stays = new Map<StageKind, Stay>();
  history.forEach((e, i) => {
    if (!ranks[i]) return;
    const kind = kindOfEntry(e) as StageKind;
    let stay = stays.get(kind);
    if (!stay) {
      stay = { kind, stageIds: [], firstAt: e.at, closedMs: 0, openSince: null, advanced: false, rejectedHere: false, orderMs: 0 };
      stays.set(kind, stay);
    }
    if (!stay.stageIds.includes(e.to)) stay.stageIds.push(e.to);
    if (Date.parse(e.at) < Date.parse(stay.firstAt)) stay.firstAt = e.at;
    const next = history[i + 1];
    if (next && kind !== 'hired') stay.closedMs += Date.parse(next.at) - Date.parse(e.at);
    if (!next && kind !== 'hired') stay.openSince = e.at;
    if (next?.to === REJECTED) stay.rejectedHere = true;
    if (later[i] > ranks[i]) stay.advanced = true;
  });
  return [...stays.values()].map((s) => ({
    ...s,
    stageIds: s.stageIds.sort(),
    orderMs:
      s.kind === 'hired'
        ? Date.parse(s.firstAt) - Date.parse(createdAt)
        : s.openSince === null
          ? s.closedMs
          : s.closedMs - Date.parse(s.openSince),
  }));
}

const DELETE_STAYS = `delete from application_stays where application_id = ?
  returning job_id as "jobId", kind, stage_ids as "stageIds", advanced, rejected_here as "rejectedHere", order_ms as "orderMs"`;
const STAY_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_STAYS = (count: number) => `insert into application_stays (application_id, kind, job_id, created_at, stage_ids, first_at,
    closed_ms, open_since, advanced, rejected_here, order_ms)
  values ${Array.from({ length: count }, () => STAY_VALUES).join(', ')}`;
const ADD_COUNTS = (
  count: number,
) => `insert into application_stay_counts (job_id, kind, stage_ids, entered, advanced, rejected_here, open_now)
  values ${Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}
  on conflict (job_id, kind, stage_ids) do update set entered = application_stay_counts.entered + excluded.entered,
    advanced = application_stay_counts.advanced + excluded.advanced,
    rejected_here = application_stay_counts.rejected_here + excluded.rejected_here,
    open_now = application_stay_counts.open_now + excluded.open_now`;

interface CountedRow {
  jobId: number | string;
  kind: string;
  stageIds: string;
  advanced: number | string;
  rejectedHere: number | string;
  orderMs: number | string;
}

/**
 * Replaces an application's rows with those of its history, and moves the per-job counts
 * (`application_stay_counts`) by the difference: three statements at most, inside the projection's
 * transaction. The counts change in key order, so two transactions never wait on each other's rows in a cycle.
 */
export async function writeStays(
  em: EntityManager,
  application: { id: string; jobId: string | number; createdAt: string },
  history: readonly HistoryEntry[],
): Promise<void> {
  const stays = staysOf(history, application.createdAt);
  const jobId = Number(application.jobId);
  const removed = await em.execute<CountedRow[]>(DELETE_STAYS, [application.id], 'all');
  if (stays.length)
    await em.execute<QueryResult>(
      INSERT_STAYS(stays.length),
      stays.flatMap((s) => [
        application.id,
        s.kind,
        jobId,
        application.createdAt,
        s.stageIds.join(','),
        s.firstAt,
        s.closedMs,
        s.openSince,
        s.advanced ? 1 : 0,
        s.rejectedHere ? 1 : 0,
        s.orderMs,
      ]),
      'run',
    );
  const counts = new Map<string, { key: [number, string, string]; by: number[] }>();
  const count = (key: [number, string, string], sign: number, advanced: number, rejected: number, open: boolean) => {
    const id = JSON.stringify(key);
    const c = counts.get(id) ?? counts.set(id, { key, by: [0, 0, 0, 0] }).get(id)!;
    [1, advanced, rejected, open ? 1 : 0].forEach((v, i) => (c.by[i] += sign * v));
  };
  for (const r of removed)
    count([Number(r.jobId), r.kind, r.stageIds], -1, Number(r.advanced), Number(r.rejectedHere), Number(r.orderMs) < 0);
  for (const s of stays) count([jobId, s.kind, s.stageIds.join(',')], 1, s.advanced ? 1 : 0, s.rejectedHere ? 1 : 0, s.orderMs < 0);
  const moved = [...counts.values()].filter((c) => c.by.some((v) => v !== 0)).sort((a, b) => compareKeys(a.key, b.key));
  if (moved.length)
    await em.execute<QueryResult>(
      ADD_COUNTS(moved.length),
      moved.flatMap((c) => [...c.key, ...c.by]),
      'run',
    );
}

const compareKeys = (a: [number, string, string], b: [number, string, string]) =>
  a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
