import type Router from '@koa/router';
import type { Services } from '../../services';

export function adminRoutes(_router: Router, _services: Services): void {}
