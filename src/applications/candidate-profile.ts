import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { User } from '../db/entities/user.entity';
import { listApplications, type ApplicationRecord, type CandidateRecord } from './application-repository';

/** A candidate applies at most once per job; a profile lists this many of their applications, newest first. */
export const PROFILE_APPLICATIONS = 500;

export interface CandidateProfile {
  candidate: CandidateRecord;
  applications: ApplicationRecord[];
}

/**
 * A candidate as `viewer` may see them: admins see every candidate with all their applications;
 * other staff only a candidate with an application they may read (the application list's rule, so
 * an `interviewer` sees the ones they interview), and only those applications. Anyone else, and any
 * id that is not a candidate's, gets null (a 404, so ids cannot be probed).
 */
export async function candidateProfile(em: EntityManager, candidateId: number, viewer: User): Promise<CandidateProfile | null> {
  if (viewer.role === 'candidate') return null;
  const [row] = await em.execute<{ fullName: string | null; email: string }[]>(
    `select full_name as "fullName", email from users where id = ? and role = 'candidate'`,
    [candidateId],
    'all',
  );
  if (!row) return null;
  const applications = await listApplications(em, {
    candidateId,
    teamMemberId: viewer.role === 'admin' ? undefined : viewer.id,
    limit: PROFILE_APPLICATIONS,
  });
  if (viewer.role !== 'admin' && !applications.length) return null;
  return { candidate: { id: String(candidateId), fullName: row.fullName, email: row.email }, applications };
}
