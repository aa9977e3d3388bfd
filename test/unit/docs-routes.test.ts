import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { docsRoutes } from '../../src/http/routes/docs.routes';

/** The Swagger UI page's configuration, as the browser loads it. */
describe('Swagger UI at /docs', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const router = new Router();
    docsRoutes(router, () => ({ openapi: '3.1.0' }));
    server = new Koa().use(router.routes()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  test('does not keep the bearer token in localStorage (persistAuthorization off)', async () => {
    const page = await (await fetch(`${url}/docs`)).text();
    expect(page).toContain('/docs/swagger-init.js');
    const init = await fetch(`${url}/docs/swagger-init.js`);
    expect(init.headers.get('content-type')).toContain('javascript');
    const script = await init.text();
    expect(script).toContain('SwaggerUIBundle(');
    expect(script).toMatch(/persistAuthorization:\s*false/);
    expect(script).not.toMatch(/persistAuthorization:\s*true/);
    expect(script).not.toMatch(/localStorage/);
  });
});
