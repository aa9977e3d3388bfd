import type { EntityManager } from '@mikro-orm/core';
import { dialectOf } from '../db/dialect';
import { REJECTED, STAGE_KINDS, type PipelineStage, type StageKind } from '../domain/pipelines';

/**
 * The hiring reports, computed from the SQL projection: every application's stage events, each with
 * the kind of stage it entered. Grouping by kind, not stage id, lets jobs with different pipelines
 * (and versions of one job's pipeline) add up.
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

/** Seconds from instant `a` to instant `b`, both ISO text. */
const SPAN = {
  sqlite: (a: string, b: string) => `((julianday(${b}) - julianday(${a})) * 86400.0)`,
  postgresql: (a: string, b: string) => `extract(epoch from (cast(${b} as timestamptz) - cast(${a} as timestamptz)))`,
};

const RANK = `case coalesce(e.to_kind, e.to_stage) ${STAGE_KINDS.map((k, i) => `when '${k}' then ${i + 1}`).join(' ')} else 0 end`;
const NUM = 'double precision';

/** The funnel's one query, its rows tagged by `what`, so the shared steps are computed once; exported for its plan's test. */
export function funnelStatement(em: EntityManager, scope: FunnelScope, now: Date): { sql: string; params: unknown[] } {
  const span = SPAN[dialectOf(em).name];
  const filters = [
    ['job_id = ?', scope.jobId],
    ['created_at >= ?', scope.from],
    ['created_at < ?', scope.to],
  ].filter(([, value]) => value !== undefined);
  const where = filters.map(([condition]) => condition);
  const scopeParams = filters.map(([, value]) => value);
  const sql = `with apps as (
      select id, created_at, stage, coalesce(stage_kind, stage) as stage_kind from applications ${where.length ? `where ${where.join(' and ')}` : ''}),
    ranked as (
      select e.application_id as app, e.seq, e.to_stage, coalesce(e.to_kind, e.to_stage) as to_kind, e.at, ${RANK} as rank
      from apps a join stage_events e on e.application_id = a.id),
    ev as (
      select app, seq, to_stage, to_kind, at, rank,
        lag(to_kind) over (partition by app order by seq) as prev_kind,
        lead(at) over (partition by app order by seq) as next_at,
        max(rank) over (partition by app order by seq rows between 1 following and unbounded following) as later_rank
      from ranked),
    per_app as (
      select app, to_kind as kind, min(at) as first_at,
        max(case when later_rank > rank then 1 else 0 end) as advanced,
        sum(case when to_kind = 'hired' then 0 else ${span('at', 'coalesce(next_at, ?)')} end) as seconds
      from ev where rank > 0 group by app, to_kind),
    ordered as (
      select kind, seconds, row_number() over (partition by kind order by seconds) as rn, count(*) over (partition by kind) as n
      from per_app where kind <> 'hired')
    select 'entered' as what, kind, cast(count(*) as ${NUM}) as n, cast(sum(advanced) as ${NUM}) as m, null as label
      from per_app group by kind
    union all
    select 'p50', kind, cast(seconds as ${NUM}), null, null from ordered where rn = (n * 50 + 99) / 100
    union all
    select 'p90', kind, cast(seconds as ${NUM}), null, null from ordered where rn = (n * 90 + 99) / 100
    union all
    select 'rejected', prev_kind, cast(count(distinct app) as ${NUM}), null, null
      from ev where to_stage = '${REJECTED}' and prev_kind is not null group by prev_kind
    union all
    select 'stage', to_kind, null, null, to_stage from ev where rank > 0 group by to_kind, to_stage
    union all
    select 'current', stage_kind, cast(count(*) as ${NUM}), null, null
      from apps where stage <> '${REJECTED}' and stage_kind <> 'hired' group by stage_kind
    union all
    select 'hire', null, cast(${span('a.created_at', 'p.first_at')} as ${NUM}), null, null
      from per_app p join apps a on a.id = p.app where p.kind = 'hired'`;
  return { sql, params: [...scopeParams, now.toISOString()] };
}

interface FunnelRow {
  what: 'entered' | 'p50' | 'p90' | 'rejected' | 'stage' | 'current' | 'hire';
  kind: string | null;
  n: number | string | null;
  m: number | string | null;
  label: string | null;
}

/** The funnel over the applications in `scope`, as of `now`. */
export async function funnel(em: EntityManager, scope: FunnelScope, now = new Date()): Promise<Funnel> {
  const { sql, params } = funnelStatement(em, scope, now);
  const rows = await em.getConnection().execute<FunnelRow[]>(sql, params, 'all');
  const stages = new Map(STAGE_KINDS.map((kind) => [kind, emptyStage(kind)]));
  const days: number[] = [];
  for (const r of rows) {
    const n = r.n === null ? 0 : Number(r.n);
    if (r.what === 'hire') {
      days.push(n / 86_400);
      continue;
    }
    const stage = stages.get(r.kind as StageKind);
    if (!stage) continue;
    if (r.what === 'entered') {
      stage.entered = n;
      stage.advanced = Number(r.m);
    } else if (r.what === 'p50') stage.timeInStage.p50Seconds = Math.round(n);
    else if (r.what === 'p90') stage.timeInStage.p90Seconds = Math.round(n);
    else if (r.what === 'rejected') stage.rejected = n;
    else if (r.what === 'current') stage.current = n;
    else if (r.what === 'stage' && r.label !== null) stage.stageIds.push(r.label);
  }
  for (const s of stages.values()) {
    s.conversion = s.entered ? round(s.advanced / s.entered, 4) : 0;
    s.stageIds.sort();
  }
  return { stages: [...stages.values()], hires: days.length, medianDaysToHire: days.length ? round(median(days), 2) : null };
}

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

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
 * The running applications (of one job, or all), longest waiting first: each since its last stage
 * event (the projection keeps its time as the application's `updated_at`), past its SLA when it waited longer than its stage's `slaSeconds` in the version it is
 * pinned to (or `defaultSlaSeconds`).
 */
export async function waitingInStage(
  em: EntityManager,
  scope: { jobId?: number },
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
export function waitingStatement(scope: { jobId?: number }): { sql: string; params: unknown[] } {
  const sql = `select a.id, a.job_id as "jobId", a.pipeline_version as "version", a.stage, a.candidate_id as "candidateId",
        u.full_name as "fullName", u.email, a.updated_at as since
      from applications a join users u on u.id = a.candidate_id
      where a.stage <> '${REJECTED}' and coalesce(a.stage_kind, a.stage) <> 'hired'${scope.jobId === undefined ? '' : ' and a.job_id = ?'}
      order by a.updated_at, a.id
      limit ${WAITING_LIMIT}`;
  return { sql, params: scope.jobId === undefined ? [] : [scope.jobId] };
}

/** Each stored version's stages' own SLAs, by `jobId:version`; the default version sets none. */
async function stageSlas(em: EntityManager, jobIds: number[]): Promise<Map<string, Map<string, number>>> {
  const ids = [...new Set(jobIds)];
  const slas = new Map<string, Map<string, number>>();
  if (!ids.length) return slas;
  const rows = await em
    .getConnection()
    .execute<{ jobId: number | string; version: number | string; stages: string }[]>(
      `select job_id as "jobId", version, stages from job_pipelines where job_id in (${ids.map(() => '?').join(', ')})`,
      ids,
      'all',
    );
  for (const r of rows) {
    const stages = JSON.parse(r.stages) as PipelineStage[];
    slas.set(`${Number(r.jobId)}:${Number(r.version)}`, new Map(stages.flatMap((s) => (s.slaSeconds ? [[s.id, s.slaSeconds]] : []))));
  }
  return slas;
}
