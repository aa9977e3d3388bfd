import { trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';

/**
 * Names the request's span (opened by the HTTP instrumentation when tracing is on) after its route,
 * `PATCH /api/applications/:id/stage`, and adds the request id, so a trace and the request's log
 * lines find each other. Ids and the route's pattern only: no path values, bodies or tokens.
 */
export function requestSpan(): Middleware {
  return async (ctx, next) => {
    const span = trace.getActiveSpan();
    if (!span) return next();
    span.setAttribute('ats.request_id', String(ctx.state.requestId));
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute;
      if (typeof route === 'string') {
        span.setAttribute('http.route', route);
        span.updateName(`${ctx.method} ${route}`);
      }
    }
  };
}
