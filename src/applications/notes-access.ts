import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { User } from '../db/entities/user.entity';
import { NotFoundError } from '../domain/errors';
import { parseApplicationId } from '../domain/ids';
import { isOnTeam } from '../jobs/hiring-team';
import { applicationExists } from './application-repository';

/**
 * Who may read and write an application's notes: admins and its job's hiring team. Candidates,
 * their own applications included, and staff off the team get the 404 an unknown id gets.
 */
export async function assertMayUseNotes(em: EntityManager, user: User, applicationId: string): Promise<void> {
  const owner = parseApplicationId(applicationId);
  const allowed =
    owner !== null &&
    (user.role === 'admin' || (user.role === 'recruiter' && (await isOnTeam(em, Number(owner.jobId), user.id)))) &&
    (await applicationExists(em, applicationId));
  if (!allowed) throw new NotFoundError('Application not found.');
}
