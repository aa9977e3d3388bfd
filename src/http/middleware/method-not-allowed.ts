import type { Middleware } from 'koa';
import { MethodNotAllowedError, NotFoundError } from '../../domain/errors';

/**
 * The router's allowedMethods answers 405 (or 501 for a method no route serves, such as TRACE)
 * with an `Allow` header and no body. Every such answer becomes a 405 problem with `Allow`; a method
 * on a path no route matches at all stays a 404.
 */
export function methodNotAllowed(): Middleware {
  return async (ctx, next) => {
    await next();
    if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
      const allow = ctx.response.get('Allow');
      if (!allow) throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}.`);
      throw new MethodNotAllowedError(allow);
    }
  };
}
