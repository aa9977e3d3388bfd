import { randomBytes } from 'node:crypto';
import type { Services } from '../services';
import { UserSchema, type User } from '../db/entities/user.entity';
import { findApplication, type ApplicationRecord } from '../applications/application-repository';
import { changeStage } from '../applications/application-commands';
import { isFinal, type Stage } from '../domain/stages';
import { ConflictError, NotFoundError } from '../domain/errors';
import { destroyDataKey } from './candidate-keys';

/** An erased account keeps its row (ids in other people's records still resolve) under this address. */
export const erasedEmail = (id: number) => `erased-${id}@invalid`;
export const isErased = (user: User) => user.email === erasedEmail(user.id);

export interface PersonalDataExport {
  user: { id: number; email: string; fullName: string | null; role: string; active: boolean; createdAt: string; updatedAt: string };
  applications: ApplicationRecord[];
}

export async function exportPersonalData(services: Services, user: User): Promise<PersonalDataExport> {
  const em = services.orm.em.fork();
  const ids = await em.execute<{ id: string }[]>('select id from applications where candidate_id = ? order by created_at', [user.id], 'all');
  const applications = (await Promise.all(ids.map(({ id }) => findApplication(em, id)))).filter((a): a is ApplicationRecord => a !== null);
  const { id, email, fullName, role, active, createdAt, updatedAt } = user;
  return { user: { id, email, fullName: fullName ?? null, role, active, createdAt, updatedAt }, applications };
}

/**
 * Erasure: running applications end as `rejected` (reason `erased`) through their workflows, the
 * candidate's data key is destroyed (their cover letters and résumé URLs in every Temporal history
 * become unreadable), and SQL keeps the account and applications without a personal field.
 */
export async function erasePersonalData(services: Services, user: User, by: number): Promise<void> {
  const em = services.orm.em.fork();
  const running = await em.execute<{ id: string; stage: Stage }[]>('select id, stage from applications where candidate_id = ?', [user.id], 'all');
  for (const application of running.filter((a) => !isFinal(a.stage))) {
    try {
      await changeStage(services, application.id, { stage: 'rejected', reason: 'erased', by: String(by) });
    } catch (err) {
      // Its workflow has closed meanwhile (or is past retention): nothing runs that could be withdrawn.
      // Anything else (Temporal unreachable) stops the erasure before it destroys anything; it can be sent again.
      if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
      services.logger.warn({ applicationId: application.id, err: err.message }, 'an application of an erased candidate could not be withdrawn');
    }
  }
  await destroyDataKey(em, user.id);
  const now = new Date().toISOString();
  await em.execute('update applications set cover_letter = null, resume_url = null where candidate_id = ?', [user.id], 'run');
  // Webhook payloads copied the applications, cover letter and résumé URL included.
  await em.execute('delete from webhook_deliveries where subject in (select id from applications where candidate_id = ?)', [user.id], 'run');
  // So do messages about them still waiting in the notification outbox.
  await em.execute('delete from notification_outbox where subject in (select id from applications where candidate_id = ?)', [user.id], 'run');
  // A password no one knows and no hash of it can match: a random string that is not a hash.
  await em.nativeUpdate(UserSchema, { id: user.id }, { email: erasedEmail(user.id), fullName: null, passwordHash: `!erased-${randomBytes(16).toString('hex')}`, active: false, updatedAt: now });
  services.logger.info({ userId: user.id, by, withdrawn: running.filter((a) => !isFinal(a.stage)).length }, 'personal data erased');
}
