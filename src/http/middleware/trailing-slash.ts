import type { Middleware } from 'koa';

/**
 * `/api/jobs/` is `/api/jobs`, as in the original API. Stripping one trailing slash before routing
 * keeps that true whatever the router's own matching options are, and gives metrics and logs one
 * path per route. Only API paths: other mounts (the queue dashboard) own their URLs.
 */
export function trailingSlash(prefix = '/api/'): Middleware {
  return async (ctx, next) => {
    if (ctx.path.length > prefix.length && ctx.path.startsWith(prefix) && ctx.path.endsWith('/') && !ctx.path.endsWith('//')) {
      ctx.path = ctx.path.slice(0, -1);
    }
    await next();
  };
}
