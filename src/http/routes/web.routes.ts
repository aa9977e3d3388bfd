import fs from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context } from 'koa';

// The app talks to its own origin only: no inline code, no third-party hosts.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const ASSET = /^[a-z0-9-]+\.(js|css|map)$/;

/**
 * The web app at /app (built by `npm run build` into WEB_APP_DIR, `dist/web`): its assets by name, and index.html for
 * every other path below /app, so links into the app work on reload. It calls the public API only.
 */
export function webRoutes(router: Router, dir: string): void {
  const index = path.join(dir, 'index.html');
  const page = (ctx: Context) => {
    ctx.set('Content-Security-Policy', CSP);
    if (!fs.existsSync(index)) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = 'The web app is not built: run npm run build.';
      return;
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.body = fs.createReadStream(index);
  };
  router.get('/app', page);
  router.get('/app/{*rest}', (ctx) => {
    const name = String(ctx.params.rest);
    const file = path.join(dir, name);
    if (ASSET.test(name) && fs.existsSync(file)) {
      ctx.set('Content-Security-Policy', CSP);
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = path.extname(name) === '.map' ? 'application/json' : path.extname(name);
      ctx.body = fs.createReadStream(file);
      return;
    }
    page(ctx);
  });
}
