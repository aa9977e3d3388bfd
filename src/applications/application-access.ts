import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { User } from '../db/entities/user.entity';
import type { TeamRole } from '../db/entities/job-team-member.entity';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import { parseApplicationId } from '../domain/ids';
import { teamRoleOf } from '../jobs/hiring-team';

/**
 * Who may do what with one application: the one place the rule of API.md's "Roles" is written.
 * Rights come from the team role on the application's job (admins: all); the candidate who owns it
 * is its `owner`. An `interviewer` sees only the applications they have an interview with.
 *
 * The id names the job and the candidate, so the common answers need no read of the application.
 */
export type ApplicationAccess = 'admin' | 'owner' | TeamRole;

/** Everyone who may read the application (and its candidate) at all. */
export const READERS: readonly ApplicationAccess[] = ['admin', 'owner', 'recruiter', 'hiring_manager', 'interviewer'];
/** Staff who may read it: notes, interviews. */
export const STAFF: readonly ApplicationAccess[] = ['admin', 'recruiter', 'hiring_manager', 'interviewer'];
/** Staff who judge it: all scorecards and the evaluation. */
export const JUDGES: readonly ApplicationAccess[] = ['admin', 'recruiter', 'hiring_manager'];
/** Staff who run its process: stage moves, reopen, scheduling interviews. */
export const RUNNERS: readonly ApplicationAccess[] = ['admin', 'recruiter'];
/** Team roles that read every application of their job; an `interviewer` reads only those they interview. */
export const READS_EVERY_APPLICATION: readonly TeamRole[] = ['recruiter', 'hiring_manager'];

/** The caller's access to the application; null when they may not see it (or it does not parse). */
export async function accessTo(em: EntityManager, user: User, applicationId: string): Promise<ApplicationAccess | null> {
  const owner = parseApplicationId(applicationId);
  if (owner === null) return null;
  if (user.role === 'admin') return 'admin';
  if (user.role === 'candidate') return owner.candidateId === String(user.id) ? 'owner' : null;
  const teamRole = await teamRoleOf(em, Number(owner.jobId), user.id);
  if (teamRole === null || READS_EVERY_APPLICATION.includes(teamRole)) return teamRole;
  return (await interviewsWith(em, applicationId, user.id)) ? 'interviewer' : null;
}

/** Whether the user interviews (or interviewed) the candidate of this application. */
export async function interviewsWith(em: EntityManager, applicationId: string, userId: number): Promise<boolean> {
  const rows = await em.execute<{ found: number }[]>(
    `select 1 as found from interview_interviewers ii join interviews i on i.id = ii.interview_id
      where i.application_id = ? and ii.user_id = ? limit 1`,
    [applicationId, userId],
    'all',
  );
  return rows.length > 0;
}

/**
 * The caller's access when it is one of `allowed`: 404 (as for an unknown id) when they may not see
 * the application at all, 403 (`code`) when they are staff who may see it but not do this. A
 * candidate gets the 404 for whatever is not theirs to use (notes, scorecards), their own application included.
 */
export async function assertAccess(
  em: EntityManager,
  user: User,
  applicationId: string,
  allowed: readonly ApplicationAccess[],
  code = 'team_role_forbids',
): Promise<ApplicationAccess> {
  const access = await accessTo(em, user, applicationId);
  if (access === null || (access === 'owner' && !allowed.includes(access))) throw new NotFoundError('Application not found.');
  if (!allowed.includes(access)) throw new ForbiddenError('Your role on this job does not allow this.', code);
  return access;
}
