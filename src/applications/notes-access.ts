import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { User } from '../db/entities/user.entity';
import { NotFoundError } from '../domain/errors';
import { assertAccess, STAFF } from './application-access';
import { applicationExists } from './application-repository';

/**
 * Who may read and write an application's notes: admins and the staff who may read it (its job's
 * hiring team; an `interviewer` with an interview on it). Candidates, their own applications
 * included, and staff off the team get the 404 an unknown id gets.
 */
export async function assertMayUseNotes(em: EntityManager, user: User, applicationId: string): Promise<void> {
  await assertAccess(em, user, applicationId, STAFF);
  if (!(await applicationExists(em, applicationId))) throw new NotFoundError('Application not found.');
}
