import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { Services } from '../services';
import { ConflictError, NotFoundError, TryAgainError } from '../domain/errors';
import type { Stage } from '../domain/stages';
import { noSuchJob, type ApplyingJob } from '../jobs/job-lookup';
import { JOB_ATTRIBUTE, PIPELINE_VERSION_ATTRIBUTE, STAGE_ATTRIBUTE, STAGE_KIND_ATTRIBUTE } from '../temporal/search-attributes';
import { currentPipeline } from '../jobs/pipelines';
import { firstStage, isFinalRecord, kindOf } from '../domain/pipelines';
import type { applicationWorkflow } from '../../workflows/application.workflow';
import {
  APPLICATION_DESIGN,
  changeStageUpdate,
  stateQuery,
  submitUpdate,
  reopenUpdate,
  type ApplicationAnswer,
  type ReopenRequest,
  type StageChangeRequest,
} from '../../workflows/messages';
import { isFinalEntry, refuseStageChange } from '../../workflows/stage-rules';
import { applicationContent, applicationExists, findApplication, type ApplicationContent } from './application-repository';
import { claimApplicationId, isOwnApplication } from './application-claims';
import { closeIntent, finishIntentsOf, openIntent, recordAnswer } from './transition-recording';
import { openDeep, sealContent } from '../crypto/personal-fields';
import { stepClock, type TransitionStep } from '../metrics';
import { applicationSummary } from './workflow-summary';

/**
 * What the API asks of application workflows. Each call is one message to Temporal, journaled before
 * it is sent; once the workflow has answered, the API records the answer (SQL, notifications,
 * webhooks), so a following read sees it (see transition-recording.ts).
 */
/** What a candidate submits: the application's content. */
export type Submission = ApplicationContent;

/** What a command returns: the workflow's answer with the content it leaves out (see `ApplicationAnswer`). */
export type ApplicationOutcome = ApplicationAnswer & ApplicationContent;

/** Applies `candidateId` to `job`: one update-with-start on the pair's claimed id, so a duplicate is refused by Temporal itself. */
export async function submitApplication(
  services: Services,
  job: ApplyingJob,
  candidateId: number,
  submission: Submission,
): Promise<ApplicationOutcome> {
  // A draft was never published: 404, as a read answers, so applying cannot find hidden jobs. A closed
  // job was public once; it answers the contract's 409.
  if (job.status === 'draft') throw noSuchJob();
  if (job.status !== 'open') throw new ConflictError('job_not_open', 'This job is closed and takes no more applications.');
  const { config, temporal } = services;
  const step = stepClock(services.metrics, 'apply');
  const jobId = String(job.id);
  // The pair's id as this database claimed it: a retry or a concurrent apply sends the same one.
  const workflowId = await claimApplicationId(services.orm.em.fork(), job.id, candidateId);
  // Temporal refuses concurrent duplicates; this read also refuses one whose workflow is past retention.
  if (await applicationExists(services.orm.em, workflowId))
    throw new ConflictError('duplicate_application', 'You have already applied to this job.');
  // The workflow carries the personal fields sealed under the candidate's own key (crypto-shredding).
  const sealed = await sealContent(services.orm.em.fork(), config.auth.payloadKeys, candidateId, submission);
  const summary = applicationSummary(job);
  // The application is pinned to the pipeline version current now, for as long as it runs.
  const { version, stages } = await currentPipeline(services.orm.em.fork(), job);
  const pipeline = { version, stages };
  const first = firstStage(pipeline);
  const updateId = randomUUID();
  const intentId = `${workflowId}:${updateId}`;
  step('prepare');
  await openIntent(services.orm, intentId, workflowId);
  step('journal');
  let state: ApplicationAnswer;
  try {
    state = await withinDeadline(services, () =>
      temporal.workflow.executeUpdateWithStart(submitUpdate, {
        updateId,
        startWorkflowOperation: new WithStartWorkflowOperation<typeof applicationWorkflow>('applicationWorkflow', {
          workflowId,
          taskQueue: config.temporal.taskQueue,
          args: [
            {
              applicationId: workflowId,
              jobId,
              candidateId: String(candidateId),
              ...sealed,
              stageSlaSeconds: config.timers.stageSlaSeconds,
              offerExpirySeconds: config.timers.offerExpirySeconds,
              design: APPLICATION_DESIGN,
              pipeline,
              reopenWindowSeconds: config.timers.reopenWindowSeconds,
            },
          ],
          // A running application fails the start, and so does a finished one: nobody applies twice.
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: STAGE_ATTRIBUTE, value: first },
            { key: JOB_ATTRIBUTE, value: jobId },
            { key: STAGE_KIND_ATTRIBUTE, value: kindOf(pipeline, first) ?? 'applied' },
            { key: PIPELINE_VERSION_ATTRIBUTE, value: version },
          ],
          ...summary,
        }),
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // An earlier attempt started it: nothing happened now. If that attempt's API died before
      // recording, the application is recorded from its workflow first, so the 409 is not a lie a read
      // contradicts; the sweep does it later should Temporal or SQL be away now.
      await closeIntent(services.orm, intentId);
      await finishIntentsOf(services, workflowId).catch(() => undefined);
    }
    throw err;
  }
  step('temporal');
  await recorded(services, intentId, trusted(state), submission, step);
  return { ...state, ...submission };
}

/** Moves an application (a recruiter's change, or a candidate's withdrawal as a rejection). */
/** `updateId`: from the client's Idempotency-Key, so Temporal itself answers a repeated change with the first one's result. */
export async function changeStage(
  services: Services,
  applicationId: string,
  change: Omit<StageChangeRequest, 'applicationId'>,
  updateId: string = randomUUID(),
  update: UpdateDefinition<ApplicationAnswer, [StageChangeRequest]> = changeStageUpdate,
): Promise<ApplicationOutcome> {
  const request: StageChangeRequest = { ...change, applicationId };
  const count = (outcome: string) => services.metrics.stageChanges.inc({ to: request.stage, outcome });
  const intentId = `${applicationId}:${updateId}`;
  const step = stepClock(services.metrics, 'stage_change');
  // The content never changes once written, so this one read serves the answer too. An id this
  // database never gave out may name a workflow of an earlier one (a restored backup).
  const stored = await applicationContent(services.orm.em.fork(), applicationId);
  if (!stored && !(await isOwnApplication(services.orm.em.fork(), applicationId))) throw new NotFoundError('Application not found.');
  await openIntent(services.orm, intentId, applicationId);
  step('journal');
  let state: ApplicationAnswer | null;
  try {
    state = await withUnprocessedRetry(updateId, (id) =>
      withinDeadline(services, () =>
        services.temporal.workflow.getHandle(applicationId).executeUpdate(update, { args: [request], updateId: id }),
      ),
    );
  } catch (err) {
    const refused = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure;
    count(refused ? ((err.cause as ApplicationFailure).type ?? 'failed') : 'error');
    // Refused, or no such workflow: nothing happened, nothing to record. Any other failure leaves the
    // outcome unknown, and the intent for the sweep to settle.
    if (refused || err instanceof WorkflowNotFoundError) await closeIntent(services.orm, intentId);
    if (err instanceof WorkflowNotFoundError) throw await closedApplicationError(services, applicationId, request);
    throw err;
  }
  step('temporal');
  count('accepted');
  await recorded(services, intentId, trusted(state), undefined, step);
  const content = stored ?? (await contentOf(services, applicationId));
  step('read');
  return { ...state, ...content };
}

/**
 * Undoes a rejection by staff within the reopen window: the application goes back into `stage` of its
 * pinned pipeline, recorded like any stage change (the workflow refuses what is not reopenable).
 */
export function reopenApplication(
  services: Services,
  applicationId: string,
  reopen: Omit<ReopenRequest, 'applicationId'>,
  updateId?: string,
): Promise<ApplicationOutcome> {
  return changeStage(services, applicationId, reopen, updateId, reopenUpdate as UpdateDefinition<ApplicationAnswer, [StageChangeRequest]>);
}

/**
 * Records a transition the workflow has answered (recordAnswer): SQL for read-your-writes, so the
 * 201 or 200 and a following GET agree, then its notifications. Safe from here because Temporal
 * answers an update only after recording its transition: SQL never sees a decision the server could
 * still drop. The row is versioned by (workflow time, seq), so an older answer arriving late changes
 * nothing, and the write is idempotent.
 *
 * If SQL refuses now, the API does not claim success it cannot show: it answers 503 `try_again` (as
 * for any change whose outcome it cannot confirm). The transition did happen in Temporal, and its
 * intent stays journaled, so the sweep records it once SQL takes it again.
 */
async function recorded(
  services: Services,
  intentId: string,
  state: ApplicationAnswer,
  content: ApplicationContent | undefined,
  step: (step: TransitionStep) => void,
): Promise<void> {
  try {
    await recordAnswer(services, intentId, state, content, step);
  } catch (err) {
    services.logger.error(
      { err: (err as Error).message, applicationId: state.applicationId, seq: state.seq },
      'projection write after an update failed; answering 503, the transition sweep records it',
    );
    throw new TryAgainError(
      'The change was accepted but cannot be shown yet; read the application again shortly before sending it again.',
      1,
      { applicationId: state.applicationId },
    );
  }
}

/**
 * An answer the API cannot verify reads as null (see src/temporal/payload-signature.codec.ts): the
 * workers sign with another key, which means SECRET_KEY differs between the API and the workers.
 */
export function trusted<T>(answer: T | null): T {
  if (answer === null)
    throw new Error("The workflow's answer is not signed with this API's key: SECRET_KEY must be the same for the API and the workers.");
  return answer;
}

/**
 * The cover letter and résumé URL, which an update's answer leaves out: SQL has them (the row exists
 * once the application was answered); should the API's write at apply have failed and the workflow's
 * not landed yet, the workflow's state query has them (queries leave nothing in history).
 */
async function contentOf(services: Services, applicationId: string): Promise<ApplicationContent> {
  const stored = await applicationContent(services.orm.em.fork(), applicationId);
  if (stored) return stored;
  const { coverLetter, resumeUrl } = await services.temporal.workflow.getHandle(applicationId).query(stateQuery);
  return openDeep(services.orm.em.fork(), services.config.auth.payloadKeys, { coverLetter, resumeUrl });
}

/**
 * With no worker polling, an update waits for one indefinitely; the API answers 503 instead of
 * holding the request. A change admitted meanwhile still happens once a worker returns.
 */
export function withinDeadline<T>(services: Services, call: () => Promise<T>): Promise<T> {
  return services.temporal.withDeadline(Date.now() + services.config.temporal.requestTimeoutMs, call);
}

/** How often an update the server reports as never processed by a worker is sent again. */
const UNPROCESSED_RETRIES = 3;

/**
 * Under a burst of concurrent updates the server can drop a workflow task and reject the updates it
 * carried as `UnprocessedUpdate`: nothing was validated or written, so sending the same update again
 * is safe, and its fixed update ID lets Temporal de-duplicate should the first attempt have landed.
 */
async function withUnprocessedRetry<T>(updateId: string, send: (updateId: string) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(updateId);
    } catch (err) {
      const unprocessed =
        err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'UnprocessedUpdate';
      if (!unprocessed || attempt > UNPROCESSED_RETRIES) throw err;
    }
  }
}

/**
 * A final application's workflow completes, and Temporal then reports it as not found. SQL has it,
 * but may not show the final stage yet (the request that made it final records it a moment after
 * the workflow closed): then the closed workflow's own state answers. The refusal is the one the
 * running workflow would have given.
 */
async function closedApplicationError(services: Services, applicationId: string, request: StageChangeRequest): Promise<Error> {
  const record = await findApplication(services.orm.em, applicationId);
  if (!record) return new NotFoundError('Application not found.');
  const stage = isFinalRecord(record) ? record.stage : await finalStage(services, applicationId);
  if (!stage)
    return new TryAgainError('The application was just closed and its outcome is not readable yet; read it again shortly.', 1, {
      applicationId,
    });
  if (request.fromStage != null && request.fromStage !== stage) {
    const stale = refuseStageChange(stage, request);
    if (stale) return new ConflictError(stale.code, stale.message, stale.details);
  }
  return new ConflictError('invalid_transition', `An application in ${stage} cannot move to ${request.stage}: it is final.`, {
    allowed: [],
    allowedBack: [],
    from: stage,
    to: request.stage,
  });
}

/** Final as SQL holds it: rejected, or in its pipeline's last stage (of kind `hired`). */

/** A closed workflow's final stage: from its state query, or from SQL once the request that closed it has recorded it. */
async function finalStage(services: Services, applicationId: string): Promise<Stage | null> {
  const queried = await services.temporal.workflow
    .getHandle(applicationId)
    .query(stateQuery)
    .then(
      (s) => s,
      () => null,
    );
  const last = queried?.history[queried.history.length - 1];
  if (queried && last && isFinalEntry(last)) return queried.stage;
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const record = await findApplication(services.orm.em, applicationId);
    if (record && isFinalRecord(record)) return record.stage;
  }
  return null;
}
