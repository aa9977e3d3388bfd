/**
 * The hiring pipeline. This module is the one transition table in the system: the workflow's message
 * handlers and the API both import it. It must stay pure (no Node APIs, no I/O, no clock).
 */
export const STAGES = ['applied', 'screening', 'interview', 'offer', 'hired', 'rejected'] as const;
/** A stage of the default pipeline (or the rejection). */
export type DefaultStage = (typeof STAGES)[number];
/**
 * A stage id: one of the default pipeline's, or of a job's own pipeline (src/domain/pipelines.ts),
 * where ids are `a-z0-9_-`; `rejected` is the one final outcome outside every pipeline.
 */
export type Stage = string;

export const FINAL_STAGES: readonly Stage[] = ['hired', 'rejected'];

const TRANSITIONS: Readonly<Record<DefaultStage, readonly DefaultStage[]>> = {
  applied: ['screening', 'rejected'],
  screening: ['interview', 'rejected'],
  interview: ['offer', 'rejected'],
  offer: ['hired', 'rejected'],
  hired: [],
  rejected: [],
};

export function isStage(value: unknown): value is DefaultStage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function isFinal(stage: Stage): boolean {
  return FINAL_STAGES.includes(stage);
}

/** The stages an application in `from` may move to next in the default pipeline, in order. */
export function allowedNext(from: Stage): readonly Stage[] {
  return isStage(from) ? TRANSITIONS[from] : [];
}

export function canTransition(from: Stage, to: Stage): boolean {
  return allowedNext(from).includes(to);
}

/** Position in the pipeline, used to order stages in reports; `rejected` sorts last. */
export function stageRank(stage: Stage): number {
  return isStage(stage) ? STAGES.indexOf(stage) : -1;
}
