import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { UserSchema } from '../../db/entities/user.entity';
import type { Services } from '../../services';
import { authenticate, requireRole } from '../middleware/auth';
import { ProblemSchema } from '../openapi';

const CHECK_TIMEOUT_MS = 2000;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Liveness, readiness of the three engines the API depends on, and metrics for admins. */
export function healthRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const checks: Record<string, () => Promise<unknown>> = {
      sqlite: () => services.orm.em.getConnection().execute('select 1'),
      redis: () => services.redis.ping(),
      temporal: () => services.temporal.workflowService.getSystemInfo({}),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, 'ok'] as const;
        } catch (err) {
          return [name, `failed: ${(err as Error).message}`] as const;
        }
      }),
    );
    const failing = results.filter(([, status]) => status !== 'ok').map(([name]) => name);
    const status = failing.length ? 'unavailable' : 'ok';
    ctx.status = failing.length ? 503 : 200;
    // Which engine failed and why tells an attacker about the back end: only operators see it.
    ctx.body = (await mayReadDetails(ctx, services))
      ? { status, checks: Object.fromEntries(results), ...(failing.length ? { failing } : {}) }
      : { status };
  });

  // Per-route traffic and queue depths describe the business: admins only here; Prometheus scrapes
  // the listener of METRICS_PORT, which is bound to loopback unless configured otherwise.
  router.get('/metrics', authenticate(services), requireRole(['admin']), async (ctx) => {
    ctx.type = services.metrics.registry.contentType;
    ctx.body = await services.metrics.registry.metrics();
  });
  registerMetricsPath(registry);
}

function registerMetricsPath(registry: OpenAPIRegistry): void {
  const problemAnswer = (description: string, headers?: object) => ({
    description,
    ...(headers && { headers }),
    content: { 'application/problem+json': { schema: ProblemSchema } },
  });
  const required = (description: string) => ({ description, required: true, schema: { type: 'string' } });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (admins)',
    description:
      'HTTP latency by route, stage changes, transition steps, queue depths and delivery outcomes, in the Prometheus text format. For admins on this port; Prometheus scrapes the same text without a token from the listener `METRICS_PORT` opens (on `METRICS_HOST`, loopback by default).',
    tags: ['Operations'],
    security: [{ bearerAuth: [] }],
    responses: {
      200: { description: 'The metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
      401: problemAnswer('Missing, invalid or expired token', { 'WWW-Authenticate': required('`Bearer`') }),
      403: problemAnswer('Only for: admin'),
      405: problemAnswer('This method is not served on this path; `Allow` lists the methods that are', {
        Allow: required('The methods this path serves'),
      }),
      500: problemAnswer('The server failed; the body says only that, with a request id'),
    },
  } as never);
}

/**
 * Requests from this machine (a probe, an operator's curl), or with an admin's bearer token. Behind
 * a load balancer, set TRUST_PROXY so `ctx.ip` is the client's address and not the balancer's.
 */
async function mayReadDetails(ctx: Context, services: Services): Promise<boolean> {
  if (LOOPBACK.has(ctx.ip)) return true;
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
  if (!match) return false;
  try {
    const claims = services.tokens.verify(match[1]);
    if (claims.role !== 'admin') return false;
    const user = await services.orm.em.fork().findOne(UserSchema, { id: Number(claims.sub) });
    return user?.role === 'admin' && user.active;
  } catch {
    // A bad token or an unreachable database: the short answer, never an error.
    return false;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
