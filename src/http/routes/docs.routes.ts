import fs from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
  'oauth2-redirect.html',
]);

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ATS API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body></html>`;

// persistAuthorization would keep the bearer token in localStorage, where any script on the origin
// reads it long after the tab is closed: the token lives only as long as the page.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: false,
  oauth2RedirectUrl: location.origin + '/docs/oauth2-redirect.html' });`;

/** Swagger UI at /docs over the document generated from the route schemas at /openapi.json. */
export function docsRoutes(router: Router, document: () => object): void {
  let cached: string | undefined;
  router.get('/openapi.json', (ctx) => {
    cached ??= JSON.stringify(document());
    ctx.type = 'application/json';
    ctx.body = cached;
  });
  router.get('/docs', (ctx) => {
    // Swagger UI needs its inline-free bundle and same-origin fetches only.
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    ctx.type = 'html';
    ctx.body = PAGE;
  });
  router.get('/docs/swagger-init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = INIT;
  });
  router.get('/docs/:asset', (ctx) => {
    const asset = String(ctx.params.asset);
    if (!ASSETS.has(asset)) return;
    ctx.type = path.extname(asset);
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = fs.createReadStream(path.join(SWAGGER_UI_DIR, asset));
  });
}
