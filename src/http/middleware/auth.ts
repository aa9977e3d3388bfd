import type { Middleware } from 'koa';
import { UserSchema, type Role } from '../../db/entities/user.entity';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors';
import type { Services } from '../../services';

/**
 * Verifies the bearer token and loads its user on every request, so a deactivated account or a
 * changed role takes effect at once rather than when the token expires.
 */
export function authenticate(services: Services): Middleware {
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
    if (!match) throw new UnauthorizedError('Send an access token: Authorization: Bearer <token>.');
    const claims = services.tokens.verify(match[1]);
    const id = Number(claims.sub);
    const user = Number.isSafeInteger(id) ? await services.orm.em.fork().findOne(UserSchema, { id }) : null;
    if (!user || !user.active) throw new UnauthorizedError('The access token is missing, invalid or expired.');
    ctx.state.user = user;
    await next();
  };
}

/** Public routes that show more to signed-in users: no token is fine, a bad one is still a 401. */
export function authenticateIfSent(services: Services): Middleware {
  const check = authenticate(services);
  return (ctx, next) => (ctx.get('Authorization') ? check(ctx, next) : next());
}

/** The one role check: declared on each route, never repeated inside handlers. */
export function requireRole(roles: readonly Role[]): Middleware {
  return async (ctx, next) => {
    if (!roles.includes(ctx.state.user.role)) throw new ForbiddenError(`This needs one of the roles: ${roles.join(', ')}.`);
    await next();
  };
}
