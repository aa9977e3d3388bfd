import { createHmac } from 'node:crypto';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import jwt from 'jsonwebtoken';
import type { Services } from '../../services';
import { UserSchema } from '../../db/entities/user.entity';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors';
import { authenticate, requireRole } from '../middleware/auth';
import { observeQueue } from '../../notifications/queue-observer';
import { dashboardLoginPage } from '../dashboard/dashboard-login-page';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'ats_queue_dashboard';
const SESSION_SECONDS = 15 * 60;
const AUDIENCE = 'queue-dashboard';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The notification queue's dashboard (bull-board), admins only. API clients send their bearer token;
 * browsers get a 15-minute HttpOnly, SameSite=Strict cookie scoped to the dashboard path from an
 * authenticated POST. The cookie is signed with a key derived for this purpose alone, so it is no
 * API token, and every request re-checks that the account is still an active admin whose password
 * has not changed since.
 */
export function adminRoutes(router: Router, services: Services): void {
  const queue = services.notifications;
  observeQueue(services.metrics, queue, services.redis);
  // bull-board (its UI server, templates and adapters) is loaded by the first dashboard request:
  // an API process that never serves it does not carry it.
  let board: Middleware | undefined;
  const dashboard: Middleware = (ctx, next) => {
    if (!board) {
      const { createQueueDashboard } = require('../dashboard/queue-dashboard') as typeof import('../dashboard/queue-dashboard');
      board = createQueueDashboard([queue], DASHBOARD_PATH);
    }
    return board(ctx, next);
  };
  const key = createHmac('sha256', services.config.auth.secretKey).update('ats queue dashboard session').digest();
  const signedIn = authenticate(services);
  const adminOnly = requireRole(['admin']);
  const asAdmin: Middleware = (ctx, next) => signedIn(ctx, () => adminOnly(ctx, next));

  router.get(`${DASHBOARD_PATH}/login`, (ctx) => {
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = dashboardLoginPage(DASHBOARD_PATH);
  });

  router.post(`${DASHBOARD_PATH}/session`, asAdmin, (ctx) => {
    // Bound to the password, as API tokens are: a reset password ends the session.
    const pwv = services.tokens.passwordVersion(ctx.state.user.passwordHash);
    const token = jwt.sign({ pwv }, key, {
      algorithm: 'HS256',
      subject: String(ctx.state.user.id),
      audience: AUDIENCE,
      expiresIn: SESSION_SECONDS,
    });
    ctx.cookies.set(DASHBOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: ctx.secure,
      path: DASHBOARD_PATH,
      maxAge: SESSION_SECONDS * 1000,
      overwrite: true,
    });
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 204;
  });

  router.delete(`${DASHBOARD_PATH}/session`, (ctx) => {
    ctx.cookies.set(DASHBOARD_COOKIE, null, { path: DASHBOARD_PATH, httpOnly: true, sameSite: 'strict' });
    ctx.status = 204;
  });

  router.all(/^\/admin\/queues(?:\/.*)?$/, async (ctx, next) => {
    if (ctx.get('Authorization')) return asAdmin(ctx, () => dashboard(ctx, next));
    await viaCookie(ctx, services, key);
    return dashboard(ctx, next);
  });
}

async function viaCookie(ctx: Context, services: Services, key: Buffer): Promise<void> {
  const cookie = ctx.cookies.get(DASHBOARD_COOKIE);
  if (!cookie) throw new UnauthorizedError(`Send Authorization: Bearer <admin token>, or sign in at ${DASHBOARD_PATH}/login.`);
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(cookie, key, { algorithms: ['HS256'], audience: AUDIENCE }) as jwt.JwtPayload;
  } catch {
    throw new UnauthorizedError(`The dashboard session is invalid or expired; sign in again at ${DASHBOARD_PATH}/login.`);
  }
  const user = await services.orm.em.fork().findOne(UserSchema, { id: Number(claims.sub) }, { populate: ['passwordHash'] });
  const samePassword = user && typeof claims.pwv === 'string' && services.tokens.matchesPassword({ pwv: claims.pwv }, user.passwordHash);
  if (!user || !user.active || !samePassword) throw new UnauthorizedError('The dashboard session is no longer valid.');
  if (user.role !== 'admin') throw new ForbiddenError('The queue dashboard is for admins only.');
  if (!SAFE_METHODS.has(ctx.method) && !sameOrigin(ctx)) throw new ForbiddenError('Cross-site requests to the dashboard are refused.');
  ctx.state.user = user;
}

/** SameSite=Strict already keeps the cookie off cross-site requests; this refuses them outright. */
function sameOrigin(ctx: Context): boolean {
  if (ctx.get('Sec-Fetch-Site') && !['same-origin', 'none'].includes(ctx.get('Sec-Fetch-Site'))) return false;
  const origin = ctx.get('Origin');
  if (!origin) return true;
  try {
    return new URL(origin).host === ctx.host;
  } catch {
    return false;
  }
}
