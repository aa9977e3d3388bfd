import type { EntityManager } from '@mikro-orm/sql';
import { JobTeamMemberSchema, type TeamRole } from '../db/entities/job-team-member.entity';
import type { Job } from '../db/entities/job.entity';
import { placeholders } from '../db/placeholders';
import { UserSchema, type Role, type User } from '../db/entities/user.entity';
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
  const [row] = await em.execute<{ teamRole: TeamRole }[]>(
    'select team_role as "teamRole" from job_team_members where job_id = ? and user_id = ?',
    [jobId, userId],
    'all',
  );
  return row?.teamRole ?? null;
}

/** Puts a new job's creator on its team; the flush that inserts the job inserts this row too. */
export function addCreatorToTeam(em: EntityManager, job: Job): void {
  em.create(JobTeamMemberSchema, { job, userId: job.createdBy, addedBy: job.createdBy, teamRole: 'recruiter', createdAt: job.createdAt });
}

/** Whether the user is a `recruiter` on the job's team: the team role that runs the job's process. */
export async function isRecruiterOnTeam(em: EntityManager, jobId: number, userId: number): Promise<boolean> {
  return (await teamRoleOf(em, jobId, userId)) === 'recruiter';
}

export async function isOnTeam(em: EntityManager, jobId: number, userId: number): Promise<boolean> {
  return (await teamRoleOf(em, jobId, userId)) !== null;
}

/** The caller's team role on each of these jobs they are on, in one query (a page of "my jobs"). */
export async function teamRolesOn(em: EntityManager, userId: number, jobIds: readonly number[]): Promise<Map<number, TeamRole>> {
  if (!jobIds.length) return new Map();
  const rows = await em.execute<{ jobId: number; teamRole: TeamRole }[]>(
    `select job_id as "jobId", team_role as "teamRole" from job_team_members where user_id = ? and job_id in (${placeholders(jobIds.length)})`,
    [userId, ...jobIds],
    'all',
  );
  return new Map(rows.map((r: { jobId: number; teamRole: TeamRole }) => [r.jobId, r.teamRole]));
}

/**
 * Which team roles a global role may hold: a `recruiter` team member runs the job, which only
 * recruiters (and admins, who may do everything anyway) may; candidates hold none.
 */
export function mayHoldTeamRole(role: Role, teamRole: TeamRole): boolean {
  if (role === 'candidate') return false;
  return teamRole !== 'recruiter' || role === 'recruiter' || role === 'admin';
}

/** The team role someone joins with when none is named: recruiters run the job, everyone else reads and judges it. */
export function defaultTeamRole(role: Role): TeamRole {
  return role === 'recruiter' ? 'recruiter' : 'hiring_manager';
}

/** One member as the team shows them: the user, their team role, and when they joined. */
export interface TeamMember {
  user: User;
  teamRole: TeamRole;
  addedAt: string;
}

/** The team in the order its members joined, the creator first. */
export async function teamMembers(em: EntityManager, jobId: number): Promise<TeamMember[]> {
  const members = await em.find(JobTeamMemberSchema, { job: jobId }, { orderBy: { createdAt: 'asc', userId: 'asc' } });
  const users = await em.find(UserSchema, { id: { $in: members.map((m) => m.userId) } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return members.flatMap((m) => {
    const user = byId.get(m.userId);
    return user ? [{ user, teamRole: m.teamRole, addedAt: m.createdAt }] : [];
  });
}

/** One member of the job's team; null when the user is not on it. */
export async function teamMember(em: EntityManager, jobId: number, userId: number): Promise<TeamMember | null> {
  const member = await em.findOne(JobTeamMemberSchema, { job: jobId, userId }, { refresh: true });
  const user = member && (await em.findOne(UserSchema, { id: userId }));
  return member && user ? { user, teamRole: member.teamRole, addedAt: member.createdAt } : null;
}

/** Changes a member's team role; false when the user is not on the team. */
export async function setTeamRole(em: EntityManager, jobId: number, userId: number, teamRole: TeamRole): Promise<boolean> {
  const result = await em.execute<{ affectedRows: number }>(
    'update job_team_members set team_role = ? where job_id = ? and user_id = ?',
    [teamRole, jobId, userId],
    'run',
  );
  return result.affectedRows > 0;
}

/**
 * Someone whose global role no longer lets them hold `recruiter` (made a hiring manager) keeps their
 * teams as `hiring_manager`, so nobody runs a job their role does not allow; a candidate's rows give no right.
 */
export async function demoteTeamRoles(em: EntityManager, userId: number, role: Role): Promise<void> {
  if (role !== 'hiring_manager') return;
  await em.execute(
    "update job_team_members set team_role = 'hiring_manager' where user_id = ? and team_role = 'recruiter'",
    [userId],
    'run',
  );
}

/** Adds a member; false when they were already on the team (nothing changes then, their role included). */
export async function addToTeam(
  em: EntityManager,
  jobId: number,
  userId: number,
  addedBy: number,
  teamRole: TeamRole = 'recruiter',
): Promise<boolean> {
  const result = await em.execute<{ affectedRows: number }>(
    'insert into job_team_members (job_id, user_id, added_by, created_at, team_role) values (?, ?, ?, ?, ?) on conflict do nothing',
    [jobId, userId, addedBy, new Date().toISOString(), teamRole],
    'run',
  );
  return result.affectedRows > 0;
}

export async function removeFromTeam(em: EntityManager, jobId: number, userId: number): Promise<void> {
  await em.execute('delete from job_team_members where job_id = ? and user_id = ?', [jobId, userId], 'run');
}

/** Puts a recruiter on the team of every job they created (a re-seed of a database from before teams). */
export async function joinOwnJobsTeams(em: EntityManager, userId: number): Promise<void> {
  await em.execute(
    `insert into job_team_members (job_id, user_id, added_by, created_at)
      select id, created_by, created_by, created_at from jobs where created_by = ? on conflict do nothing`,
    [userId],
    'run',
  );
}

/**
 * A job is changed, and its team managed, by admins and its `recruiter` team members; everyone else
 * gets 403. A member an admin made a candidate keeps their rows but no rights from them.
 */
export async function assertRecruiterOnTeam(em: EntityManager, user: User, jobId: number): Promise<void> {
  if (user.role === 'admin') return;
  if (user.role === 'candidate' || !(await isRecruiterOnTeam(em, jobId, user.id))) {
    throw new ForbiddenError("Only admins and the `recruiter` members of this job's hiring team may do this.", 'not_job_owner');
  }
}

/**
 * A job's team and reports are read by admins and its members (any team role); everyone else gets
 * 403. A member an admin made a candidate reads nothing through their old rows.
 */
export async function assertOnTeam(em: EntityManager, user: User, jobId: number, message: string): Promise<void> {
  if (user.role === 'admin') return;
  if (user.role === 'candidate' || !(await isOnTeam(em, jobId, user.id))) throw new ForbiddenError(message, 'not_on_team');
}
