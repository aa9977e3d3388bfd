import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ZodError, type ZodObject, type ZodType } from 'zod';
import { z } from './openapi';
import type { Role, User } from '../db/entities/user.entity';
import { ProblemSchema } from './openapi';
import { authenticate, authenticateIfSent, requireRole } from './middleware/auth';
import type { Services } from '../services';
import { InvalidInputError } from '../domain/errors';
import { withIdempotency } from './idempotency';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type Out<T> = T extends ZodType ? z.output<T> : undefined;
/** `public`: no token read; `optional`: a token, when sent, must be valid; `any`: any signed-in user; or the listed roles. */
export type RouteAuth = 'public' | 'optional' | 'any' | readonly Role[];

export interface RouteSpec<
  P extends ZodObject | undefined,
  Q extends ZodObject | undefined,
  B extends ZodType | undefined,
  A extends RouteAuth = RouteAuth,
> {
  method: Method;
  /** OpenAPI-style path, e.g. `/api/jobs/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Who may call it. */
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Runs after the role guard and before the request is validated, so a caller it refuses learns nothing about the body. */
  guard?: (ctx: Context) => Promise<void>;
  /** `false` when the request may come without a body. */
  bodyRequired?: boolean;
  /**
   * Content types accepted for the body (JSON only unless listed). Only `application/json` is
   * documented: openapi-python-client generates a module that does not import for a body with two
   * content types, so a form the route also takes is for the operation's description to mention.
   */
  bodyTypes?: readonly ('json' | 'form')[];
  /** Schema for a form-encoded body when its fields differ from the JSON one; it must parse to the same shape. */
  formBody?: ZodType<Out<B>>;
  responses: Record<number, { description: string; schema?: ZodType }>;
  /** Takes an `Idempotency-Key` header (see ./idempotency.ts). */
  idempotent?: boolean;
  handler: (
    ctx: Context,
    input: { params: Out<P>; query: Out<Q>; body: Out<B>; user: A extends 'optional' ? User | undefined : User },
  ) => Promise<void> | void;
}

type AnySpec = RouteSpec<ZodObject | undefined, ZodObject | undefined, ZodType | undefined>;

/**
 * Declares one route once: the Koa handler, its role guard, the zod schemas that validate the
 * request, and the OpenAPI operation generated from those same schemas.
 */
export function defineRoute<
  P extends ZodObject | undefined,
  Q extends ZodObject | undefined,
  B extends ZodType | undefined,
  const A extends RouteAuth,
>(router: Router, registry: OpenAPIRegistry, services: Services, spec: RouteSpec<P, Q, B, A>): void {
  register(registry, spec as unknown as AnySpec);
  const auth: RouteAuth = spec.auth;
  const guards =
    auth === 'public'
      ? []
      : auth === 'optional'
        ? [authenticateIfSent(services)]
        : [authenticate(services), ...(auth === 'any' ? [] : [requireRole(auth)])];
  const koaPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  router[spec.method](koaPath, ...guards, async (ctx: Context) => {
    if (spec.guard) await spec.guard(ctx);
    if (spec.body) assertBodyType(ctx, spec.bodyTypes ?? ['json']);
    // A body the document requires is required: an empty PATCH is a client's mistake, not a no-op.
    if (spec.body && (spec.bodyRequired ?? true) && !hasBody(ctx)) throw new InvalidInputError('body', 'Send the request body as JSON.');
    const bodySchema = spec.formBody && ctx.request.is('urlencoded') ? spec.formBody : spec.body;
    const handle = async () => {
      const input = validate(ctx, spec.params, spec.query, bodySchema);
      await spec.handler(ctx, { ...input, user: ctx.state.user } as never);
    };
    await (spec.idempotent ? withIdempotency(ctx, services, handle) : handle());
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

const hasBody = (ctx: Context) => Boolean(ctx.request.length || ctx.get('Transfer-Encoding'));

function assertBodyType(ctx: Context, accepted: readonly ('json' | 'form')[]) {
  if (!hasBody(ctx)) return;
  const types = accepted.map((t) => (t === 'json' ? 'json' : 'urlencoded'));
  if (!ctx.request.is(...types)) {
    ctx.throw(
      415,
      `Send the body as ${accepted.map((t) => (t === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ')}.`,
    );
  }
}

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

const WRITE_METHODS = new Set<Method>(['post', 'patch', 'put']);

const header = (description: string) => ({ description, required: true, schema: { type: 'string' } });
/** Headers the error handler always sets on these answers. */
const PROBLEM_HEADERS: Record<string, Record<string, object>> = {
  401: { 'WWW-Authenticate': header('`Bearer`') },
  405: { Allow: header('The methods this path serves') },
  429: { 'Retry-After': header('Seconds to wait before trying again') },
  503: { 'Retry-After': header('Seconds to wait before trying again') },
};

/** Every status the server can answer for this operation, so the document never misses one. */
function commonResponses(spec: AnySpec): Record<string, object> {
  const responses: Record<string, object> = {};
  const add = (status: number, description: string) => {
    responses[status] = problemResponse(description);
  };
  // koa-body parses a JSON body on every write method, before the route runs.
  if (WRITE_METHODS.has(spec.method)) add(400, 'The body is not valid JSON (`malformed_json`)');
  if (spec.auth !== 'public')
    add(
      401,
      spec.auth === 'optional'
        ? 'The token sent is invalid or expired (send none to browse anonymously)'
        : 'Missing, invalid or expired token',
    );
  if (Array.isArray(spec.auth)) add(403, `Only for: ${spec.auth.join(', ')}`);
  if (/\{\w+\}/.test(spec.path)) add(404, 'Not found');
  add(405, 'This method is not served on this path; `Allow` lists the methods that are');
  if (WRITE_METHODS.has(spec.method)) add(413, 'The body is over 1 MiB');
  if (spec.body) add(415, 'The body is not in an accepted content type');
  if (spec.params || spec.query || spec.body) add(422, 'Invalid request: `errors` lists each offending field');
  add(500, 'The server failed; the body says only that, with a request id');
  return responses;
}

function register(registry: OpenAPIRegistry, spec: AnySpec) {
  const responses = commonResponses(spec);
  for (const [status, r] of Object.entries(spec.responses)) {
    const mediaType = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
    const schema = r.schema ?? (Number(status) >= 400 ? ProblemSchema : undefined);
    responses[status] = schema ? { description: r.description, content: { [mediaType]: { schema } } } : { description: r.description };
  }
  if (spec.idempotent) documentIdempotency(responses);
  for (const [status, headers] of Object.entries(PROBLEM_HEADERS)) {
    if (responses[status]) responses[status] = { ...responses[status], headers };
  }
  const security = spec.auth === 'public' ? [] : spec.auth === 'optional' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }];
  registry.registerPath({
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    security,
    request: {
      ...(spec.idempotent && { headers: IdempotencyHeaders }),
      params: spec.params,
      query: spec.query,
      body: spec.body ? { content: { 'application/json': { schema: spec.body } }, required: spec.bodyRequired ?? true } : undefined,
    },
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  } as never);
}

const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .optional()
    .openapi({
      param: { name: 'Idempotency-Key', in: 'header' },
      // As Stripe and the IETF Idempotency-Key draft do, a replay is the stored answer as it was, whatever
      // happened since: a retried creation must never make a second job, even after the first was deleted.
      description:
        'Any unique string (a UUID, say), a new one for each new operation: the same key with the same request answers the first answer again, for 24 hours, per user, even if what that request created has been changed or deleted since.',
    }),
});

const IDEMPOTENCY_ANSWERS: Record<number, string> = {
  409: 'A request with this `Idempotency-Key` is still running (`idempotency_key_in_use`)',
  422: 'This `Idempotency-Key` was used with another request (`idempotency_key_reused`), or the key is malformed',
  503: 'Idempotency keys cannot be checked now (`try_again`, with `Retry-After`): send again, or without the key',
};

/** The answers a key can bring, and `Idempotent-Replayed` on the success an answer replays. */
function documentIdempotency(responses: Record<string, object>) {
  for (const [status, text] of Object.entries(IDEMPOTENCY_ANSWERS)) {
    const existing = responses[status] as { description: string } | undefined;
    responses[status] = existing ? { ...existing, description: `${existing.description}; or: ${text}` } : problemResponse(text);
  }
  for (const [status, r] of Object.entries(responses)) {
    if (Number(status) >= 200 && Number(status) < 300) {
      const headers = (r as { headers?: object }).headers;
      responses[status] = {
        ...r,
        headers: {
          ...headers,
          'Idempotent-Replayed': {
            description: '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`, as it was then',
            schema: { type: 'string', enum: ['true'] },
          },
        },
      };
    }
  }
}
