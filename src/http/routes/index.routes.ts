import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { PACKAGE } from '../../config/package-info';
import type { Services } from '../../services';
import { z } from '../openapi';
import { defineRoute } from '../route';

const IndexJson = z
  .object({
    name: z.string(),
    version: z.string(),
    docs: z.string().openapi({ example: '/docs' }),
    openapi: z.string().openapi({ example: '/openapi.json' }),
    health: z.string().openapi({ example: '/healthz' }),
  })
  .openapi('Index');

/** `GET /`: where the documentation, the OpenAPI document and the health check are. */
export function indexRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  defineRoute(router, registry, services, {
    method: 'get',
    path: '/',
    summary: "The API's index: links to its documentation, OpenAPI document and health check",
    tags: ['Operations'],
    auth: 'public',
    responses: { 200: { description: 'The index', schema: IndexJson } },
    handler(ctx) {
      ctx.body = { name: PACKAGE.name, version: PACKAGE.version, docs: '/docs', openapi: '/openapi.json', health: '/healthz' };
    },
  });
}
