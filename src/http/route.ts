import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { ZodObject, ZodType, z } from 'zod';
import type { Role, User } from '../db/entities/user.entity';
import { ProblemSchema } from './openapi';
import { authenticate, requireRole } from './middleware/auth';
import type { Services } from '../services';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type Out<T> = T extends ZodType ? z.output<T> : undefined;

export interface RouteSpec<P extends ZodObject | undefined, Q extends ZodObject | undefined, B extends ZodType | undefined> {
  method: Method;
  /** OpenAPI-style path, e.g. `/api/jobs/{id}`. */
  path: string;
  summary: string;
  tags: string[];
  /** Who may call it: `public`, any signed-in user (`any`), or the listed roles. */
  auth: 'public' | 'any' | readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Content types accepted for the body (JSON only unless listed). */
  bodyTypes?: readonly ('json' | 'form')[];
  responses: Record<number, { description: string; schema?: ZodType }>;
  handler: (ctx: Context, input: { params: Out<P>; query: Out<Q>; body: Out<B>; user: User }) => Promise<void> | void;
}

/**
 * Declares one route once: the Koa handler, its role guard, the zod schemas that validate the
 * request, and the OpenAPI operation generated from those same schemas.
 */
export function defineRoute<P extends ZodObject | undefined, Q extends ZodObject | undefined, B extends ZodType | undefined>(
  router: Router,
  registry: OpenAPIRegistry,
  services: Services,
  spec: RouteSpec<P, Q, B>,
): void {
  register(registry, spec);
  const guards = spec.auth === 'public' ? [] : [authenticate(services), ...(spec.auth === 'any' ? [] : [requireRole(spec.auth)])];
  const koaPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  router[spec.method](koaPath, ...guards, async (ctx: Context) => {
    if (spec.body) assertBodyType(ctx, spec.bodyTypes ?? ['json']);
    const params = spec.params ? spec.params.parse(ctx.params) : undefined;
    const query = spec.query ? spec.query.parse(ctx.query) : undefined;
    const body = spec.body ? spec.body.parse(ctx.request.body ?? {}) : undefined;
    await spec.handler(ctx, { params, query, body, user: ctx.state.user } as never);
  });
}

function assertBodyType(ctx: Context, accepted: readonly ('json' | 'form')[]) {
  if (!ctx.request.length && !ctx.get('Transfer-Encoding')) return;
  const types = accepted.map((t) => (t === 'json' ? 'json' : 'urlencoded'));
  if (!ctx.request.is(...types)) {
    ctx.throw(415, `Send the body as ${accepted.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ')}.`);
  }
}

function register(registry: OpenAPIRegistry, spec: RouteSpec<ZodObject | undefined, ZodObject | undefined, ZodType | undefined>) {
  const responses: Record<string, object> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const mediaType = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
    const schema = r.schema ?? (Number(status) >= 400 ? ProblemSchema : undefined);
    responses[status] = schema ? { description: r.description, content: { [mediaType]: { schema } } } : { description: r.description };
  }
  if (spec.auth !== 'public') responses['401'] ??= { description: 'Missing, invalid or expired token', content: { 'application/problem+json': { schema: ProblemSchema } } };
  const content: Record<string, { schema: ZodType }> = {};
  if (spec.body) {
    for (const t of spec.bodyTypes ?? ['json']) content[t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'] = { schema: spec.body };
  }
  registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    tags: spec.tags,
    security: spec.auth === 'public' ? [] : [{ bearerAuth: [] }],
    request: {
      params: spec.params,
      query: spec.query,
      body: spec.body ? { content, required: true } : undefined,
    },
    responses,
  } as never);
}
