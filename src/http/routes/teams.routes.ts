import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ZodError } from 'zod';
import { UserSchema, type User } from '../../db/entities/user.entity';
import type { Job } from '../../db/entities/job.entity';
import { ConflictError, ForbiddenError, NotFoundError } from '../../domain/errors';
import type { Services } from '../../services';
import { findVisibleJob } from '../../jobs/job-lookup';
import {
  addToTeam,
  assertRecruiterOnTeam,
  defaultTeamRole,
  assertOnTeam,
  mayHoldTeamRole,
  removeFromTeam,
  setTeamRole,
  teamMember,
  teamMembers,
  type TeamMember,
  type TeamRole,
} from '../../jobs/hiring-team';
import { defineRoute } from '../route';
import { IdParams, toDbId } from '../schemas/id.schemas';
import { toUserJson } from '../schemas/user.schemas';
import {
  AddTeamMemberBody,
  TeamJson,
  TeamMemberEnvelope,
  TeamMemberJson,
  TeamMemberParams,
  UpdateTeamMemberBody,
} from '../schemas/team.schemas';

const TAGS = ['Hiring teams'];

/**
 * A member as `caller` may see them: staff know each other by name, but an e-mail address is shown
 * only to admins and to its owner, so a recruiter cannot turn user ids into addresses by adding them.
 */
function memberJson({ user, teamRole, addedAt }: TeamMember, caller: User) {
  const json = toUserJson(user);
  return { ...json, email: caller.role === 'admin' || caller.id === user.id ? json.email : '', teamRole, addedAt };
}
const HIDDEN = { description: 'No such job (or, for candidates, not open)' };
const NOT_MANAGER = { description: "Only admins and the job's `recruiter` team members manage its team (`not_job_owner`)" };

/**
 * A job's hiring team decides who sees its applications and what they may do with them: each
 * member's team role. Admins and the team's `recruiter` members manage it; every member may read it.
 * Whoever cannot see the job gets 404, as on the job itself.
 */
export function teamRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/jobs/{id}/team',
    summary: "The job's hiring team (admins, and its members)",
    tags: TAGS,
    auth: 'any',
    params: IdParams,
    responses: {
      200: { description: 'The members with their team roles, in the order they joined, the creator first', schema: TeamJson },
      403: { description: "Only admins and the team's own members see the team (`not_on_team`)" },
      404: HIDDEN,
    },
    async handler(ctx, { params, user }) {
      const job = await visibleJob(params.id, user);
      await assertOnTeam(em(), user, job.id, "Only admins and the members of this job's hiring team see it.");
      ctx.body = { items: (await teamMembers(em(), job.id)).map((member) => memberJson(member, user)) };
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/jobs/{id}/team',
    summary: "Add someone to the job's hiring team (admins and its `recruiter` members)",
    description:
      'Recruiters, hiring managers and admins join a team; `teamRole` defaults to `recruiter` for recruiters and `hiring_manager` ' +
      'for everyone else, and only recruiters and admins may be `recruiter`. Adding someone already on the team changes nothing ' +
      '(their team role included) and answers 200. Any id that names no active staff member answers the same 422. ' +
      "Other people's e-mail addresses are shown to admins only (an empty string for everyone else), so adding ids reveals no one's address.",
    tags: TAGS,
    auth: 'any',
    params: IdParams,
    body: AddTeamMemberBody,
    // Before the body is read, as on PATCH: whoever may not manage the team learns nothing from a 422.
    guard: async (ctx) => {
      await managedJob(String(ctx.params.id), ctx.state.user as User);
    },
    responses: {
      200: { description: 'They were already on the team, with the team role shown', schema: TeamMemberEnvelope },
      201: { description: 'The new member', schema: TeamMemberEnvelope },
      403: NOT_MANAGER,
      404: HIDDEN,
      422: { description: '`userId` names no active staff member, or `teamRole` is `recruiter` for a hiring manager' },
    },
    async handler(ctx, { params, body, user }) {
      const job = await managedJob(params.id, user);
      const member = await findStaff(String(body.userId));
      const teamRole = holdable(member, body.teamRole ?? defaultTeamRole(member.role));
      const added = await addToTeam(em(), job.id, member.id, user.id, teamRole);
      ctx.status = added ? 201 : 200;
      ctx.body = { user: memberJson((await teamMember(em(), job.id, member.id))!, user) };
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/jobs/{id}/team/{userId}',
    summary: "Change a member's team role (admins and the team's `recruiter` members)",
    description: "The job's creator stays a `recruiter` (409 `team_creator`); only recruiters and admins may be `recruiter` (422).",
    tags: TAGS,
    auth: 'any',
    params: TeamMemberParams,
    body: UpdateTeamMemberBody,
    // Before the body is read: whoever may not manage the team learns nothing from a 422.
    guard: async (ctx) => {
      await managedJob(String(ctx.params.id), ctx.state.user as User);
    },
    responses: {
      200: { description: 'The member, with their new team role', schema: TeamMemberJson },
      403: NOT_MANAGER,
      404: { description: 'No such job (or, for candidates, not open), or the user is not on its team' },
      409: { description: "`team_creator`: the job's creator stays a `recruiter`" },
      422: { description: '`teamRole` is `recruiter` for someone who is not a recruiter or an admin' },
    },
    async handler(ctx, { params, body, user }) {
      const job = await managedJob(params.id, user);
      const memberId = toDbId(params.userId);
      const member = memberId === undefined ? null : await teamMember(em(), job.id, memberId);
      if (!member) throw new NotFoundError('Not on this hiring team.');
      const teamRole = holdable(member.user, body.teamRole);
      if (member.user.id === job.createdBy && teamRole !== 'recruiter') {
        throw new ConflictError('team_creator', "The job's creator stays a `recruiter` on its hiring team.");
      }
      await setTeamRole(em(), job.id, member.user.id, teamRole);
      ctx.body = memberJson({ ...member, teamRole }, user);
    },
  });

  defineRoute(router, registry, services, {
    method: 'delete',
    path: '/api/jobs/{id}/team/{userId}',
    summary: "Remove someone from the job's hiring team (admins and its `recruiter` members)",
    description: 'Removing someone who is not on the team changes nothing and answers 204 too.',
    tags: TAGS,
    auth: 'any',
    params: TeamMemberParams,
    responses: {
      204: { description: 'Not on the team (any more)' },
      403: NOT_MANAGER,
      404: HIDDEN,
      409: { description: "`team_creator`: the job's creator stays on its team" },
    },
    async handler(ctx, { params, user }) {
      const job = await managedJob(params.id, user);
      const memberId = toDbId(params.userId);
      if (memberId === job.createdBy) throw new ConflictError('team_creator', "The job's creator stays on its hiring team.");
      if (memberId !== undefined) await removeFromTeam(em(), job.id, memberId);
      ctx.status = 204;
    },
  });

  const visibleJob = (id: string, user: User): Promise<Job> => findVisibleJob(em(), id, user);

  async function managedJob(id: string, user: User): Promise<Job> {
    const job = await visibleJob(id, user);
    await assertRecruiterOnTeam(em(), user, job.id);
    return job;
  }

  /** The active staff member `id` names; one answer for everything else (candidates, missing ids included). */
  async function findStaff(id: string): Promise<User> {
    const dbId = toDbId(id);
    const found = dbId === undefined ? null : await em().findOne(UserSchema, { id: dbId });
    if (found && found.role !== 'candidate' && found.active) return found;
    throw new ZodError([
      { code: 'custom', path: ['userId'], message: 'Not an active staff member: only staff join hiring teams.', input: id },
    ]);
  }
}

/** The team role when `member`'s global role may hold it; a 422 naming the field otherwise. */
function holdable(member: User, teamRole: TeamRole): TeamRole {
  if (mayHoldTeamRole(member.role, teamRole)) return teamRole;
  throw new ZodError([
    { code: 'custom', path: ['teamRole'], message: 'Only recruiters and admins may be a `recruiter` on a hiring team.', input: teamRole },
  ]);
}
