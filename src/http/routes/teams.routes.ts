import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ZodError } from 'zod';
import { UserSchema, type User } from '../../db/entities/user.entity';
import type { Job } from '../../db/entities/job.entity';
import { ConflictError, ForbiddenError } from '../../domain/errors';
import type { Services } from '../../services';
import { findVisibleJob } from '../../jobs/job-lookup';
import { addToTeam, isOnTeam, removeFromTeam, teamMembers } from '../../jobs/hiring-team';
import { defineRoute } from '../route';
import { IdParams, toDbId } from '../schemas/id.schemas';
import { UserEnvelope, toUserJson } from '../schemas/user.schemas';
import { AddTeamMemberBody, TeamJson, TeamMemberParams } from '../schemas/team.schemas';

const TAGS = ['Hiring teams'];

/**
 * A member as `caller` may see them: staff know each other by name, but an e-mail address is shown
 * only to admins and to its owner, so a recruiter cannot turn user ids into addresses by adding them.
 */
function memberJson(member: User, caller: User): ReturnType<typeof toUserJson> {
  const json = toUserJson(member);
  return caller.role === 'admin' || caller.id === member.id ? json : { ...json, email: '' };
}
const HIDDEN = { description: 'No such job (or, for candidates, not open)' };

/**
 * A job's hiring team decides which recruiters see and move its applications. Admins and the job's
 * creator manage it; team members may read it. Whoever cannot see the job gets 404, as on the job itself.
 */
export function teamRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/jobs/{id}/team',
    summary: "The job's hiring team (admins, and recruiters on it)",
    tags: TAGS,
    auth: 'any',
    params: IdParams,
    responses: {
      200: { description: 'The members, in the order they joined, the creator first', schema: TeamJson },
      403: { description: "Only admins and the team's own members see the team (`not_on_team`)" },
      404: HIDDEN,
    },
    async handler(ctx, { params, user }) {
      const job = await visibleJob(params.id, user);
      if (user.role !== 'admin' && !(user.role === 'recruiter' && (await isOnTeam(em(), job.id, user.id)))) {
        throw new ForbiddenError("Only admins and the members of this job's hiring team see it.", 'not_on_team');
      }
      ctx.body = { items: (await teamMembers(em(), job.id)).map((member) => memberJson(member, user)) };
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/jobs/{id}/team',
    summary: "Add a recruiter to the job's hiring team (admins and the job's creator)",
    description:
      'Adding a recruiter who is already on the team changes nothing and answers 200. ' +
      "Any id that names no active recruiter answers the same 422. Other people's e-mail addresses are shown to admins only " +
      "(an empty string for everyone else), so adding ids reveals no one's address.",
    tags: TAGS,
    auth: 'any',
    params: IdParams,
    body: AddTeamMemberBody,
    responses: {
      200: { description: 'The recruiter was already on the team', schema: UserEnvelope },
      201: { description: 'The recruiter, now on the team', schema: UserEnvelope },
      403: { description: "Only admins and the job's creator manage its team (`not_job_owner`)" },
      404: HIDDEN,
      422: { description: '`userId` names no active recruiter' },
    },
    async handler(ctx, { params, body, user }) {
      const job = await managedJob(params.id, user);
      const member = await findRecruiter(String(body.userId));
      ctx.status = (await addToTeam(em(), job.id, member.id, user.id)) ? 201 : 200;
      ctx.body = { user: memberJson(member, user) };
    },
  });

  defineRoute(router, registry, services, {
    method: 'delete',
    path: '/api/jobs/{id}/team/{userId}',
    summary: "Remove a recruiter from the job's hiring team (admins and the job's creator)",
    description: 'Removing someone who is not on the team changes nothing and answers 204 too.',
    tags: TAGS,
    auth: 'any',
    params: TeamMemberParams,
    responses: {
      204: { description: 'Not on the team (any more)' },
      403: { description: "Only admins and the job's creator manage its team (`not_job_owner`)" },
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
    if (user.role !== 'admin' && !(user.role === 'recruiter' && job.createdBy === user.id)) {
      throw new ForbiddenError("Only admins and the job's creator manage its hiring team.", 'not_job_owner');
    }
    return job;
  }

  /** The active recruiter `id` names; one answer for everything else, missing ids included. */
  async function findRecruiter(id: string): Promise<User> {
    const dbId = toDbId(id);
    const found = dbId === undefined ? null : await em().findOne(UserSchema, { id: dbId });
    if (found?.role === 'recruiter' && found.active) return found;
    throw new ZodError([
      { code: 'custom', path: ['userId'], message: 'Not an active recruiter: only recruiters join hiring teams.', input: id },
    ]);
  }
}
