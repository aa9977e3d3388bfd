import type { Middleware } from 'koa';
import { UserSchema, type Role, type User } from '../../db/entities/user.entity';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors';
import type { Services } from '../../services';

/**
 * Verifies the bearer token and loads its user on every request, so a deactivated account or a
 * changed role takes effect at once rather than when the token expires; so does a changed password.
 */
export function authenticate(services: Services): Middleware {
  const findUser = userLookup(services);
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
    if (!match) throw new UnauthorizedError('Send an access token: Authorization: Bearer <token>.');
    const claims = services.tokens.verify(match[1]);
    const id = Number(claims.sub);
    const user = Number.isSafeInteger(id) ? await findUser(id) : null;
    // A new password (an operator's `create-admin --reset-password` taking an account over) ends every
    // token issued before it; a role an admin changes applies to the same token's next request.
    if (!user || !user.active || !services.tokens.matchesPassword(claims, user.passwordHash)) {
      throw new UnauthorizedError('The access token is missing, invalid or expired.');
    }
    ctx.state.user = user;
    await next();
  };
}

/**
 * Every request reads its user: one prepared statement by primary key, mapped to the entity in a
 * fork of its own (as `findOne` would, without building the query anew each time), the password
 * hash included for the token's `pwv` check.
 */
function userLookup(services: Services): (id: number) => Promise<User | null> {
  let sql: string | undefined;
  return async (id) => {
    const em = services.orm.em.fork();
    if (!sql) {
      const meta = services.orm.getMetadata(UserSchema);
      const columns = meta.props.flatMap((prop) => prop.fieldNames ?? []).map((name) => em.getPlatform().quoteIdentifier(name));
      sql = `select ${columns.join(', ')} from ${em.getPlatform().quoteIdentifier(meta.tableName)} where id = ?`;
    }
    const [row] = await em.execute<Record<string, unknown>[]>(sql, [id], 'all');
    return row ? em.map(UserSchema, row) : null;
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
