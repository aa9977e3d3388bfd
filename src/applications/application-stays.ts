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

const DELETE_STAYS = 'delete from application_stays where application_id = ?';
const STAY_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_STAYS = (count: number) => `insert into application_stays (application_id, kind, job_id, created_at, stage_ids, first_at,
    closed_ms, open_since, advanced, rejected_here, order_ms)
  values ${Array.from({ length: count }, () => STAY_VALUES).join(', ')}`;

/** Replaces an application's rows with those of its history: two statements, inside the projection's transaction. */
export async function writeStays(
  em: EntityManager,
  application: { id: string; jobId: string | number; createdAt: string },
  history: readonly HistoryEntry[],
): Promise<void> {
  const stays = staysOf(history, application.createdAt);
  await em.execute<QueryResult>(DELETE_STAYS, [application.id], 'run');
  if (!stays.length) return;
  await em.execute<QueryResult>(
    INSERT_STAYS(stays.length),
    stays.flatMap((s) => [
      application.id,
      s.kind,
      Number(application.jobId),
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
}
