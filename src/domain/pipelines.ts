/**
 * Pipelines: the ordered stages of a job's hiring process, versioned per job. Pure, shared by the
 * workflow (which enforces the version an application is pinned to), the API and the reports.
 *
 * A stage is `{ id, name, kind, slaSeconds? }`; its `kind` (one of five) ties free-form stages to a
 * fixed set so reports add up across jobs. The first stage is of kind `applied`, the last (and only
 * the last) of kind `hired`. `rejected` is not a stage of any pipeline: it is the one other final
 * outcome, reachable from every stage but the last, and its id is reserved.
 */

export const STAGE_KINDS = ['applied', 'screening', 'interview', 'offer', 'hired'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** The reserved id of the rejection, the one final outcome outside every pipeline. */
export const REJECTED = 'rejected';

export interface PipelineStage {
  id: string;
  name: string;
  kind: StageKind;
  /** How long an application may wait here before its recruiters are reminded; absent: `STAGE_SLA_SECONDS`. */
  slaSeconds?: number | null;
}

/** One version of a job's pipeline, as an application pinned to it carries it. */
export interface PipelineSnapshot {
  version: number;
  stages: PipelineStage[];
}

/** Every job's first version, and the pipeline of every application started before pipelines existed. */
export const DEFAULT_PIPELINE: PipelineSnapshot = {
  version: 1,
  stages: [
    { id: 'applied', name: 'Applied', kind: 'applied' },
    { id: 'screening', name: 'Screening', kind: 'screening' },
    { id: 'interview', name: 'Interview', kind: 'interview' },
    { id: 'offer', name: 'Offer', kind: 'offer' },
    { id: 'hired', name: 'Hired', kind: 'hired' },
  ],
};

export const STAGE_ID_PATTERN = '^[a-z0-9_-]{1,40}$';
const STAGE_ID = new RegExp(STAGE_ID_PATTERN);
export const MIN_STAGES = 2;
export const MAX_STAGES = 20;

export const firstStage = (p: PipelineSnapshot): string => p.stages[0].id;
export const lastStage = (p: PipelineSnapshot): string => p.stages[p.stages.length - 1].id;
const indexOf = (p: PipelineSnapshot, id: string) => p.stages.findIndex((s) => s.id === id);

export function stageOf(p: PipelineSnapshot, id: string): PipelineStage | undefined {
  return p.stages.find((s) => s.id === id);
}

/** The kind of a stage id in this version: `rejected` for the rejection, undefined for an id it lacks. */
export function kindOf(p: PipelineSnapshot, id: string): StageKind | typeof REJECTED | undefined {
  return id === REJECTED ? REJECTED : stageOf(p, id)?.kind;
}

/** Final: rejected, or the pipeline's last stage (of kind `hired`). */
export function isFinalIn(p: PipelineSnapshot, id: string): boolean {
  return id === REJECTED || id === lastStage(p);
}

/**
 * Final as a stored record tells it: rejected, or a stage of kind `hired` (a record without a kind is
 * of version 1, whose stage ids are their kinds). The one reading of a row or history entry.
 */
export function isFinalRecord(r: { stage: string; stageKind?: string | null }): boolean {
  return r.stage === REJECTED || (r.stageKind ?? r.stage) === 'hired';
}

/** `isFinalRecord` negated, as SQL over an `applications` row: the running applications. */
export const RUNNING_SQL = `stage <> '${REJECTED}' and coalesce(stage_kind, stage) <> 'hired'`;

/** Forward moves from `from`: the next stage, and `rejected`; nothing from a final stage. */
export function allowedForward(p: PipelineSnapshot, from: string): string[] {
  if (isFinalIn(p, from)) return [];
  const i = indexOf(p, from);
  return i < 0 ? [REJECTED] : [p.stages[i + 1].id, REJECTED];
}

/** Moves back from `from`: any earlier stage (a reason is required); nothing from a final stage. */
export function allowedBack(p: PipelineSnapshot, from: string): string[] {
  if (isFinalIn(p, from)) return [];
  const i = indexOf(p, from);
  return i < 0 ? [] : p.stages.slice(0, i).map((s) => s.id);
}

export function isMoveBack(p: PipelineSnapshot, from: string, to: string): boolean {
  return allowedBack(p, from).includes(to);
}

/** The non-final stages of a version: where a running application can be, and where a migration may put it. */
export function openStages(p: PipelineSnapshot): string[] {
  return p.stages.slice(0, -1).map((s) => s.id);
}

/**
 * The rules a new version must keep (API.md, "Stages and pipelines"); each broken one is named, with
 * the index of the stage that breaks it. `earlier`: every version so far, so an id keeps its kind for ever.
 */
export function pipelineErrors(
  stages: readonly PipelineStage[],
  earlier: readonly PipelineSnapshot[],
): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  if (stages.length < MIN_STAGES || stages.length > MAX_STAGES)
    errors.push({ path: 'stages', message: `A pipeline has ${MIN_STAGES} to ${MAX_STAGES} stages.` });
  const seen = new Set<string>();
  const kinds = new Map<string, StageKind>();
  for (const version of earlier) for (const s of version.stages) kinds.set(s.id, s.kind);
  stages.forEach((s, i) => {
    if (!STAGE_ID.test(s.id)) errors.push({ path: `stages.${i}.id`, message: 'A stage id is 1 to 40 of a-z, 0-9, `_` and `-`.' });
    if (s.id === REJECTED) errors.push({ path: `stages.${i}.id`, message: '`rejected` is reserved for the rejection.' });
    if (seen.has(s.id)) errors.push({ path: `stages.${i}.id`, message: 'Stage ids are unique within a pipeline.' });
    seen.add(s.id);
    const before = kinds.get(s.id);
    if (before !== undefined && before !== s.kind)
      errors.push({
        path: `stages.${i}.kind`,
        message: `Stage \`${s.id}\` was of kind \`${before}\`: a stage id keeps its kind in every version.`,
      });
  });
  if (stages.length) {
    if (stages[0].kind !== 'applied') errors.push({ path: 'stages.0.kind', message: 'The first stage is of kind `applied`.' });
    const last = stages.length - 1;
    if (stages[last].kind !== 'hired') errors.push({ path: `stages.${last}.kind`, message: 'The last stage is of kind `hired`.' });
    stages.forEach((s, i) => {
      if (i !== last && s.kind === 'hired') errors.push({ path: `stages.${i}.kind`, message: 'Only the last stage is of kind `hired`.' });
    });
  }
  return errors;
}

/** Whether two versions have the same stages (a PUT of the current stages publishes nothing). */
export function sameStages(a: readonly PipelineStage[], b: readonly PipelineStage[]): boolean {
  const norm = (s: PipelineStage) => JSON.stringify([s.id, s.name, s.kind, s.slaSeconds ?? null]);
  return a.length === b.length && a.every((s, i) => norm(s) === norm(b[i]));
}
