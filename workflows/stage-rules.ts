import type { Stage } from '../src/domain/stages';
import {
  DEFAULT_PIPELINE,
  allowedBack,
  allowedForward,
  isFinalIn,
  isFinalRecord,
  stageOf,
  type PipelineSnapshot,
} from '../src/domain/pipelines';
import type { NotificationKind } from '../src/domain/notifications';
import type { ApplicationInput, HistoryEntry, RefusalCode, StageChangeRequest } from './messages';

/**
 * The decisions the workflow makes, as pure functions of its state: whether a change is allowed,
 * what a transition tells the notification side, and which clock runs in a stage. Kept apart from
 * the workflow so they can be tested as tables.
 */

/** Who the workflow acts as when its own timers move an application. */
export const SYSTEM_ACTOR = 'system';
export const OFFER_EXPIRED_REASON = 'offer_expired';
/** The reason of the candidate's own rejection (a withdrawal), and of the one an erasure makes. */
export const WITHDRAWN_REASON = 'withdrawn';
export const ERASED_REASON = 'erased';

/** Whether a rejection may be reopened at all: one by staff, not a withdrawal, an erasure or the system's expiry. */
export function reopenableRejection(entry: Pick<HistoryEntry, 'by' | 'reason'>): boolean {
  return entry.by !== SYSTEM_ACTOR && entry.reason !== WITHDRAWN_REASON && entry.reason !== ERASED_REASON;
}

export interface Refusal {
  code: RefusalCode;
  message: string;
  details: Record<string, unknown>;
}

/**
 * Payloads reach the workflow through the signing codec (src/temporal/payload-signature.codec.ts):
 * anything not signed by the API or a worker arrives as `null`. A signed request also names its
 * application, so one copied from another application's history is refused too.
 */
export function isTrustedRequest(request: StageChangeRequest | null | undefined, applicationId: string): request is StageChangeRequest {
  return typeof request === 'object' && request !== null && request.applicationId === applicationId;
}

/** The start input, signed by the API for this very workflow (its ID is the application's). */
export function isTrustedInput(input: ApplicationInput | null | undefined, workflowId: string): input is ApplicationInput {
  return typeof input === 'object' && input !== null && input.applicationId === workflowId;
}

export const UNTRUSTED_REFUSAL: Refusal = {
  code: 'untrusted',
  message: 'The request was not signed by the API for this application, and was ignored.',
  details: {},
};

/**
 * The pipeline an application runs under: the version it is pinned to, and whether it moves back
 * (applications started before pipelines existed run the default pipeline, forward only, as they began).
 */
export interface Pinned {
  pipeline: PipelineSnapshot;
  movesBack: boolean;
}

export const LEGACY: Pinned = { pipeline: DEFAULT_PIPELINE, movesBack: false };

const either = (ids: readonly string[]) => (ids.length > 1 ? `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}` : ids[0]);

/**
 * Null when `request` may be applied to an application now in `current`: forward to the next stage,
 * `rejected` from any non-final stage, back to an earlier stage with a reason.
 */
export function refuseStageChange(
  current: Stage,
  request: Omit<StageChangeRequest, 'applicationId'>,
  pinned: Pinned = LEGACY,
): Refusal | null {
  // A stale view is the more useful answer: the caller should reload before anything else.
  if (request.fromStage != null && request.fromStage !== current) {
    return { code: 'stage_changed', message: `The application is now in ${current}, not ${request.fromStage}.`, details: { current } };
  }
  const allowed = allowedForward(pinned.pipeline, current);
  const back = pinned.movesBack ? allowedBack(pinned.pipeline, current) : [];
  if (allowed.includes(request.stage)) return null;
  if (back.includes(request.stage)) {
    if (typeof request.reason === 'string' && request.reason.trim()) return null;
    return {
      code: 'reason_required',
      message: `Moving back from ${current} to ${request.stage} needs a reason.`,
      details: { from: current, to: request.stage },
    };
  }
  const next = allowed.length ? `it can move to ${either(allowed)}` : 'it is final';
  const backwards = back.length ? `, or back to ${either(back)} with a reason` : '';
  return {
    code: 'invalid_transition',
    message: `An application in ${current} cannot move to ${String(request.stage)}: ${next}${backwards}.`,
    details: { allowed, allowedBack: back, from: current, to: request.stage },
  };
}

/** Whether an entry ended the application: a rejection, or the last stage (kind `hired`). */
export function isFinalEntry(entry: Pick<HistoryEntry, 'to' | 'toKind'>): boolean {
  return isFinalRecord({ stage: entry.to, stageKind: entry.toKind });
}

export function notificationKind(entry: HistoryEntry): NotificationKind {
  if (entry.seq === 1) return 'application_received';
  if (entry.by === SYSTEM_ACTOR && entry.reason === OFFER_EXPIRED_REASON) return 'offer_expired';
  return isFinalEntry(entry) ? 'final_outcome' : 'stage_changed';
}

export type StageClock = { action: 'sla_reminder' | 'expire_offer'; seconds: number };

/**
 * The clock that runs while an application sits in `stage`: an offer (a stage of kind `offer`)
 * expires, any other open stage earns the recruiter one reminder once its SLA (the stage's own, or
 * `stageSlaSeconds`) has passed, final stages have no clock.
 */
export function stageClock(
  stage: Stage,
  input: Pick<ApplicationInput, 'stageSlaSeconds' | 'offerExpirySeconds'>,
  pipeline: PipelineSnapshot = DEFAULT_PIPELINE,
): StageClock | null {
  if (isFinalIn(pipeline, stage)) return null;
  const pinned = stageOf(pipeline, stage);
  if (pinned?.kind === 'offer') return { action: 'expire_offer', seconds: input.offerExpirySeconds };
  return { action: 'sla_reminder', seconds: pinned?.slaSeconds ?? input.stageSlaSeconds };
}
