import type Koa from 'koa';
import type Database from 'better-sqlite3';
import type { Config } from '../../src/config';
import { createTokenService } from '../../src/auth/tokens';

export interface BareUser {
  id: number;
  role: string;
  password_hash: string;
  active: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/**
 * The API's authentication (src/http/middleware/auth.ts), as the baselines do it: the bearer token
 * verified (HS256), then the user's row read on every request (still active, the same password,
 * the role allowed).
 */
export function bareAuthentication(config: Config, db: Database.Database): (ctx: Koa.Context, roles: string[]) => BareUser {
  const tokens = createTokenService(config.auth.secretKey, config.auth.accessTokenExpireMinutes);
  const userById = db.prepare<[number], BareUser>('select * from users where id = ?');
  return (ctx, roles) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
    if (!match) throw new HttpError(401, 'unauthorized');
    let claims;
    try {
      claims = tokens.verify(match[1]);
    } catch {
      throw new HttpError(401, 'unauthorized');
    }
    const id = Number(claims.sub);
    const user = Number.isSafeInteger(id) ? userById.get(id) : undefined;
    if (!user || !user.active || !tokens.matchesPassword(claims, user.password_hash)) throw new HttpError(401, 'unauthorized');
    if (!roles.includes(user.role)) throw new HttpError(403, 'forbidden');
    return user;
  };
}

/** Answers an HttpError thrown below it with its status and `{ error: { code } }`. */
export async function bareErrors(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  try {
    await next();
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    ctx.status = err.status;
    ctx.body = { error: { code: err.code } };
  }
}
