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
 * Every request reads its user: one prepared statement by primary key, its columns named as the
 * entity's properties. Handlers only read the user (its id and role, and `toUserJson`), so the row
 * becomes a plain object rather than an entity managed by a fork of its own: hydrating one cost
 * about 5% of the API's CPU on a list request. As on the entity, hidden properties (the password
 * hash, there for the token's `pwv` check) stay out of JSON and spreads.
 */
function userLookup(services: Services): (id: number) => Promise<User | null> {
  let statement: { sql: string; booleans: string[]; hidden: string[] } | undefined;
  // Built at the first request: the app is also built without a database, to write its OpenAPI document.
  const prepare = () => {
    const meta = services.orm.getMetadata(UserSchema);
    const quote = (name: string) => services.orm.em.getPlatform().quoteIdentifier(name);
    const props = meta.props.filter((prop) => prop.fieldNames?.length === 1);
    return {
      sql: `select ${props.map((prop) => `${quote(prop.fieldNames[0])} as ${quote(prop.name)}`).join(', ')} from ${quote(meta.tableName)} where id = ?`,
      booleans: props.filter((prop) => prop.runtimeType === 'boolean').map((prop) => prop.name),
      hidden: props.filter((prop) => prop.hidden).map((prop) => prop.name),
    };
  };
  return async (id) => {
    statement ??= prepare();
    const [row] = await services.orm.em.getConnection().execute<Record<string, unknown>[]>(statement.sql, [id], 'all');
    if (!row) return null;
    // SQLite answers 0 and 1 for a boolean column.
    for (const name of statement.booleans) row[name] = Boolean(row[name]);
    for (const name of statement.hidden) Object.defineProperty(row, name, { enumerable: false });
    return row as unknown as User;
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
