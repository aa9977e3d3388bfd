import type { EntityManager } from '@mikro-orm/core';
import { dialectOf } from '../db/dialect';
import { placeholders } from '../db/placeholders';
import { REJECTED, STAGE_KINDS, type PipelineStage, type StageKind } from '../domain/pipelines';

/**
 * The hiring reports, computed from the SQL projection: every application's stage events, each with
 * the kind of stage it entered, as the projection sums them up per application and kind
 * (`application_stays`, see application-stays.ts), so the funnel reads a few rows per application
 * instead of every event. Grouping by kind, not stage id, lets jobs with different pipelines (and
 * versions of one job's pipeline) add up.
 *
 * Per kind, over the applications in scope (one job's, or all; created in `[from, to)`):
 * - `entered`: applications that ever entered a stage of that kind;
 * - `current`: applications in a stage of that kind now, unless it is final (so never `hired`);
 * - `advanced`: applications that entered it and, after that, entered a stage of a later kind;
 * - `rejected`: applications rejected (or withdrawn) while in a stage of that kind;
 * - `conversion`: advanced / entered, 0 when none entered;
 * - `timeInStage`: the 50th and 90th percentile (nearest rank) over those applications of the seconds
 *   each spent in stages of that kind, each stay from its entry to the next event (until now for the
 *   stay that is still going); a stay in `hired` is not counted.
 * `hires`: applications that reached a `hired` stage; `medianDaysToHire`: the median of the days from
 * an application's creation to its first hire, null with no hire.
 * A row with no kind recorded is read as of version 1, whose stage ids are their kinds.
 */
export interface FunnelStage {
  kind: StageKind;
  stageIds: string[];
  entered: number;
  current: number;
  advanced: number;
  rejected: number;
  conversion: number;
  timeInStage: { p50Seconds: number | null; p90Seconds: number | null };
}

export interface Funnel {
  stages: FunnelStage[];
  hires: number;
  medianDaysToHire: number | null;
}

export interface FunnelScope {
  jobId?: number;
  /** ISO instants: applications created at or after `from`, and before `to`. */
  from?: string;
  to?: string;
}

type Statement = { sql: string; params: unknown[] };
/** Rows sitting in their kind now (see `order_ms` in application-stays.ts), and rows that left it. */
type Side = 'open' | 'closed';
const SIDE: Record<Side, string> = { open: 'order_ms < 0', closed: 'order_ms >= 0' };
const STAGE_IDS = { sqlite: 'group_concat(distinct stage_ids)', postgresql: "string_agg(distinct stage_ids, ',')" };

/** The `rank`th (1-based) of a kind's times in ms, its open rows counted until `nowMs`, over `few` rows of one side and `many` of the other. */
export interface NthTime {
  kind: StageKind;
  rank: number;
  few: { side: Side; count: number };
  many: { side: Side; count: number };
  nowMs: number;
}

/**
 * The funnel's statements over `application_stays`, exported for their plans' test. `counts`: per
 * kind, from the per-job counts for whole jobs, else in one pass over the scope's index range. `nth`:
 * a percentile. Each side of a kind comes from the index in the order of its times; at most
 * `few.count` rows before the rank are of the smaller side, so of the other only the rows from the
 * rank less that many are read (the walk to them reads no row), and the two are sorted together.
 * `hires`: the hired rows in the order of
 * their time to the hire, `limit` of them from `offset`.
 */
export function funnelStatements(
  em: EntityManager,
  scope: FunnelScope,
): { counts: Statement; nth: (q: NthTime) => Statement; hires: (offset: number, limit: number) => Statement } {
  const filters = [
    ['job_id = ?', scope.jobId],
    ['created_at >= ?', scope.from],
    ['created_at < ?', scope.to],
  ].filter(([, value]) => value !== undefined);
  const where = filters.map(([condition]) => ` and ${condition}`).join('');
  const params = filters.map(([, value]) => value);
  const shift = (side: Side, nowMs: number) => (side === 'open' ? nowMs : 0);
  const stageIds = STAGE_IDS[dialectOf(em).name];
  // Whole jobs read the projection's counts per job; a range of creation times, every row in it.
  const counts =
    scope.from === undefined && scope.to === undefined
      ? {
          sql: `select kind, sum(entered) as entered, sum(advanced) as advanced, sum(rejected_here) as rejected, sum(open_now) as open,
              ${stageIds} as "stageIds"
            from application_stay_counts where entered > 0${where} group by kind`,
          params,
        }
      : {
          sql: `select kind, count(*) as entered, sum(advanced) as advanced, sum(rejected_here) as rejected,
              sum(case when order_ms < 0 then 1 else 0 end) as open, ${stageIds} as "stageIds"
            from application_stays where kind is not null${where} group by kind`,
          params,
        };
  return {
    counts,
    nth: ({ kind, rank, few, many, nowMs }) => {
      const from = Math.max(0, rank - few.count - 1);
      return {
        sql: `select ms from (
            select order_ms + ? as ms from (select order_ms from application_stays where kind = ?${where} and ${SIDE[many.side]}
              order by order_ms limit ? offset ?) m
            union all
            select order_ms + ? as ms from application_stays where kind = ?${where} and ${SIDE[few.side]}) u
          order by ms limit 1 offset ?`,
        params: [
          shift(many.side, nowMs),
          kind,
          ...params,
          Math.min(rank, many.count) - from,
          from,
          shift(few.side, nowMs),
          kind,
          ...params,
          rank - from - 1,
        ],
      };
    },
    hires: (offset, limit) => ({
      sql: `select order_ms as ms from application_stays where kind = 'hired'${where} order by order_ms limit ? offset ?`,
      params: [...params, limit, offset],
    }),
  };
}

interface CountRow {
  kind: string;
  entered: number | string;
  advanced: number | string | null;
  rejected: number | string | null;
  open: number | string | null;
  stageIds: string | null;
}

/** The funnel over the applications in `scope`, as of `now`. */
export async function funnel(em: EntityManager, scope: FunnelScope, now = new Date()): Promise<Funnel> {
  const { counts, nth, hires } = funnelStatements(em, scope);
  const run = async ({ sql, params }: Statement): Promise<Record<string, unknown>[]> =>
    em.getConnection().execute<Record<string, unknown>[]>(sql, params, 'all');
  const stages = new Map(STAGE_KINDS.map((kind) => [kind, emptyStage(kind)]));
  const open = new Map<StageKind, number>();
  for (const r of (await run(counts)) as unknown as CountRow[]) {
    const stage = stages.get(r.kind as StageKind);
    if (!stage) continue;
    stage.entered = Number(r.entered);
    stage.advanced = Number(r.advanced ?? 0);
    stage.rejected = Number(r.rejected ?? 0);
    open.set(stage.kind, Number(r.open ?? 0));
    stage.stageIds = [...new Set((r.stageIds ?? '').split(',').filter(Boolean))].sort();
  }
  for (const s of stages.values()) {
    s.conversion = s.entered ? round(s.advanced / s.entered, 4) : 0;
    if (s.kind === 'hired' || !s.entered) continue;
    s.current = open.get(s.kind) ?? 0;
    const sides = [
      { side: 'open' as const, count: s.current },
      { side: 'closed' as const, count: s.entered - s.current },
    ].sort((a, b) => a.count - b.count);
    const seconds = async (p: number) => {
      const [row] = await run(nth({ kind: s.kind, rank: nearestRank(s.entered, p), few: sides[0], many: sides[1], nowMs: now.getTime() }));
      return row ? Math.round(Number(row.ms) / 1000) : null;
    };
    s.timeInStage = { p50Seconds: await seconds(50), p90Seconds: await seconds(90) };
  }
  const hired = stages.get('hired')!.entered;
  // The median: the middle row, or the mean of the two middle rows.
  const middle = hired ? (await run(hires((hired - 1) >> 1, 2 - (hired % 2)))).map((r) => Number(r.ms)) : [];
  const medianMs = middle.length ? middle.reduce((a, b) => a + b, 0) / middle.length : null;
  return { stages: [...stages.values()], hires: hired, medianDaysToHire: medianMs === null ? null : round(medianMs / 86_400_000, 2) };
}

/** The rank (1-based) of the `p`th percentile of `n` values, nearest rank. */
const nearestRank = (n: number, p: number) => Math.floor((n * p + 99) / 100);

const emptyStage = (kind: StageKind): FunnelStage => ({
  kind,
  stageIds: [],
  entered: 0,
  current: 0,
  advanced: 0,
  rejected: 0,
  conversion: 0,
  timeInStage: { p50Seconds: null, p90Seconds: null },
});

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** A running application and how long it has waited in its stage. */
export interface Waiting {
  applicationId: string;
  candidate: { id: string; fullName: string | null; email: string };
  stage: string;
  since: string;
  seconds: number;
  overSla: boolean;
}

interface WaitingRow {
  id: string;
  jobId: number | string;
  version: number | string;
  stage: string;
  candidateId: number | string;
  fullName: string | null;
  email: string;
  since: string;
}

export const WAITING_LIMIT = 100;

/**
 * One job's running applications, or every job's; with `interviewerId`, only those that person has
 * an interview on (an `interviewer` on the team sees no other candidate).
 */
export interface WaitingScope {
  jobId?: number;
  interviewerId?: number;
}

/**
 * The running applications (of one job, or all), longest waiting first: each since its last stage
 * event (the projection keeps its time as the application's `updated_at`), past its SLA when it waited longer than its stage's `slaSeconds` in the version it is
 * pinned to (or `defaultSlaSeconds`).
 */
export async function waitingInStage(
  em: EntityManager,
  scope: WaitingScope,
  defaultSlaSeconds: number,
  now = new Date(),
): Promise<Waiting[]> {
  const { sql, params } = waitingStatement(scope);
  const rows: WaitingRow[] = await em.getConnection().execute<WaitingRow[]>(sql, params, 'all');
  const slas = await stageSlas(
    em,
    rows.map((r) => Number(r.jobId)),
  );
  return rows.map((r) => {
    const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(r.since)) / 1000));
    const sla = slas.get(`${Number(r.jobId)}:${Number(r.version)}`)?.get(r.stage) ?? defaultSlaSeconds;
    return {
      applicationId: r.id,
      candidate: { id: String(r.candidateId), fullName: r.fullName, email: r.email },
      stage: r.stage,
      since: r.since,
      seconds,
      overSla: seconds > sla,
    };
  });
}

/** Time in stage's query; exported for its plan's test. */
export function waitingStatement(scope: WaitingScope): { sql: string; params: unknown[] } {
  const interviewed =
    scope.interviewerId === undefined
      ? ''
      : ` and exists (select 1 from interviews i join interview_interviewers ii on ii.interview_id = i.id
          where i.application_id = a.id and ii.user_id = ?)`;
  const sql = `select a.id, a.job_id as "jobId", a.pipeline_version as "version", a.stage, a.candidate_id as "candidateId",
        u.full_name as "fullName", u.email, a.updated_at as since
      from applications a join users u on u.id = a.candidate_id
      where a.stage <> '${REJECTED}' and coalesce(a.stage_kind, a.stage) <> 'hired'${scope.jobId === undefined ? '' : ' and a.job_id = ?'}${interviewed}
      order by a.updated_at, a.id
      limit ${WAITING_LIMIT}`;
  const params = [scope.jobId, scope.interviewerId].filter((p) => p !== undefined);
  return { sql, params };
}

/** Each stored version's stages' own SLAs, by `jobId:version`; the default version sets none. */
async function stageSlas(em: EntityManager, jobIds: number[]): Promise<Map<string, Map<string, number>>> {
  const ids = [...new Set(jobIds)];
  const slas = new Map<string, Map<string, number>>();
  if (!ids.length) return slas;
  const rows = await em
    .getConnection()
    .execute<{ jobId: number | string; version: number | string; stages: string }[]>(
      `select job_id as "jobId", version, stages from job_pipelines where job_id in (${placeholders(ids.length)})`,
      ids,
      'all',
    );
  for (const r of rows) {
    const stages = JSON.parse(r.stages) as PipelineStage[];
    slas.set(`${Number(r.jobId)}:${Number(r.version)}`, new Map(stages.flatMap((s) => (s.slaSeconds ? [[s.id, s.slaSeconds]] : []))));
  }
  return slas;
}
