import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { UserSchema } from '../../db/entities/user.entity';
import { NotFoundError } from '../../domain/errors';
import { createAccount } from '../../accounts/user-accounts';
import { assertKeepsAnAdmin } from '../../accounts/last-admin';
import { demoteTeamRoles } from '../../jobs/hiring-team';
import type { Services } from '../../services';
import { defineRoute } from '../route';
import { IdParams, toDbId } from '../schemas/id.schemas';
import { PageQuery, decodeCursor, toPage } from '../schemas/pagination.schemas';
import { AdminUserEnvelope, AdminUserPage, CreateUserBody, UpdateUserBody, toAdminUserJson } from '../schemas/user.schemas';

/** User management: admins only, declared once per route. */
export function userRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const admin = ['admin'] as const;

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/users',
    summary: 'Create a user with any role',
    tags: ['Users'],
    auth: admin,
    body: CreateUserBody,
    responses: {
      201: { description: 'The new user', schema: AdminUserEnvelope },
      409: { description: 'The e-mail is taken (case-insensitive)' },
    },
    async handler(ctx, { body, user: actor }) {
      const user = await createAccount(services.orm.em, services.passwords, body);
      services.logger.info({ userId: user.id, role: user.role, by: actor.id }, 'user created');
      ctx.status = 201;
      ctx.body = { user: toAdminUserJson(user) };
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/users',
    summary: 'List users, newest first',
    tags: ['Users'],
    auth: admin,
    query: PageQuery,
    responses: { 200: { description: 'A page of users', schema: AdminUserPage } },
    async handler(ctx, { query }) {
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await services.orm.em.find(UserSchema, before ? { id: { $lt: before } } : {}, {
        orderBy: { id: 'desc' },
        limit: query.limit + 1,
      });
      ctx.body = toPage(rows, query.limit, toAdminUserJson);
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/users/{id}',
    summary: "Change a user's role or deactivate them; refuses (409 last_admin) a change that would leave no active admin",
    description:
      "A deactivated user's tokens stop working at once, and a role change applies to their next request. " +
      'Someone made a hiring manager stays on their hiring teams, as `hiring_manager` where they were `recruiter`. ' +
      'Demoting or deactivating the last active admin (including yourself) answers 409 `last_admin`.',
    tags: ['Users'],
    auth: admin,
    params: IdParams,
    body: UpdateUserBody,
    responses: {
      200: { description: 'The updated user', schema: AdminUserEnvelope },
      404: { description: 'No such user' },
      409: { description: 'The change would leave no active admin (`last_admin`)' },
    },
    async handler(ctx, { params, body, user: actor }) {
      const id = toDbId(params.id);
      // One transaction, so two admins demoting each other cannot both pass the last-admin check.
      const user = await services.orm.em.transactional(async (em) => {
        const target = id ? await em.findOne(UserSchema, { id }) : null;
        if (!target) throw new NotFoundError('No such user.');
        await assertKeepsAnAdmin(em, target, body);
        if (body.role !== undefined) {
          target.role = body.role;
          await demoteTeamRoles(em, target.id, body.role);
        }
        if (body.active !== undefined) target.active = body.active;
        target.updatedAt = new Date().toISOString();
        return target;
      });
      services.logger.info({ userId: user.id, role: user.role, active: user.active, by: actor.id }, 'user updated');
      ctx.body = { user: toAdminUserJson(user) };
    },
  });
}
