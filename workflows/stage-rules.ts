import { allowedNext, canTransition, isFinal, type Stage } from '../src/domain/stages';
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

/** Null when `request` may be applied to an application now in `current`. */
export function refuseStageChange(current: Stage, request: Omit<StageChangeRequest, 'applicationId'>): Refusal | null {
  // A stale view is the more useful answer: the caller should reload before anything else.
  if (request.fromStage != null && request.fromStage !== current) {
    return { code: 'stage_changed', message: `The application is now in ${current}, not ${request.fromStage}.`, details: { current } };
  }
  if (!canTransition(current, request.stage)) {
    const allowed = [...allowedNext(current)];
    const next = allowed.length ? `it can move to ${allowed.join(' or ')}` : 'it is final';
    return {
      code: 'invalid_transition',
      message: `An application in ${current} cannot move to ${String(request.stage)}: ${next}.`,
      details: { allowed, from: current, to: request.stage },
    };
  }
  return null;
}

export function notificationKind(entry: HistoryEntry): NotificationKind {
  if (entry.seq === 1) return 'application_received';
  if (entry.by === SYSTEM_ACTOR && entry.reason === OFFER_EXPIRED_REASON) return 'offer_expired';
  return isFinal(entry.to) ? 'final_outcome' : 'stage_changed';
}

export type StageClock = { action: 'sla_reminder' | 'expire_offer'; seconds: number };

/**
 * The clock that runs while an application sits in `stage`: an offer expires, any other open stage
 * earns the recruiter one reminder once its SLA has passed, final stages have no clock.
 */
export function stageClock(stage: Stage, input: Pick<ApplicationInput, 'stageSlaSeconds' | 'offerExpirySeconds'>): StageClock | null {
  if (isFinal(stage)) return null;
  if (stage === 'offer') return { action: 'expire_offer', seconds: input.offerExpirySeconds };
  return { action: 'sla_reminder', seconds: input.stageSlaSeconds };
}
