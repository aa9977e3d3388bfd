import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ZodError, type ZodObject, type ZodType, type z } from 'zod';
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
  description?: string;
  tags: string[];
  /** Who may call it: `public`, any signed-in user (`any`), or the listed roles. */
  auth: 'public' | 'any' | readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Content types accepted for the body (JSON only unless listed). */
  bodyTypes?: readonly ('json' | 'form')[];
  /** Schema for a form-encoded body when its fields differ from the JSON one; it must parse to the same shape. */
  formBody?: ZodType<Out<B>>;
  responses: Record<number, { description: string; schema?: ZodType }>;
  handler: (ctx: Context, input: { params: Out<P>; query: Out<Q>; body: Out<B>; user: User }) => Promise<void> | void;
}

type AnySpec = RouteSpec<ZodObject | undefined, ZodObject | undefined, ZodType | undefined>;

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
  register(registry, spec as AnySpec);
  const guards = spec.auth === 'public' ? [] : [authenticate(services), ...(spec.auth === 'any' ? [] : [requireRole(spec.auth)])];
  const koaPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  router[spec.method](koaPath, ...guards, async (ctx: Context) => {
    if (spec.body) assertBodyType(ctx, spec.bodyTypes ?? ['json']);
    const bodySchema = spec.formBody && ctx.request.is('urlencoded') ? spec.formBody : spec.body;
    const input = validate(ctx, spec.params, spec.query, bodySchema);
    await spec.handler(ctx, { ...input, user: ctx.state.user } as never);
  });
}

/** Parses params, query and body together, so a 422 lists every bad field at once. */
function validate(ctx: Context, params?: ZodType, query?: ZodType, body?: ZodType) {
  const parts = [
    [params, ctx.params],
    [query, ctx.query],
    [body, ctx.request.body ?? {}],
  ] as const;
  const results = parts.map(([schema, value]) => (schema ? schema.safeParse(value) : { success: true as const, data: undefined }));
  const issues = results.flatMap((r) => (r.success ? [] : r.error.issues));
  if (issues.length) throw new ZodError(issues);
  const [p, q, b] = results.map((r) => (r.success ? r.data : undefined));
  return { params: p, query: q, body: b };
}

function assertBodyType(ctx: Context, accepted: readonly ('json' | 'form')[]) {
  if (!ctx.request.length && !ctx.get('Transfer-Encoding')) return;
  const types = accepted.map((t) => (t === 'json' ? 'json' : 'urlencoded'));
  if (!ctx.request.is(...types)) {
    ctx.throw(415, `Send the body as ${accepted.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ')}.`);
  }
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

function register(registry: OpenAPIRegistry, spec: AnySpec) {
  const responses: Record<string, object> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const mediaType = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
    const schema = r.schema ?? (Number(status) >= 400 ? ProblemSchema : undefined);
    responses[status] = schema ? { description: r.description, content: { [mediaType]: { schema } } } : { description: r.description };
  }
  // The answers every route of a kind can give, so no operation forgets to document them.
  if (spec.auth !== 'public') responses['401'] ??= problemResponse('Missing, invalid or expired token');
  if (Array.isArray(spec.auth)) responses['403'] ??= problemResponse(`Only for: ${spec.auth.join(', ')}`);
  if (spec.params || spec.query || spec.body) responses['422'] ??= problemResponse('Invalid request: `errors` lists each offending field');
  if (spec.body) responses['415'] ??= problemResponse('The body is not in an accepted content type');
  const content: Record<string, { schema: ZodType }> = {};
  if (spec.body) {
    for (const t of spec.bodyTypes ?? ['json']) {
      if (t === 'json') content['application/json'] = { schema: spec.body };
      else content['application/x-www-form-urlencoded'] = { schema: spec.formBody ?? spec.body };
    }
  }
  registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
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
