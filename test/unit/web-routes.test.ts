import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { webRoutes } from '../../src/http/routes/web.routes';

/** The static serving of /app over a folder of our own, built or not. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const router = new Router();
  webRoutes(router, dir);
  const server = new Koa().use(router.routes()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('web app routes', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-web-'));
    dir = path.join(root, 'web');
    fs.mkdirSync(dir);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('before the app is built, /app says how to build it', async () => {
    const { url, server } = await serve(dir);
    try {
      const res = await fetch(`${url}/app/my`);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    } finally {
      server.close();
    }
  });

  test.each([
    ['/app', 'index', /^text\/html/],
    ['/app/recruiter/jobs/7/board', 'index', /^text\/html/],
    ['/app/app.js', 'script', /^(text|application)\/javascript/],
    ['/app/app.css', 'style', /^text\/css/],
    ['/app/secret.txt', 'index', /^text\/html/],
    ['/app/..%2Fsecret.txt', 'index', /^text\/html/],
    ['/app/%2E%2E%2F..%2Fsecret.txt', 'index', /^text\/html/],
  ])('%s answers the %s with its type and the CSP', async (route, body, type) => {
    fs.writeFileSync(path.join(dir, 'index.html'), 'index');
    fs.writeFileSync(path.join(dir, 'app.js'), 'script');
    fs.writeFileSync(path.join(dir, 'app.css'), 'style');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
    const { url, server } = await serve(dir);
    try {
      const res = await fetch(url + route);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(type);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
      expect(await res.text()).toBe(body);
    } finally {
      server.close();
    }
  });
});
