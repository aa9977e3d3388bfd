import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { trailingSlash } from '../../src/http/middleware/trailing-slash';

/** Against a router that treats trailing slashes as significant, so the middleware alone makes the difference. */
describe('trailing slash', () => {
  const statusOf = async (withMiddleware: boolean, paths: string[]) => {
    const app = new Koa();
    const router = new Router({ strict: true });
    router.get('/api/jobs', (ctx) => {
      ctx.body = `list ${ctx.querystring}`;
    });
    router.get('/api/jobs/:id', (ctx) => {
      ctx.body = `job ${ctx.params.id}`;
    });
    router.get('/admin/queues/', (ctx) => {
      ctx.body = 'dashboard';
    });
    if (withMiddleware) app.use(trailingSlash());
    app.use(router.routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return await Promise.all(
        paths.map(async (p) => {
          const res = await fetch(base + p);
          return `${res.status} ${await res.text()}`;
        }),
      );
    } finally {
      server.close();
    }
  };

  test('one trailing slash under /api is dropped before routing, keeping the query', async () => {
    expect(await statusOf(true, ['/api/jobs/?limit=2', '/api/jobs/7/', '/api/jobs', '/admin/queues/'])).toEqual([
      '200 list limit=2',
      '200 job 7',
      '200 list ',
      '200 dashboard',
    ]);
  });

  test('without it, this router would answer 404', async () => {
    expect((await statusOf(false, ['/api/jobs/']))[0]).toMatch(/^404/);
  });
});
