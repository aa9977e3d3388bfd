import { ApplicationFailure, condition, setHandler, sleep, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { firstStage, isFinalIn, kindOf } from '../../src/domain/pipelines';
import { JOB_ATTRIBUTE, PIPELINE_VERSION_ATTRIBUTE, STAGE_ATTRIBUTE, STAGE_KIND_ATTRIBUTE } from '../../src/temporal/search-attributes';
import {
  changeStageUpdate,
  submitUpdate,
  type ApplicationAnswer,
  type ApplicationInput,
  type HistoryEntry,
  type StageChangeRequest,
} from '../../workflows/messages';
import { refuseStageChange, stageClock, type Pinned } from '../../workflows/stage-rules';

/**
 * The feature-matched bare baseline of the application workflow: what the engine costs for what the
 * system asks of it on apply and stage change, without the system's own code around it. The same
 * start input (the API's `ApplicationInput`, with its sealed content and pinned pipeline), the same
 * answers (`ApplicationAnswer`), the same transition table (`refuseStageChange` on the pinned
 * pipeline), the same search attributes (set at the start by the client, the stage's upserted on
 * each change when they differ) and the same stage clock (a timer per stage as the system keeps them:
 * never cancelled, a new one only when none already running is due by the stage's deadline). No
 * recording, no notifications, no interviews, no reopening, no signals or queries: none of those
 * run on an apply or a stage change.
 */
export async function matchedApplicationWorkflow(input: ApplicationInput): Promise<ApplicationAnswer> {
  const pinned: Pinned = { pipeline: input.pipeline!, movesBack: true };
  const state: ApplicationAnswer = {
    applicationId: input.applicationId,
    jobId: input.jobId,
    candidateId: input.candidateId,
    stage: firstStage(pinned.pipeline),
    seq: 0,
    createdAt: '',
    updatedAt: '',
    history: [],
    pipelineVersion: pinned.pipeline.version,
  };

  function accept(request: StageChangeRequest): ApplicationAnswer {
    const at = new Date().toISOString();
    const entry: HistoryEntry = {
      seq: state.seq + 1,
      from: state.seq === 0 ? null : state.stage,
      to: request.stage,
      at,
      by: request.by,
      reason: request.reason ?? null,
      toKind: kindOf(pinned.pipeline, request.stage),
    };
    state.history.push(entry);
    state.stage = entry.to;
    state.seq = entry.seq;
    state.createdAt ||= at;
    state.updatedAt = at;
    const attributes: Parameters<typeof upsertSearchAttributes>[0] & unknown[] = [
      { key: STAGE_ATTRIBUTE, value: entry.to },
      { key: JOB_ATTRIBUTE, value: input.jobId },
      { key: STAGE_KIND_ATTRIBUTE, value: entry.toKind ?? entry.to },
      { key: PIPELINE_VERSION_ATTRIBUTE, value: pinned.pipeline.version },
    ].filter(({ key, value }) => workflowInfo().typedSearchAttributes.get(key as never) !== value);
    if (attributes.length) upsertSearchAttributes(attributes);
    return { ...state, history: [...state.history] };
  }

  function assertAllowed(request: StageChangeRequest) {
    if (state.seq === 0) throw ApplicationFailure.create({ type: 'not_found', nonRetryable: true });
    const refusal = refuseStageChange(state.stage, request, pinned);
    if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
  }

  setHandler(
    submitUpdate,
    () => accept({ applicationId: input.applicationId, stage: firstStage(pinned.pipeline), by: input.candidateId, reason: null }),
    {
      validator: () => {
        if (state.seq > 0) throw ApplicationFailure.create({ type: 'duplicate_application', nonRetryable: true });
      },
    },
  );
  setHandler(
    changeStageUpdate,
    (request) => {
      assertAllowed(request);
      return accept(request);
    },
    { validator: assertAllowed },
  );

  // The system's stage clock (workflows/application.workflow.ts): what each stage waits on. When the
  // clock runs out nothing happens here; the system would remind or expire the offer.
  const running = new Set<number>();
  const runningBy = (due: number) => [...running].some((at) => at <= due);
  function wakeBy(due: number) {
    if (runningBy(due)) return;
    running.add(due);
    void sleep(due - Date.now()).then(() => running.delete(due));
  }

  await condition(() => state.seq > 0);
  while (!isFinalIn(pinned.pipeline, state.stage)) {
    const entered = state.history[state.history.length - 1];
    const clock = stageClock(entered.to, input, pinned.pipeline);
    if (!clock) break;
    const due = Date.parse(entered.at) + clock.seconds * 1000;
    while (state.seq === entered.seq && Date.now() < due) {
      wakeBy(due);
      await condition(() => state.seq !== entered.seq || !runningBy(due));
    }
    if (state.seq === entered.seq) await condition(() => state.seq !== entered.seq);
  }
  return state;
}
