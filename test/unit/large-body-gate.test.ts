import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { largeBodyGate } from '../../src/http/middleware/large-body-gate';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { createLogger } from '../../src/logger';

/** The gate in a real Koa server over HTTP: one slot, bodies over 10 bytes gated, 300 ms of waiting. */
describe('large body gate', () => {
  let server: http.Server;
  let url: string;
  const held: (() => void)[] = [];
  let bodiesRead = 0;

  beforeAll(async () => {
    const app = new Koa();
    app.use(errorHandler(createLogger('silent', 'test')));
    app.use(largeBodyGate({ thresholdBytes: 10, slots: 1, waitMs: 300 }));
    app.use(koaBody());
    app.use(async (ctx) => {
      bodiesRead++;
      if ((ctx.request.body as { hold?: boolean } | undefined)?.hold) await new Promise<void>((resolve) => held.push(resolve));
      ctx.body = { ok: true };
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const until = async (check: () => boolean) => { while (!check()) await new Promise((r) => setTimeout(r, 5)); };

  test('a second large body waits unread while the first runs, and is answered 503 when its wait runs out', async () => {
    const first = post({ hold: true, pad: 'x'.repeat(50) });
    await until(() => held.length === 1);
    const readBefore = bodiesRead;
    const started = performance.now();
    const second = await post({ pad: 'y'.repeat(50) });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({ status: 503, code: 'try_again' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(bodiesRead).toBe(readBefore);

    // Small bodies never wait.
    expect((await post({ a: 1 })).status).toBe(200);

    held.shift()!();
    expect((await first).status).toBe(200);
    // The slot is free again.
    expect((await post({ pad: 'z'.repeat(50) })).status).toBe(200);
  });

  test('waiting requests take the slot in turn as it frees', async () => {
    const first = post({ hold: true, pad: 'x'.repeat(50) });
    await until(() => held.length === 1);
    const queued = [post({ hold: true, pad: 'a'.repeat(50) }), post({ pad: 'b'.repeat(50) })];
    await new Promise((r) => setTimeout(r, 50));
    held.shift()!();
    expect((await first).status).toBe(200);
    await until(() => held.length === 1);
    held.shift()!();
    expect((await Promise.all(queued)).map((r) => r.status)).toEqual([200, 200]);
  });
});
