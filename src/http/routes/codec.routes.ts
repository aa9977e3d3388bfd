import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import jwt from 'jsonwebtoken';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { STAFF_ROLES, UserSchema, type Role } from '../../db/entities/user.entity';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors';
import type { Services } from '../../services';
import { authenticate } from '../middleware/auth';
import { defineRoute } from '../route';
import { NoFields } from '../schemas/request-body.schemas';
import { createCodecService } from '../../privacy/codec-service';

export const CODEC_COOKIE = 'ats_codec_session';
const SESSION_SECONDS = 8 * 3600;
const AUDIENCE = 'codec';

const WirePayload = z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() });
const Payloads = z.strictObject({ payloads: z.array(WirePayload).max(1000) }).openapi('CodecPayloads');
const NamespaceParams = z.object({ namespace: z.string().min(1).max(255) });

const DESCRIPTIONS = {
  decode:
    'Opens a payload only when the caller may read every application it names (its `applicationId` fields): admins all, other staff ' +
    'those their team role on its job lets them read (an `interviewer` only the ones they interview), checked on every request. Personal fields open only for the candidates of those ' +
    'applications. Any other payload, one naming no application (except for admins), and one not signed by the API or its workers, comes back ' +
    'exactly as it was sent, still encrypted.',
  encode:
    'Encrypts, never signs: a signal, update or start sent with what this answers reaches the workflow as `null` and is refused as ' +
    "`untrusted` (listed in the application's refused signals). Stage changes go through `PATCH /api/applications/{id}/stage`.",
};
const AUTH_DESCRIPTION =
  ' For staff (recruiters, hiring managers, admins): a bearer token, or the session cookie of `POST /codec/session`. 401 without either, 403 for candidates.';

/**
 * Temporal's codec server protocol, for the Web UI and the CLI: staff read the
 * payloads of the applications they may read; candidates and anonymous callers get nothing. The Web
 * UI sends cookies when "Include cross-origin credentials" is on; a session cookie from
 * `POST /codec/session` (with a bearer token) serves it, CORS admitting TEMPORAL_UI_URL's origin with
 * credentials.
 */
export function codecRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const codec = createCodecService(services);
  const key = createHmac('sha256', services.config.auth.secretKey).update('ats codec session').digest();
  const staff = staffOnly(services, key);

  for (const prefix of ['/codec', '/codec/{namespace}']) {
    for (const op of ['decode', 'encode'] as const) {
      defineRoute(router, registry, services, {
        method: 'post',
        path: `${prefix}/${op}`,
        summary:
          op === 'decode'
            ? 'Decode Temporal payloads (Temporal codec server protocol): those of applications the caller may read, personal fields opened'
            : 'Encrypt Temporal payloads (Temporal codec server protocol), unsigned: never trusted by a workflow',
        description: DESCRIPTIONS[op] + AUTH_DESCRIPTION,
        tags: ['Codec'],
        auth: 'public',
        params: prefix === '/codec' ? undefined : NamespaceParams,
        body: Payloads,
        guard: staff,
        responses: {
          200: {
            description:
              op === 'decode' ? 'The payloads, in order: each opened, or as it was sent' : 'The payloads, in order, encrypted and unsigned',
            schema: Payloads,
          },
          401: { description: 'No valid token or session' },
          403: { description: 'A candidate: only staff use the codec server' },
        },
        async handler(ctx, { body }) {
          ctx.set('Cache-Control', 'no-store');
          ctx.body = { payloads: op === 'decode' ? await codec.decode(body.payloads, ctx.state.user) : await codec.encode(body.payloads) };
        },
      });
    }
  }

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/codec/session',
    summary: "Trade a staff member's token for the codec session cookie the Temporal Web UI sends",
    tags: ['Codec'],
    auth: STAFF_ROLES,
    body: NoFields,
    bodyRequired: false,
    responses: { 204: { description: 'The cookie is set' } },
    handler(ctx) {
      const token = jwt.sign({ pwv: passwordVersion(key, ctx.state.user.passwordHash) }, key, {
        algorithm: 'HS256',
        subject: String(ctx.state.user.id),
        audience: AUDIENCE,
        expiresIn: SESSION_SECONDS,
      });
      // Cross-site (a UI on another domain) needs SameSite=None, which browsers take over HTTPS only.
      ctx.cookies.set(CODEC_COOKIE, token, {
        httpOnly: true,
        sameSite: ctx.secure ? 'none' : 'lax',
        secure: ctx.secure,
        path: '/codec',
        maxAge: SESSION_SECONDS * 1000,
        overwrite: true,
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 204;
    },
  });
}

function staffOnly(services: Services, key: Buffer): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    if (ctx.get('Authorization')) {
      await authenticate(services)(ctx, async () => undefined);
    } else {
      const cookie = ctx.cookies.get(CODEC_COOKIE);
      if (!cookie) throw new UnauthorizedError('Send Authorization: Bearer <token>, or get a session cookie from POST /codec/session.');
      let claims: jwt.JwtPayload;
      try {
        claims = jwt.verify(cookie, key, { algorithms: ['HS256'], audience: AUDIENCE }) as jwt.JwtPayload;
      } catch {
        throw new UnauthorizedError('The codec session is invalid or expired.');
      }
      const id = Number(claims.sub);
      const user = Number.isSafeInteger(id)
        ? await services.orm.em.fork().findOne(UserSchema, { id }, { populate: ['passwordHash'] })
        : null;
      // As with bearer tokens, a new password ends every session issued before it.
      if (!user || !user.active || !samePasswordVersion(claims.pwv, passwordVersion(key, user.passwordHash))) {
        throw new UnauthorizedError('The codec session is no longer valid.');
      }
      ctx.state.user = user;
    }
    if (!(STAFF_ROLES as readonly Role[]).includes(ctx.state.user.role)) throw new ForbiddenError('Only staff may use the codec server.');
  };
}

/** A keyed digest of the password hash: the session says which password it was issued under, and nothing about it. */
function passwordVersion(key: Buffer, passwordHash: string): string {
  return createHmac('sha256', key).update(`password-version:${passwordHash}`).digest('base64url');
}

function samePasswordVersion(claimed: unknown, current: string): boolean {
  if (typeof claimed !== 'string') return false;
  const got = Buffer.from(claimed);
  const want = Buffer.from(current);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** CORS for the Web UI's origin only, with credentials, on the codec paths. */
export function codecCors(services: Services): Middleware {
  const allowed = uiOrigins(services.config.temporal.uiUrl);
  return async (ctx, next) => {
    const origin = ctx.get('Origin');
    if (!ctx.path.startsWith('/codec/') || !allowed.has(origin)) return next();
    ctx.vary('Origin');
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers') || 'Content-Type, Authorization, X-Namespace');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}

/** The UI's origin; on the loopback, both spellings of it, since the browser uses whichever was typed. */
function uiOrigins(uiUrl: string): Set<string> {
  const url = new URL(uiUrl);
  const origins = new Set([url.origin]);
  const twin = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname === '127.0.0.1' ? 'localhost' : null;
  if (twin) origins.add(`${url.protocol}//${twin}${url.port ? `:${url.port}` : ''}`);
  return origins;
}
