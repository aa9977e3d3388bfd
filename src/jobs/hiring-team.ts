import type { EntityManager } from '@mikro-orm/core';
import { JobTeamMemberSchema, type TeamRole } from '../db/entities/job-team-member.entity';
import type { Job } from '../db/entities/job.entity';
import { UserSchema, type User } from '../db/entities/user.entity';
import { ForbiddenError } from '../domain/errors';

/**
 * A job's hiring team: the staff who see its applications, each with a team role (API.md): a
 * `recruiter` runs the process, a `hiring_manager` reads and judges, an `interviewer` sees only the
 * applications they interview. The creator is on it from the start, as `recruiter`, and cannot leave
 * it; admins act on every job without being on any team.
 */
export type { TeamRole } from '../db/entities/job-team-member.entity';

/** The caller's role on the job's team; null when they are not on it. */
export async function teamRoleOf(em: EntityManager, jobId: number, userId: number): Promise<TeamRole | null> {
  const [row] = await em
    .getConnection()
    .execute<{ teamRole: TeamRole }[]>(
      'select team_role as "teamRole" from job_team_members where job_id = ? and user_id = ?',
      [jobId, userId],
      'all',
    );
  return row?.teamRole ?? null;
}

/** Puts a new job's creator on its team; the flush that inserts the job inserts this row too. */
export function addCreatorToTeam(em: EntityManager, job: Job): void {
  em.create(JobTeamMemberSchema, { job, userId: job.createdBy, addedBy: job.createdBy, createdAt: job.createdAt });
}

/** Whether the user is a `recruiter` on the job's team: the team role that runs the job's process. */
export async function isRecruiterOnTeam(em: EntityManager, jobId: number, userId: number): Promise<boolean> {
  return (await teamRoleOf(em, jobId, userId)) === 'recruiter';
}

export async function isOnTeam(em: EntityManager, jobId: number, userId: number): Promise<boolean> {
  return (await teamRoleOf(em, jobId, userId)) !== null;
}

/** The team in the order its members joined, the creator first. */
export async function teamMembers(em: EntityManager, jobId: number): Promise<User[]> {
  const members = await em.find(JobTeamMemberSchema, { job: jobId }, { orderBy: { createdAt: 'asc', userId: 'asc' } });
  const users = await em.find(UserSchema, { id: { $in: members.map((m) => m.userId) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return members.flatMap((m) => byId.get(m.userId) ?? []);
}

/** Adds a member; false when they were already on the team (nothing changes then, their role included). */
export async function addToTeam(
  em: EntityManager,
  jobId: number,
  userId: number,
  addedBy: number,
  teamRole: TeamRole = 'recruiter',
): Promise<boolean> {
  const result = await em
    .getConnection()
    .execute<{ affectedRows: number }>(
      'insert into job_team_members (job_id, user_id, added_by, created_at, team_role) values (?, ?, ?, ?, ?) on conflict do nothing',
      [jobId, userId, addedBy, new Date().toISOString(), teamRole],
      'run',
    );
  return result.affectedRows > 0;
}

export async function removeFromTeam(em: EntityManager, jobId: number, userId: number): Promise<void> {
  await em.getConnection().execute('delete from job_team_members where job_id = ? and user_id = ?', [jobId, userId], 'run');
}

/** Puts a recruiter on the team of every job they created (a re-seed of a database from before teams). */
export async function joinOwnJobsTeams(em: EntityManager, userId: number): Promise<void> {
  await em.getConnection().execute(
    `insert into job_team_members (job_id, user_id, added_by, created_at)
      select id, created_by, created_by, created_at from jobs where created_by = ? on conflict do nothing`,
    [userId],
    'run',
  );
}

/** Recruiters change the jobs on whose team they are; admins every job. */
export async function assertOnTeam(em: EntityManager, user: User, job: Job): Promise<void> {
  if (user.role === 'recruiter' && !(await isOnTeam(em, job.id, user.id))) {
    throw new ForbiddenError('Recruiters can change only the jobs on whose hiring team they are.', 'not_job_owner');
  }
}
