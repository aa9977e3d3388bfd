import type Router from '@koa/router';
import pkg from '../../../package.json';

/** `GET /`: where the documentation, the OpenAPI document and the health check are. */
export function indexRoutes(router: Router): void {
  router.get('/', (ctx) => {
    ctx.body = { name: pkg.name, version: pkg.version, docs: '/docs', openapi: '/openapi.json', health: '/healthz' };
  });
}
