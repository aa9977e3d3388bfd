import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { notificationEvent, type NotificationEvent, type NotificationKind } from '../src/domain/notifications';
import type { RecordingActivities } from '../activities/recording.activities';
import { isFinal } from '../src/domain/stages';
import { JOB_ATTRIBUTE, STAGE_ATTRIBUTE } from '../src/temporal/search-attributes';
import {
  ACTIVITY_RECORDS_UPDATES,
  API_RECORDS_UPDATES,
  changeStageSignal,
  changeStageUpdate,
  stateQuery,
  submitUpdate,
  type ApplicationAnswer,
  type ApplicationInput,
  type ApplicationState,
  type HistoryEntry,
  type RejectedSignal,
  type StageChangeRequest,
} from './messages';
import {
  OFFER_EXPIRED_REASON,
  SYSTEM_ACTOR,
  UNTRUSTED_REFUSAL,
  isTrustedInput,
  isTrustedRequest,
  notificationKind,
  refuseStageChange,
  stageClock,
  type Refusal,
} from './stage-rules';

// Transitions reach SQL and the notification queue through one ordinary activity, after the workflow
// task that accepted them is committed: handlers never wait for I/O, and nothing is written for a
// decision the server might still drop. An accepted transition must be recorded: retry through an
// outage (Redis down, SQL busy), never waiting more than a few seconds between attempts. The
// activity itself fails for good, visibly, on data SQL refuses and after its retry window (an hour);
// the schedule-to-close bound only stops attempts that never get to decide (hung until timed out).
const { recordTransitions } = proxyActivities<RecordingActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '75m',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

/** How many refused signals the state keeps; a misbehaving client cannot grow it without bound. */
const MAX_REJECTED_SIGNALS = 20;

/**
 * One job application, from the candidate's submission to its final outcome (hired or rejected).
 * This workflow is the only place a stage changes; SQL follows as a projection.
 */
export async function applicationWorkflow(startInput: ApplicationInput | null): Promise<ApplicationAnswer> {
  // A start the API did not sign (it reads as null), or one signed for another application, ends here.
  if (!isTrustedInput(startInput, workflowInfo().workflowId)) {
    throw ApplicationFailure.create({
      type: UNTRUSTED_REFUSAL.code,
      message: 'The application was not started by the API.',
      nonRetryable: true,
    });
  }
  const input: ApplicationInput = startInput;
  const state: ApplicationState = {
    applicationId: input.applicationId,
    jobId: input.jobId,
    candidateId: input.candidateId,
    coverLetter: input.coverLetter,
    resumeUrl: input.resumeUrl,
    stage: 'applied',
    seq: 0,
    createdAt: '',
    updatedAt: '',
    history: [],
    rejectedSignals: [],
    slaReminders: [],
  };
  // Fixed at the start, so a workflow replays the code it began with (see `ApplicationInput.design`).
  const apiRecordsUpdates = (input.design ?? ACTIVITY_RECORDS_UPDATES) >= API_RECORDS_UPDATES;

  // What the recording activity has yet to write: notifications in order, and SQL up to `state.seq`.
  const outbox: NotificationEvent[] = [];
  let recordedSeq = 0;

  // Every accepted transition goes through here, synchronously: when several messages arrive in one
  // activation, each handler has moved the state before the next validator looks at it.
  function accept(request: StageChangeRequest): HistoryEntry {
    const at = new Date().toISOString();
    const entry: HistoryEntry = {
      seq: state.seq + 1,
      from: state.seq === 0 ? null : state.stage,
      to: request.stage,
      at,
      by: request.by,
      reason: request.reason ?? null,
    };
    state.history.push(entry);
    state.stage = entry.to;
    state.seq = entry.seq;
    state.createdAt ||= at;
    state.updatedAt = at;
    // Recruiters find applications by stage and job in the Web UI. The API's start already sets
    // both for `applied`: upsert only what differs (each upsert is an event and a visibility write).
    const attributes = [
      { key: STAGE_ATTRIBUTE, value: entry.to },
      { key: JOB_ATTRIBUTE, value: input.jobId },
    ].filter(({ key, value }) => workflowInfo().typedSearchAttributes.get(key) !== value);
    if (attributes.length) upsertSearchAttributes(attributes);
    notify(notificationKind(entry), entry, at);
    return entry;
  }

  function notify(kind: NotificationKind, entry: HistoryEntry, at: string) {
    outbox.push(notificationEvent(input, entry, kind, at));
  }

  // The answer to an update is the application as this transition left it, without the cover
  // letter and résumé URL: every answer is kept in history, and those are in the start input once.
  const answer = (): ApplicationAnswer => {
    const { applicationId, jobId, candidateId, stage, seq, createdAt, updatedAt } = state;
    return { applicationId, jobId, candidateId, stage, seq, createdAt, updatedAt, history: [...state.history] };
  };

  const refuse = (refusal: Refusal) =>
    ApplicationFailure.create({ type: refusal.code, message: refusal.message, details: [refusal.details], nonRetryable: true });

  function assertAllowed(request: StageChangeRequest | null): asserts request is StageChangeRequest {
    if (!isTrustedRequest(request, input.applicationId)) throw refuse(UNTRUSTED_REFUSAL);
    if (state.seq === 0)
      throw ApplicationFailure.create({ type: 'not_found', message: 'The application has not been submitted.', nonRetryable: true });
    const refusal = refuseStageChange(state.stage, request);
    if (refusal) throw refuse(refusal);
  }

  function recordRefusedSignal(request: StageChangeRequest | null, refusal: Refusal) {
    const rejected: RejectedSignal = { at: new Date().toISOString(), request, code: refusal.code, message: refusal.message };
    state.rejectedSignals.push(rejected);
    state.rejectedSignals.splice(0, state.rejectedSignals.length - MAX_REJECTED_SIGNALS);
  }

  setHandler(stateQuery, () => state);

  // An update's answer goes out only once its transition is in history, and the API records it from
  // there (journaled, so its sweep finishes what a dead request left): recording it here too would
  // cost an activity and a second workflow task per change. Signals and timers stay the activity's.
  function leaveToCaller(entry: HistoryEntry) {
    if (!apiRecordsUpdates) return;
    // Only when nothing older waits for the activity: its record covers the whole history anyway.
    if (recordedSeq === entry.seq - 1 && outbox.length === 1 && outbox[0].seq === entry.seq) {
      outbox.length = 0;
      recordedSeq = entry.seq;
    }
  }

  // The candidate applies: update-with-start delivers this together with the start.
  setHandler(
    submitUpdate,
    () => {
      leaveToCaller(accept({ applicationId: input.applicationId, stage: 'applied', by: input.candidateId, reason: null }));
      return answer();
    },
    {
      validator: () => {
        if (state.seq > 0)
          throw ApplicationFailure.create({
            type: 'duplicate_application',
            message: 'This application was already submitted.',
            nonRetryable: true,
          });
      },
    },
  );

  // A recruiter moves the application, or the candidate withdraws (a rejection with reason
  // `withdrawn`). The validator refuses illegal changes before anything is written to history; the
  // handler checks again because the state may have moved since validation.
  setHandler(
    changeStageUpdate,
    (request: StageChangeRequest | null) => {
      assertAllowed(request);
      leaveToCaller(accept(request));
      return answer();
    },
    { validator: assertAllowed },
  );

  // The same change for asynchronous clients, who cannot be answered: an illegal or untrusted one is
  // recorded for the query to show, and ignored.
  setHandler(changeStageSignal, async (request: StageChangeRequest | null) => {
    if (!isTrustedRequest(request, input.applicationId)) {
      recordRefusedSignal(request, UNTRUSTED_REFUSAL);
      return;
    }
    await condition(() => state.seq > 0);
    const refusal = refuseStageChange(state.stage, request);
    if (refusal) {
      recordRefusedSignal(request, refusal);
      return;
    }
    accept(request);
  });

  // The cover letter and résumé URL go to the activity only when it reports that SQL has no row yet
  // (normally the API writes the row as it answers the candidate): activity inputs stay in history,
  // and the start input already holds one copy.
  let withContent = false;

  // Records in order, everything pending in one activity call: a burst of transitions costs one
  // activity, not one each. Retries are the activity's business.
  async function recordLoop(): Promise<void> {
    for (;;) {
      await condition(() => outbox.length > 0 || state.seq > recordedSeq);
      const seq = state.seq;
      const notifications = outbox.slice();
      const content = withContent ? { coverLetter: input.coverLetter, resumeUrl: input.resumeUrl } : {};
      const projection =
        seq > recordedSeq
          ? {
              application: {
                id: input.applicationId,
                jobId: input.jobId,
                candidateId: input.candidateId,
                ...content,
                createdAt: state.createdAt,
              },
              history: state.history.slice(0, seq),
            }
          : null;
      try {
        const outcome = await recordTransitions({ projection, notifications });
        // The row did not exist: send the same record again, with the content to create it.
        if (outcome?.needsContent) {
          withContent = true;
          continue;
        }
      } catch (err) {
        // The activity gave up (refused data, or an outage past its window) and said so itself. A
        // failed recording must not hold the application open or stop later ones: the next
        // transition's projection carries the whole history again.
        const cause = (err as { cause?: { type?: string; message?: string } }).cause;
        log.error('transition recording failed', {
          applicationId: input.applicationId,
          seq,
          type: cause?.type,
          error: cause?.message ?? (err as Error).message,
          notifications: notifications.length,
        });
      }
      outbox.splice(0, notifications.length);
      recordedSeq = seq;
      withContent = false;
    }
  }

  void recordLoop();

  // Timers are never cancelled (two events on every stage change): a stage waits on a running timer
  // due no later than its deadline, and a timer outliving its stage wakes the workflow once, for nothing.
  const running = new Set<number>();
  const runningBy = (due: number) => [...running].some((at) => at <= due);
  function wakeBy(due: number) {
    if (runningBy(due)) return;
    running.add(due);
    void sleep(due - Date.now()).then(() => running.delete(due));
  }

  // Nothing happens until the candidate's submission is recorded.
  await condition(() => state.seq > 0);

  // Then the application waits in each stage, against that stage's clock, until it is final.
  while (!isFinal(state.stage)) {
    const entered = state.history[state.history.length - 1];
    const clock = stageClock(entered.to, input);
    if (!clock) break;
    if (apiRecordsUpdates) {
      const due = Date.parse(entered.at) + clock.seconds * 1000;
      while (state.seq === entered.seq && Date.now() < due) {
        wakeBy(due);
        await condition(() => state.seq !== entered.seq || !runningBy(due));
      }
    } else {
      await condition(() => state.seq !== entered.seq, clock.seconds * 1000);
    }
    // A message handled in the same activation as the timer wins over it.
    if (state.seq !== entered.seq) continue;

    if (clock.action === 'expire_offer') {
      // An offer nobody acted on lapses: the workflow rejects it itself, as `system`, with reason
      // `offer_expired`, so the outcome is final and visible like any other rejection.
      accept({ applicationId: input.applicationId, stage: 'rejected', by: SYSTEM_ACTOR, reason: OFFER_EXPIRED_REASON });
    } else {
      // One reminder per stage entry: after it, wait for the stage to change without a clock.
      const at = new Date().toISOString();
      state.slaReminders.push({ seq: entered.seq, stage: entered.to, at });
      notify('sla_reminder', entered, at);
      await condition(() => state.seq !== entered.seq);
    }
  }

  // Final: finish what handlers started and record everything, then close.
  await condition(() => allHandlersFinished() && outbox.length === 0 && recordedSeq === state.seq);
  return answer();
}
