import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';

export function userRoutes(_router: Router, _registry: OpenAPIRegistry, _services: Services): void {}
