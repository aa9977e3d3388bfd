import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Services } from '../services';
import { UserSchema, type User } from '../db/entities/user.entity';
import { placeholders } from '../db/placeholders';
import { findApplication, type ApplicationRecord } from '../applications/application-repository';
import { changeStage } from '../applications/application-commands';
import type { Stage } from '../domain/stages';
import { ConflictError, NotFoundError } from '../domain/errors';
import { isFinalRecord } from '../domain/pipelines';
import { destroyDataKey } from '../crypto/candidate-keys';
import { assertKeepsAnAdmin } from '../accounts/last-admin';
import { removeNotificationJobsAbout } from '../notifications/notification-erasure';
import { deleteOutboxFilesAbout } from '../mail/dev-outbox';
import { deleteNotesAboutCandidate, notesAboutCandidate } from '../applications/notes';
import { eraseInterviewDataOfCandidate, interviewDataOfCandidate, interviewView, type ScorecardRow } from '../applications/interviews';

/** An erased account keeps its row (ids in other people's records still resolve) under this address. */
export const erasedEmail = (id: number) => `erased-${id}@invalid`;
export const isErased = (user: User) => user.email === erasedEmail(user.id);

export interface PersonalDataExport {
  user: { id: number; email: string; fullName: string | null; role: string; active: boolean; createdAt: string; updatedAt: string };
  applications: ApplicationRecord[];
  /** What the hiring team wrote about the person's applications, oldest first. */
  notes: { id: string; applicationId: string; author: { id: string; fullName: string | null }; body: string; createdAt: string }[];
  interviews: ReturnType<typeof interviewView>[];
  scorecards: ScorecardRow[];
}

export async function exportPersonalData(services: Services, user: User): Promise<PersonalDataExport> {
  const em = services.orm.em.fork();
  const ids = await em.execute<{ id: string }[]>(
    'select id from applications where candidate_id = ? order by created_at',
    [user.id],
    'all',
  );
  const applications = (await Promise.all(ids.map(({ id }) => findApplication(em, id)))).filter((a): a is ApplicationRecord => a !== null);
  const notes = (await notesAboutCandidate(em, user.id)).map((n) => ({
    id: String(n.id),
    applicationId: n.applicationId,
    author: { id: String(n.authorId), fullName: n.authorName },
    body: n.body,
    createdAt: n.createdAt,
  }));
  const held = await interviewDataOfCandidate(em, user.id);
  // As an admin reads them: every interviewer named, each scorecard's status.
  const interviews = held.interviews.map((i) => interviewView(i, { access: 'admin', userId: user.id, sighted: true }));
  const { id, email, fullName, role, active, createdAt, updatedAt } = user;
  return {
    user: { id, email, fullName: fullName ?? null, role, active, createdAt, updatedAt },
    applications,
    notes,
    interviews,
    scorecards: held.scorecards,
  };
}

/**
 * Erasure, in the order API.md promises, so that nothing built on the way carries the person:
 *  1. the account is anonymized and deactivated and the applications' personal fields are nulled,
 *     in one transaction, which also deletes the notes, interviews and scorecards about them (refused with 409 `last_admin` for
 *     the last active admin); notes a staff member wrote stay, without their name;
 *  2. running applications end as `rejected` (reason `erased`) through their workflows: the webhook
 *     payloads and notifications of that step are built from the anonymized rows, and the candidate,
 *     deactivated, is sent nothing;
 *  3. the candidate's data key is destroyed (their fields in every Temporal history stay sealed);
 *  4. the copies elsewhere go: webhook deliveries that carried a personal field, the notification
 *     outbox, the notification jobs in Redis (any state) and the dev outbox's files.
 * Each step is idempotent: when one fails (Temporal unreachable), sending the erasure again finishes it.
 */
export async function erasePersonalData(services: Services, user: User, by: number): Promise<void> {
  const { orm, config, logger } = services;
  const now = new Date().toISOString();
  await orm.em.fork().transactional(async (em) => {
    await assertKeepsAnAdmin(em, user, { active: false });
    // A password no one knows and no hash of it can match: a random string that is not a hash.
    await em.nativeUpdate(
      UserSchema,
      { id: user.id },
      {
        email: erasedEmail(user.id),
        fullName: null,
        passwordHash: `!erased-${randomBytes(16).toString('hex')}`,
        active: false,
        updatedAt: now,
      },
    );
    await em.execute('update applications set cover_letter = null, resume_url = null where candidate_id = ?', [user.id], 'run');
    await deleteNotesAboutCandidate(em, user.id);
    await eraseInterviewDataOfCandidate(em, user.id);
  });

  const em = orm.em.fork();
  const applications = await em.execute<{ id: string; stage: Stage; stageKind: string | null }[]>(
    'select id, stage, stage_kind as "stageKind" from applications where candidate_id = ?',
    [user.id],
    'all',
  );
  const running = applications.filter((a) => !isFinalRecord(a));
  for (const application of running) {
    try {
      await changeStage(services, application.id, { stage: 'rejected', reason: 'erased', by: String(by) });
    } catch (err) {
      // Its workflow has closed meanwhile (or is past retention), or refuses as final (an earlier erasure's
      // withdrawal, sent while no worker ran, has landed since): nothing runs that could be withdrawn.
      // Anything else (Temporal unreachable) stops here, before the key is destroyed; the erasure can be sent again.
      const refused = err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure;
      if (!(err instanceof ConflictError || err instanceof NotFoundError || refused)) throw err;
      logger.warn(
        { applicationId: application.id, err: (err as Error).message },
        'an application of an erased candidate could not be withdrawn',
      );
    }
  }
  await destroyDataKey(em, user.id);
  // Again: a transition sweep that read the workflow before step 1 may have written the row since.
  await em.execute('update applications set cover_letter = null, resume_url = null where candidate_id = ?', [user.id], 'run');
  // And a note, interview or scorecard written while the withdrawals ran.
  await deleteNotesAboutCandidate(em, user.id);
  await eraseInterviewDataOfCandidate(em, user.id);

  const ids = applications.map((a) => a.id);
  const deliveries = await deleteDeliveriesWithPersonalData(em, ids);
  // The outbox's rows copied the recipient's address and names; the notifier skips a job whose row is gone.
  await em.execute(
    'delete from notification_outbox where subject in (select id from applications where candidate_id = ?)',
    [user.id],
    'run',
  );
  const jobs = await removeNotificationJobsAbout(services.notifications, services.redis, ids);
  const files = await deleteOutboxFilesAbout(config.mail.outboxDir, ids);
  logger.info({ userId: user.id, by, withdrawn: running.length, deliveries, jobs, files }, 'personal data erased');
}

/**
 * Webhook deliveries whose payload shows one of these applications with its cover letter or résumé
 * URL. Those built after step 1 carry neither and stay, so receivers still learn of the rejection.
 */
async function deleteDeliveriesWithPersonalData(em: EntityManager, applicationIds: readonly string[]): Promise<number> {
  if (!applicationIds.length) return 0;
  const rows = await em.execute<{ id: string; payload: string }[]>(
    `select id, payload from webhook_deliveries where subject in (${placeholders(applicationIds.length)})`,
    [...applicationIds],
    'all',
  );
  const personal = rows.filter((r) => carriesPersonalData(r.payload)).map((r) => r.id);
  for (const id of personal) await em.execute('delete from webhook_deliveries where id = ?', [id], 'run');
  return personal.length;
}

function carriesPersonalData(payload: string): boolean {
  try {
    const data = (JSON.parse(payload) as { data?: { coverLetter?: unknown; resumeUrl?: unknown } }).data;
    return data?.coverLetter != null || data?.resumeUrl != null;
  } catch {
    return true;
  }
}
