import type Router from '@koa/router';
import type { Services } from '../../services';

const CHECK_TIMEOUT_MS = 2000;

/** Liveness, and readiness of the three engines the API depends on. */
export function healthRoutes(router: Router, services: Services): void {
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
    ctx.status = failing.length ? 503 : 200;
    ctx.body = { status: failing.length ? 'unavailable' : 'ok', checks: Object.fromEntries(results), ...(failing.length ? { failing } : {}) };
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = services.metrics.registry.contentType;
    ctx.body = await services.metrics.registry.metrics();
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
