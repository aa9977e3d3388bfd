import { STAGES, allowedNext, type Stage } from '../../src/domain/stages';
import {
  OFFER_EXPIRED_REASON,
  SYSTEM_ACTOR,
  isTrustedInput,
  isTrustedRequest,
  notificationKind,
  refuseStageChange,
  stageClock,
} from '../../workflows/stage-rules';
import type { ApplicationInput, HistoryEntry, StageChangeRequest } from '../../workflows/messages';

const pairs = STAGES.flatMap((from) => STAGES.map((to) => [from, to] as [Stage, Stage]));

describe('refuseStageChange', () => {
  test.each(pairs)('%s → %s follows the transition table', (from, to) => {
    const refusal = refuseStageChange(from, { stage: to, by: '1' });
    if (allowedNext(from).includes(to)) expect(refusal).toBeNull();
    else expect(refusal).toMatchObject({ code: 'invalid_transition', details: { allowed: [...allowedNext(from)], from, to } });
  });

  test('a stale fromStage is refused with the current stage, before the table is consulted', () => {
    expect(refuseStageChange('screening', { stage: 'hired', by: '1', fromStage: 'applied' })).toMatchObject({
      code: 'stage_changed',
      details: { current: 'screening' },
    });
    expect(refuseStageChange('screening', { stage: 'interview', by: '1', fromStage: 'screening' })).toBeNull();
    expect(refuseStageChange('screening', { stage: 'interview', by: '1', fromStage: null })).toBeNull();
  });

  test('an unknown stage from an untyped client is an invalid transition', () => {
    expect(refuseStageChange('applied', { stage: 'promoted' as Stage, by: '1' })).toMatchObject({
      code: 'invalid_transition',
      details: { allowed: ['screening', 'rejected'] },
    });
  });

  test('messages say what is allowed', () => {
    expect(refuseStageChange('offer', { stage: 'applied', by: '1' })?.message).toBe(
      'An application in offer cannot move to applied: it can move to hired or rejected.',
    );
    expect(refuseStageChange('hired', { stage: 'rejected', by: '1' })?.message).toBe(
      'An application in hired cannot move to rejected: it is final.',
    );
  });
});

describe('notificationKind', () => {
  const entry = (seq: number, to: Stage, by = '7', reason: string | null = null): HistoryEntry => ({
    seq,
    from: seq === 1 ? null : 'offer',
    to,
    at: '',
    by,
    reason,
  });
  test.each([
    ['the submission', entry(1, 'applied'), 'application_received'],
    ['a move forward', entry(3, 'interview'), 'stage_changed'],
    ['a hire', entry(5, 'hired'), 'final_outcome'],
    ["a recruiter's rejection", entry(2, 'rejected', '7', 'no fit'), 'final_outcome'],
    ['a withdrawal', entry(2, 'rejected', '9', 'withdrawn'), 'final_outcome'],
    ['an expired offer', entry(5, 'rejected', SYSTEM_ACTOR, OFFER_EXPIRED_REASON), 'offer_expired'],
  ])('%s → %s', (_, e, kind) => {
    expect(notificationKind(e)).toBe(kind);
  });
});

describe('stageClock', () => {
  const input = { stageSlaSeconds: 60, offerExpirySeconds: 600 };
  test.each([
    ['applied', { action: 'sla_reminder', seconds: 60 }],
    ['screening', { action: 'sla_reminder', seconds: 60 }],
    ['interview', { action: 'sla_reminder', seconds: 60 }],
    ['offer', { action: 'expire_offer', seconds: 600 }],
    ['hired', null],
    ['rejected', null],
  ] as [Stage, unknown][])('%s → %p', (stage, clock) => {
    expect(stageClock(stage, input)).toEqual(clock);
  });
});

describe('trust: what the signing codec let through, for this application', () => {
  const id = 'application-job1-candidate7';
  const request: StageChangeRequest = { applicationId: id, stage: 'screening', by: '1' };
  const input: ApplicationInput = {
    applicationId: id,
    jobId: '1',
    candidateId: '7',
    coverLetter: null,
    resumeUrl: null,
    stageSlaSeconds: 1,
    offerExpirySeconds: 1,
  };

  test.each([
    ['a signed request for this application', request, true],
    ['an unsigned message (null)', null, false],
    ['nothing at all', undefined, false],
    ['a signed request for another application', { ...request, applicationId: 'application-job1-candidate8' }, false],
    ['a request naming no application', { stage: 'screening', by: '1' } as StageChangeRequest, false],
  ])('%s: %s', (_, message, trusted) => {
    expect(isTrustedRequest(message, id)).toBe(trusted);
  });

  test.each([
    ['a start signed for this workflow', input, true],
    ['an unsigned start (null)', null, false],
    ['a signed start copied to another workflow ID', { ...input, applicationId: 'application-job1-candidate8' }, false],
  ])('%s', (_, start, trusted) => {
    expect(isTrustedInput(start, id)).toBe(trusted);
  });
});
