import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { notificationEvent, type NotificationEvent, type NotificationKind } from '../src/domain/notifications';
import type { RecordingActivities } from '../activities/recording.activities';
import { REJECTED, firstStage, isFinalIn, kindOf, openStages } from '../src/domain/pipelines';
import {
  JOB_ATTRIBUTE,
  NEEDS_DECISION_ATTRIBUTE,
  PIPELINE_VERSION_ATTRIBUTE,
  STAGE_ATTRIBUTE,
  STAGE_KIND_ATTRIBUTE,
} from '../src/temporal/search-attributes';
import { interviewWorkflow } from './interview.workflow';
import { RECORDING_ACTIVITY_OPTIONS } from './recording-options';
import { needsDecision, refuseInterview, type InterviewMessage } from './interview-rules';
import {
  ACTIVITY_RECORDS_UPDATES,
  API_RECORDS_UPDATES,
  cancelInterviewUpdate,
  changeInterviewUpdate,
  interviewCancelledSignal,
  interviewChangedSignal,
  interviewWorkflowId,
  scheduleInterviewUpdate,
  scorecardInSignal,
  submitScorecardUpdate,
  migrateUpdate,
  reopenUpdate,
  type InterviewRecord,
  type MigrationMark,
  changeStageSignal,
  changeStageUpdate,
  stateQuery,
  submitUpdate,
  type ApplicationAnswer,
  type ApplicationInput,
  type ApplicationState,
  type HistoryEntry,
  type MigrationRequest,
  type ReopenRequest,
  type RejectedSignal,
  type StageChangeRequest,
} from './messages';
import {
  LEGACY,
  ERASED_REASON,
  OFFER_EXPIRED_REASON,
  SYSTEM_ACTOR,
  UNTRUSTED_REFUSAL,
  reopenableRejection,
  type Pinned,
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
// activity itself fails for good, visibly, on data SQL refuses and after its retry window (an hour).
const { recordTransitions } = proxyActivities<RecordingActivities>(RECORDING_ACTIVITY_OPTIONS);

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
  // The pipeline the application runs under: the version it applied under, until a migration moves it.
  const pinned: Pinned = input.pipeline ? { pipeline: input.pipeline, movesBack: true } : { ...LEGACY };
  const state: ApplicationState = {
    applicationId: input.applicationId,
    jobId: input.jobId,
    candidateId: input.candidateId,
    coverLetter: input.coverLetter,
    resumeUrl: input.resumeUrl,
    stage: firstStage(pinned.pipeline),
    seq: 0,
    createdAt: '',
    updatedAt: '',
    history: [],
    pipelineVersion: pinned.pipeline.version,
    rejectedSignals: [],
    slaReminders: [],
    interviews: [],
  };
  const interviews = state.interviews!;
  // Fixed at the start, so a workflow replays the code it began with (see `ApplicationInput.design`).
  const apiRecordsUpdates = (input.design ?? ACTIVITY_RECORDS_UPDATES) >= API_RECORDS_UPDATES;

  // What the recording activity has yet to write: notifications in order, and SQL up to `state.seq`.
  const outbox: NotificationEvent[] = [];
  let recordedSeq = 0;

  // Every accepted transition goes through here, synchronously: when several messages arrive in one
  // activation, each handler has moved the state before the next validator looks at it.
  function accept(request: StageChangeRequest, migration?: MigrationMark): HistoryEntry {
    const at = new Date().toISOString();
    const entry: HistoryEntry = {
      seq: state.seq + 1,
      from: state.seq === 0 ? null : state.stage,
      to: request.stage,
      at,
      by: request.by,
      reason: request.reason ?? null,
      toKind: kindOf(pinned.pipeline, request.stage),
      ...(migration ? { migration } : {}),
    };
    state.history.push(entry);
    state.stage = entry.to;
    state.seq = entry.seq;
    state.createdAt ||= at;
    state.updatedAt = at;
    // Recruiters find applications by stage and job in the Web UI. The API's start already sets
    // both for `applied`: upsert only what differs (each upsert is an event and a visibility write).
    const attributes: Parameters<typeof upsertSearchAttributes>[0] & unknown[] = [
      { key: STAGE_ATTRIBUTE, value: entry.to },
      { key: JOB_ATTRIBUTE, value: input.jobId },
      // Applications from before pipelines keep their two attributes, so their histories replay as they were.
      ...(input.pipeline
        ? [
            { key: STAGE_KIND_ATTRIBUTE, value: entry.toKind ?? entry.to },
            { key: PIPELINE_VERSION_ATTRIBUTE, value: pinned.pipeline.version },
          ]
        : []),
    ].filter(({ key, value }) => workflowInfo().typedSearchAttributes.get(key as never) !== value);
    if (attributes.length) upsertSearchAttributes(attributes);
    // A stage change is a decision: whatever waited for one no longer does.
    showNeedsDecision();
    // A migration moves the application between versions of the same process: no mail, a webhook.
    notify(migration ? 'pipeline_migrated' : notificationKind(entry), entry, at);
    return entry;
  }

  /**
   * `NeedsDecision` in the Web UI follows the interviews (see interview-rules.ts). Only an application
   * that has had an interview ever sets it, so histories from before interviews replay unchanged.
   */
  function showNeedsDecision() {
    if (!interviews.length) return;
    const value = needsDecision(interviews, state.history[state.history.length - 1]?.at ?? '');
    if (workflowInfo().typedSearchAttributes.get(NEEDS_DECISION_ATTRIBUTE) !== value)
      upsertSearchAttributes([{ key: NEEDS_DECISION_ATTRIBUTE, value }]);
  }

  function notify(kind: NotificationKind, entry: HistoryEntry, at: string) {
    outbox.push(notificationEvent(input, entry, kind, at));
  }

  // The answer to an update is the application as this transition left it, without the cover
  // letter and résumé URL: every answer is kept in history, and those are in the start input once.
  const answer = (): ApplicationAnswer => {
    const { applicationId, jobId, candidateId, stage, seq, createdAt, updatedAt, pipelineVersion } = state;
    return { applicationId, jobId, candidateId, stage, seq, createdAt, updatedAt, pipelineVersion, history: [...state.history] };
  };

  const refuse = (refusal: Refusal) =>
    ApplicationFailure.create({ type: refusal.code, message: refusal.message, details: [refusal.details], nonRetryable: true });

  function assertAllowed(request: StageChangeRequest | null): asserts request is StageChangeRequest {
    if (!isTrustedRequest(request, input.applicationId)) throw refuse(UNTRUSTED_REFUSAL);
    if (state.seq === 0)
      throw ApplicationFailure.create({ type: 'not_found', message: 'The application has not been submitted.', nonRetryable: true });
    const refusal = refuseStageChange(state.stage, request, pinned);
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
      leaveToCaller(
        accept({ applicationId: input.applicationId, stage: firstStage(pinned.pipeline), by: input.candidateId, reason: null }),
      );
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
    const refusal = refuseStageChange(state.stage, request, pinned);
    if (refusal) {
      recordRefusedSignal(request, refusal);
      return;
    }
    accept(request);
  });

  /** The rejection a reopen would undo: by staff, not a withdrawal or an erasure, within the window. */
  function reopenRefusal(request: ReopenRequest | null, now: number): Refusal | null {
    if (!isTrustedRequest(request as never, input.applicationId)) return UNTRUSTED_REFUSAL;
    const last = state.history[state.history.length - 1];
    const notReopenable = (message: string): Refusal => ({ code: 'not_reopenable', message, details: {} });
    if (input.reopenWindowSeconds === undefined) return notReopenable('This application was closed before reopening existed.');
    if (state.stage !== REJECTED || !last) return notReopenable(`The application is ${state.stage}, not rejected.`);
    if (!reopenableRejection(last))
      return notReopenable('Only a rejection by staff can be undone, not a withdrawal, an erasure or an expiry.');
    if (now > Date.parse(last.at) + input.reopenWindowSeconds * 1000)
      return notReopenable('The window for reopening this rejection has passed.');
    const open = openStages(pinned.pipeline);
    if (!open.includes(request!.stage))
      return {
        code: 'invalid_transition',
        message: `A reopened application goes back to one of ${open.join(', ')}.`,
        details: { allowed: open, allowedBack: [], from: state.stage, to: request!.stage },
      };
    if (typeof request!.reason !== 'string' || !request!.reason.trim())
      return { code: 'reason_required', message: 'Reopening a rejection needs a reason.', details: {} };
    return null;
  }

  setHandler(
    reopenUpdate,
    (request) => {
      const refusal = reopenRefusal(request, Date.now());
      if (refusal) throw refuse(refusal);
      leaveToCaller(accept({ applicationId: input.applicationId, stage: request.stage, by: request.by, reason: request.reason }));
      return answer();
    },
    {
      validator: (request) => {
        const refusal = reopenRefusal(request, Date.now());
        if (refusal) throw refuse(refusal);
      },
    },
  );

  /** Null when the migration may move this application (or already has: it is answered again, unchanged). */
  function migrationRefusal(request: MigrationRequest | null): Refusal | null {
    if (!isTrustedRequest(request as never, input.applicationId)) return UNTRUSTED_REFUSAL;
    const { migration, pipeline, stageMap } = request!;
    if (state.history.some((h) => h.migration?.id === migration.id)) return null;
    if (state.seq === 0 || isFinalIn(pinned.pipeline, state.stage) || state.pipelineVersion !== migration.fromVersion)
      return {
        code: 'not_on_version',
        message: `The application is not running on version ${migration.fromVersion} (it is on ${state.pipelineVersion}, in ${state.stage}).`,
        details: { pipelineVersion: state.pipelineVersion, stage: state.stage },
      };
    const target = stageMap[state.stage];
    if (typeof target !== 'string' || !openStages(pipeline).includes(target))
      return {
        code: 'incomplete_map',
        message: `The stage map sends ${state.stage} to no open stage of version ${migration.toVersion}.`,
        details: { stage: state.stage },
      };
    return null;
  }

  setHandler(
    migrateUpdate,
    (request) => {
      const refusal = migrationRefusal(request);
      if (refusal) throw refuse(refusal);
      if (state.history.some((h) => h.migration?.id === request.migration.id)) return answer();
      pinned.pipeline = request.pipeline;
      pinned.movesBack = true;
      state.pipelineVersion = request.pipeline.version;
      const target = request.stageMap[state.stage];
      // Recorded by this workflow's own recording, like a timer's transition: the migration's worker is no API.
      accept({ applicationId: input.applicationId, stage: target, by: request.by, reason: null }, request.migration);
      return answer();
    },
    {
      validator: (request) => {
        const refusal = migrationRefusal(request);
        if (refusal) throw refuse(refusal);
      },
    },
  );

  // Interviews: each runs as a child workflow that does its own waiting and messaging. This workflow
  // keeps the record (and so enforces the rules); the child hears of every change, in order.
  const children = new Map<string, Promise<ChildWorkflowHandle<typeof interviewWorkflow> | null>>();
  const childDone: Array<Promise<unknown>> = [];

  /** Sends to the interview's workflow after everything sent to it before; a finished one hears nothing. */
  function tellChild(interviewId: string, send: (child: ChildWorkflowHandle<typeof interviewWorkflow>) => Promise<void>) {
    const previous = children.get(interviewId) ?? Promise.resolve(null);
    children.set(
      interviewId,
      previous.then(async (child) => {
        if (child) await send(child).catch(() => undefined);
        return child;
      }),
    );
  }

  const refuseMessage = (code: string, message: string) => ApplicationFailure.create({ type: code, message, nonRetryable: true });
  function assertInterviewAllowed(message: InterviewMessage) {
    if (state.seq === 0) throw refuseMessage('not_found', 'The application has not been submitted.');
    const final = isFinalIn(pinned.pipeline, state.stage);
    const refusal = refuseInterview(state.stage, final, interviews, message, input.applicationId, Date.now());
    if (refusal) throw refuseMessage(refusal.code, refusal.message);
  }
  const interviewById = (id: string) => interviews.find((i) => i.id === id)!;

  setHandler(
    scheduleInterviewUpdate,
    (request) => {
      assertInterviewAllowed({ kind: 'schedule', request });
      const at = new Date().toISOString();
      const record: InterviewRecord = {
        ...request.interview,
        status: 'scheduled',
        revision: 0,
        submittedBy: [],
        completedAt: null,
        scheduledBy: request.by,
        createdAt: at,
        updatedAt: at,
      };
      interviews.push(record);
      showNeedsDecision();
      const started = startChild(interviewWorkflow, {
        workflowId: interviewWorkflowId(input.applicationId, record.id),
        args: [
          {
            applicationId: input.applicationId,
            jobId: input.jobId,
            candidateId: input.candidateId,
            interview: request.interview,
            scheduledBy: request.by,
            createdAt: at,
            reminderSeconds: request.reminderSeconds,
            escalationSeconds: request.escalationSeconds,
          },
        ],
        // The application ends its interviews itself (see below); this only covers a termination.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      children.set(
        record.id,
        started.then((child) => {
          childDone.push(child.result().catch(() => undefined));
          return child;
        }),
      );
      return { ...record };
    },
    { validator: (request) => assertInterviewAllowed({ kind: 'schedule', request }) },
  );

  setHandler(
    changeInterviewUpdate,
    (request) => {
      assertInterviewAllowed({ kind: 'change', request });
      const record = interviewById(request.interview.id);
      Object.assign(record, request.interview, { revision: record.revision + 1, updatedAt: new Date().toISOString() });
      // Interviewers taken off the interview owe no scorecard for it.
      record.submittedBy = record.submittedBy.filter((id) => record.interviewerIds.includes(id));
      const change = { interviewId: record.id, interview: request.interview, revision: record.revision };
      tellChild(record.id, (child) => child.signal(interviewChangedSignal, change));
      showNeedsDecision();
      return { ...record };
    },
    { validator: (request) => assertInterviewAllowed({ kind: 'change', request }) },
  );

  function cancelInterview(record: InterviewRecord, candidateIncluded: boolean) {
    record.status = 'cancelled';
    record.updatedAt = new Date().toISOString();
    tellChild(record.id, (child) => child.signal(interviewCancelledSignal, { interviewId: record.id, candidateIncluded }));
  }

  setHandler(
    cancelInterviewUpdate,
    (request) => {
      assertInterviewAllowed({ kind: 'cancel', request });
      const record = interviewById(request.interviewId);
      if (record.status !== 'cancelled') cancelInterview(record, true);
      showNeedsDecision();
      return { ...record };
    },
    { validator: (request) => assertInterviewAllowed({ kind: 'cancel', request }) },
  );

  setHandler(
    submitScorecardUpdate,
    (request) => {
      assertInterviewAllowed({ kind: 'scorecard', request });
      const record = interviewById(request.interviewId);
      const at = new Date().toISOString();
      if (!record.submittedBy.includes(request.by)) record.submittedBy.push(request.by);
      record.updatedAt = at;
      if (record.completedAt === null && record.interviewerIds.every((id) => record.submittedBy.includes(id))) record.completedAt = at;
      tellChild(record.id, (child) => child.signal(scorecardInSignal, { interviewId: record.id, interviewerId: request.by }));
      showNeedsDecision();
      return { ...record };
    },
    { validator: (request) => assertInterviewAllowed({ kind: 'scorecard', request }) },
  );

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
                pipelineVersion: state.pipelineVersion,
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

  // Then the application waits in each stage, against that stage's clock, until it is final; a
  // rejection by staff stays open for reopening through its window, after which the workflow closes.
  for (;;) {
    while (!isFinalIn(pinned.pipeline, state.stage)) {
      const entered = state.history[state.history.length - 1];
      const clock = stageClock(entered.to, input, pinned.pipeline);
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
        accept({ applicationId: input.applicationId, stage: REJECTED, by: SYSTEM_ACTOR, reason: OFFER_EXPIRED_REASON });
      } else {
        // One reminder per stage entry: after it, wait for the stage to change without a clock.
        const at = new Date().toISOString();
        state.slaReminders.push({ seq: entered.seq, stage: entered.to, at });
        notify('sla_reminder', entered, at);
        await condition(() => state.seq !== entered.seq);
      }
    }

    // Final: what was still to happen in interviews will not. Interviews ahead are called off; an
    // erased candidate is told nothing, and nobody is told anything about them.
    const last = state.history[state.history.length - 1];
    for (const record of interviews) {
      if (record.status === 'cancelled' || record.completedAt !== null) continue;
      cancelInterview(record, last?.reason !== ERASED_REASON);
    }
    if (interviews.length) {
      showNeedsDecision();
      await Promise.all([...children.values()]);
      await Promise.all(childDone);
    }

    // Applications from before reopening existed, hires, withdrawals and erasures close now.
    if (input.reopenWindowSeconds === undefined || state.stage !== REJECTED || !reopenableRejection(last)) break;
    const closesAt = Date.parse(last.at) + input.reopenWindowSeconds * 1000;
    if (closesAt <= Date.now()) break;
    if (!(await condition(() => state.stage !== REJECTED, closesAt - Date.now()))) break;
  }

  // Finish what handlers started and record everything, then close.
  await condition(() => allHandlersFinished() && outbox.length === 0 && recordedSeq === state.seq);
  return answer();
}
