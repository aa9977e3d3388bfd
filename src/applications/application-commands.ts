import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Services } from '../services';
import type { Job } from '../db/entities/job.entity';
import { ConflictError, NotFoundError } from '../domain/errors';
import { applicationWorkflowId } from '../domain/ids';
import { JOB_ATTRIBUTE, STAGE_ATTRIBUTE } from '../temporal/search-attributes';
import type { applicationWorkflow } from '../../workflows/application.workflow';
import { changeStageUpdate, submitUpdate, type ApplicationState, type StageChangeRequest } from '../../workflows/messages';
import { refuseStageChange } from '../../workflows/stage-rules';
import { applicationExists, findApplication } from './application-repository';

/**
 * What the API asks of application workflows. Each call is one message to Temporal; the workflow
 * answers after SQL holds the change, so a following read sees it.
 */
export interface Submission { coverLetter: string | null; resumeUrl: string | null }

/** Applies `candidateId` to `job`: one update-with-start, so a duplicate is refused by Temporal itself. */
export async function submitApplication(services: Services, job: Job, candidateId: number, submission: Submission): Promise<ApplicationState> {
  if (job.status !== 'open') throw new ConflictError('job_not_open', `This job is ${job.status} and takes no applications.`);
  const { config, temporal } = services;
  const jobId = String(job.id);
  const workflowId = applicationWorkflowId(jobId, String(candidateId));
  // Temporal refuses concurrent duplicates; this read also refuses one whose workflow is past retention.
  if (await applicationExists(services.orm.em, workflowId)) throw new ConflictError('duplicate_application', 'You have already applied to this job.');
  return temporal.workflow.executeUpdateWithStart(submitUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation<typeof applicationWorkflow>('applicationWorkflow', {
      workflowId,
      taskQueue: config.temporal.taskQueue,
      args: [{
        applicationId: workflowId,
        jobId,
        candidateId: String(candidateId),
        ...submission,
        stageSlaSeconds: config.timers.stageSlaSeconds,
        offerExpirySeconds: config.timers.offerExpirySeconds,
      }],
      // A running application fails the start, and so does a finished one: nobody applies twice.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [{ key: STAGE_ATTRIBUTE, value: 'applied' }, { key: JOB_ATTRIBUTE, value: jobId }],
    }),
  });
}

/** Moves an application (a recruiter's change, or a candidate's withdrawal as a rejection). */
export async function changeStage(services: Services, applicationId: string, request: StageChangeRequest): Promise<ApplicationState> {
  const count = (outcome: string) => services.metrics.stageChanges.inc({ to: request.stage, outcome });
  try {
    const state = await withUnprocessedRetry(randomUUID(), (updateId) =>
      services.temporal.workflow.getHandle(applicationId).executeUpdate(changeStageUpdate, { args: [request], updateId }));
    count('accepted');
    return state;
  } catch (err) {
    count(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type ?? 'failed' : 'error');
    if (err instanceof WorkflowNotFoundError) throw await closedApplicationError(services, applicationId, request);
    throw err;
  }
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
      const unprocessed = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'UnprocessedUpdate';
      if (!unprocessed || attempt > UNPROCESSED_RETRIES) throw err;
    }
  }
}

/**
 * A final application's workflow completes, and Temporal then reports it as not found. SQL still
 * has it: answer the same refusal the running workflow would have given.
 */
async function closedApplicationError(services: Services, applicationId: string, request: StageChangeRequest): Promise<Error> {
  const record = await findApplication(services.orm.em, applicationId);
  const refusal = record && refuseStageChange(record.stage, request);
  if (!refusal) return new NotFoundError('Application not found.');
  return new ConflictError(refusal.code, refusal.message, refusal.details);
}
