/**
 * The hiring pipeline. This module is the one transition table in the system: the workflow's message
 * handlers and the API both import it. It must stay pure (no Node APIs, no I/O, no clock).
 */
export const STAGES = ['applied', 'screening', 'interview', 'offer', 'hired', 'rejected'] as const;
export type Stage = (typeof STAGES)[number];

export const FINAL_STAGES: readonly Stage[] = ['hired', 'rejected'];

const TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  applied: ['screening', 'rejected'],
  screening: ['interview', 'rejected'],
  interview: ['offer', 'rejected'],
  offer: ['hired', 'rejected'],
  hired: [],
  rejected: [],
};

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function isFinal(stage: Stage): boolean {
  return FINAL_STAGES.includes(stage);
}

/** The stages an application in `from` may move to next, in pipeline order. */
export function allowedNext(from: Stage): readonly Stage[] {
  return TRANSITIONS[from];
}

export function canTransition(from: Stage, to: Stage): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Position in the pipeline, used to order stages in reports; `rejected` sorts last. */
export function stageRank(stage: Stage): number {
  return STAGES.indexOf(stage);
}
