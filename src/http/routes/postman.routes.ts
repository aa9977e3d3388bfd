import type Router from '@koa/router';
import collection from '../../../docs/postman/ats.postman_collection.json';

/**
 * The Postman collection generated from /openapi.json (`npm run postman`), committed beside the code
 * and compiled into the build, so the running API serves the one that matches its own document.
 */
export function postmanRoutes(router: Router): void {
  const body = JSON.stringify(collection);
  router.get('/postman.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.set('Content-Disposition', 'inline; filename="ats.postman_collection.json"');
    ctx.body = body;
  });
}
