import { ApplicationFailure, condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { canTransition, isFinal, type Stage } from '../../src/domain/stages';

/**
 * The bare baseline of the application workflow: the same transition table and the same two
 * updates (submit with the start, changeStage with a validator), and nothing else: no recording
 * activity, no stage clocks, no search attributes. What it costs is what Temporal and the SDK cost
 * for the transitions alone.
 */
export interface BareEntry {
  seq: number;
  from: Stage | null;
  to: Stage;
  at: string;
  by: string;
}
export interface BareAnswer {
  applicationId: string;
  stage: Stage;
  seq: number;
  history: BareEntry[];
}
export interface BareChange {
  stage: Stage;
  by: string;
}

export const bareSubmitUpdate = defineUpdate<BareAnswer>('submit');
export const bareChangeStageUpdate = defineUpdate<BareAnswer, [BareChange]>('changeStage');

export async function bareApplicationWorkflow(input: { applicationId: string }): Promise<BareAnswer> {
  const state: BareAnswer = { applicationId: input.applicationId, stage: 'applied', seq: 0, history: [] };
  const accept = (to: Stage, by: string): BareAnswer => {
    state.history.push({ seq: state.seq + 1, from: state.seq === 0 ? null : state.stage, to, at: new Date().toISOString(), by });
    state.stage = to;
    state.seq += 1;
    return { ...state, history: [...state.history] };
  };
  const refuse = (change: BareChange) => {
    if (state.seq === 0) throw ApplicationFailure.create({ type: 'not_found', nonRetryable: true });
    if (!canTransition(state.stage, change.stage)) throw ApplicationFailure.create({ type: 'invalid_transition', nonRetryable: true });
  };
  setHandler(bareSubmitUpdate, () => accept('applied', input.applicationId), {
    validator: () => {
      if (state.seq > 0) throw ApplicationFailure.create({ type: 'duplicate_application', nonRetryable: true });
    },
  });
  setHandler(
    bareChangeStageUpdate,
    (change) => {
      refuse(change);
      return accept(change.stage, change.by);
    },
    { validator: refuse },
  );
  await condition(() => state.seq > 0 && isFinal(state.stage));
  return state;
}
