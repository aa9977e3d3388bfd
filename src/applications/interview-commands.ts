import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Services } from '../services';
import type { InterviewDetails, Recommendation } from '../domain/interviews';
import { ConflictError, NotFoundError } from '../domain/errors';
import { isFinalRecord } from '../domain/pipelines';
import {
  cancelInterviewUpdate,
  changeInterviewUpdate,
  scheduleInterviewUpdate,
  submitScorecardUpdate,
  type InterviewRecord,
} from '../../workflows/messages';
import { findApplication } from './application-repository';
import { trusted, withinDeadline } from './application-commands';
import { writeInterview, writeScorecard, type ScorecardAttribute } from './interviews';

/**
 * What the API asks of an application's workflow about its interviews. Each is one update the
 * workflow validates (workflows/interview-rules.ts) before anything reaches history; once it has
 * answered, the API writes the answer to SQL, so a following read sees it. Should the API die in
 * between, the interview's own workflow writes the row on its start, and a scorecard's sender, who
 * got no answer, sends it again (a second PUT replaces the first).
 */

/** `interview-` and 16 characters of lowercase base32 (80 random bits). */
export function newInterviewId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `interview-${[...randomBytes(16)].map((b) => alphabet[b & 31]).join('')}`;
}

/**
 * Sends one update to a running application. A final one answers 409 here, as its workflow would:
 * once closed, Temporal would only say it is not found.
 */
async function ask(
  services: Services,
  applicationId: string,
  call: (handle: WorkflowHandle) => Promise<InterviewRecord | null>,
): Promise<InterviewRecord> {
  const application = await findApplication(services.orm.em.fork(), applicationId);
  if (!application) throw new NotFoundError('Application not found.');
  if (isFinalRecord(application))
    throw new ConflictError('application_final', `The application is ${application.stage}: its interviews are over.`);
  const handle = services.temporal.workflow.getHandle(applicationId);
  return trusted(await withinDeadline(services, () => call(handle)));
}

/** Sends an update that answers the interview as it now is, and writes that interview to SQL. */
async function recordedUpdate<Request>(
  services: Services,
  applicationId: string,
  update: UpdateDefinition<InterviewRecord | null, [Request]>,
  request: Request,
  updateId?: string,
): Promise<InterviewRecord> {
  const record = await ask(services, applicationId, (h) => h.executeUpdate(update, { args: [request], ...(updateId ? { updateId } : {}) }));
  await writeInterview(services.orm.em.fork(), applicationId, record);
  return record;
}

function interviewRequest(services: Services, applicationId: string, by: number, interview: InterviewDetails) {
  const { scorecardReminderSeconds, scorecardEscalationSeconds } = services.config.timers;
  return {
    applicationId,
    by: String(by),
    interview,
    reminderSeconds: scorecardReminderSeconds,
    escalationSeconds: scorecardEscalationSeconds,
  };
}

/** `updateId`: from the client's Idempotency-Key, so Temporal answers a repeat with the first answer. */
export async function scheduleInterview(
  services: Services,
  applicationId: string,
  by: number,
  interview: InterviewDetails,
  updateId?: string,
): Promise<InterviewRecord> {
  return recordedUpdate(
    services,
    applicationId,
    scheduleInterviewUpdate,
    interviewRequest(services, applicationId, by, interview),
    updateId,
  );
}

/** `interview`: the whole interview as it is to be (same id). */
export async function changeInterview(
  services: Services,
  applicationId: string,
  by: number,
  interview: InterviewDetails,
  updateId?: string,
): Promise<InterviewRecord> {
  return recordedUpdate(services, applicationId, changeInterviewUpdate, interviewRequest(services, applicationId, by, interview), updateId);
}

export async function cancelInterview(
  services: Services,
  applicationId: string,
  by: number,
  interviewId: string,
  updateId?: string,
): Promise<InterviewRecord> {
  return recordedUpdate(services, applicationId, cancelInterviewUpdate, { applicationId, by: String(by), interviewId }, updateId);
}

export interface ScorecardInput {
  recommendation: Recommendation;
  attributes: ScorecardAttribute[];
  notes: string | null;
}

/** The workflow checks who and when; SQL keeps the content, with the interview's new state, in one transaction. */
export async function submitScorecard(
  services: Services,
  applicationId: string,
  interviewId: string,
  authorId: number,
  card: ScorecardInput,
): Promise<InterviewRecord> {
  const request = { applicationId, by: String(authorId), interviewId };
  const record = await ask(services, applicationId, (h) => h.executeUpdate(submitScorecardUpdate, { args: [request] }));
  await services.orm.em.fork().transactional(async (tx) => {
    await writeScorecard(tx, { interviewId, applicationId, authorId, ...card, submittedAt: record.updatedAt });
    await writeInterview(tx, applicationId, record);
  });
  return record;
}
