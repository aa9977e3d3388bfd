import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { largeBodyGate } from '../../src/http/middleware/large-body-gate';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { createLogger } from '../../src/logger';
import { UnauthorizedError } from '../../src/domain/errors';

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
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const post = (body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((r) => setTimeout(r, 5));
  };

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

/** A Koa server with the gate and options of the test's choosing; X-Forwarded-For names the client. */
async function gatedServer(options: Parameters<typeof largeBodyGate>[0], beforeBody?: Parameters<typeof largeBodyGate>[1]) {
  const held: (() => void)[] = [];
  const counts = { bodiesRead: 0 };
  const app = new Koa({ proxy: true, maxIpsCount: 1 });
  app.use(errorHandler(createLogger('silent', 'test')));
  app.use(largeBodyGate(options, beforeBody));
  app.use(koaBody());
  app.use(async (ctx) => {
    counts.bodiesRead++;
    if ((ctx.request.body as { hold?: boolean } | undefined)?.hold) await new Promise<void>((resolve) => held.push(resolve));
    ctx.body = { ok: true };
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const post = (body: unknown, from: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from, ...headers },
      body: JSON.stringify(body),
    });
  /** A chunked body sent a byte at a time every `everyMs`, until the server answers. */
  const trickle = (from: string, everyMs: number, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: any; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { port, method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from, ...headers } },
        (res) => {
          clearInterval(timer);
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started }),
          );
        },
      );
      req.on('error', (err) => {
        clearInterval(timer);
        reject(err);
      });
      req.write('{"pad":"');
      const timer = setInterval(() => req.write('x'), everyMs);
    });
  return {
    server,
    held,
    counts,
    post,
    trickle,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
};

describe('large body gate, per client', () => {
  test('one address holds at most its share of the slots; another address still gets one', async () => {
    const gate = await gatedServer({ thresholdBytes: 10, slots: 3, slotsPerAddress: 1, waitMs: 300 });
    try {
      const first = gate.post({ hold: true, pad: 'x'.repeat(50) }, '198.51.100.1');
      await until(() => gate.held.length === 1);
      // Same address, and the same /64 for IPv6: it waits for its own slot and runs out of time.
      const second = await gate.post({ pad: 'y'.repeat(50) }, '198.51.100.1');
      expect(second.status).toBe(503);
      const other = await gate.post({ pad: 'z'.repeat(50) }, '198.51.100.2');
      expect(other.status).toBe(200);
      gate.held.shift()!();
      expect((await first).status).toBe(200);
      expect((await gate.post({ pad: 'w'.repeat(50) }, '198.51.100.1')).status).toBe(200);
    } finally {
      await gate.close();
    }
  });

  test('a waiting request of an address at its share lets a later request of another address go first', async () => {
    const gate = await gatedServer({ thresholdBytes: 10, slots: 2, slotsPerAddress: 1, waitMs: 2000 });
    try {
      const a1 = gate.post({ hold: true, pad: 'a'.repeat(50) }, '2001:db8:1:1::1');
      const b1 = gate.post({ hold: true, pad: 'b'.repeat(50) }, '198.51.100.7');
      await until(() => gate.held.length === 2);
      const a2 = gate.post({ pad: 'a'.repeat(50) }, '2001:db8:1:1::2');
      await new Promise((r) => setTimeout(r, 50));
      const c1 = gate.post({ pad: 'c'.repeat(50) }, '198.51.100.8');
      await new Promise((r) => setTimeout(r, 50));
      // b1's slot frees: c1 takes it, a2 keeps waiting for its /64's own slot.
      gate.held.splice(1, 1)[0]();
      expect((await b1).status).toBe(200);
      expect((await c1).status).toBe(200);
      gate.held.shift()!();
      expect((await a1).status).toBe(200);
      expect((await a2).status).toBe(200);
    } finally {
      await gate.close();
    }
  });

  test('a body that trickles in slower than the minimum rate is cut off with 408, and its slot freed', async () => {
    const gate = await gatedServer({ thresholdBytes: 10, slots: 1, waitMs: 300, minBytesPerSecond: 1000, rateWindowMs: 300 });
    try {
      const cut = await gate.trickle('198.51.100.3', 30);
      expect(cut.status).toBe(408);
      expect(cut.body).toMatchObject({ status: 408, code: 'body_too_slow' });
      expect(cut.ms).toBeLessThan(1500);
      expect(gate.counts.bodiesRead).toBe(0);
      expect((await gate.post({ pad: 'x'.repeat(50) }, '198.51.100.3')).status).toBe(200);
    } finally {
      await gate.close();
    }
  });

  test('a check before the body (authentication) refuses at once, body unread and no slot taken', async () => {
    const gate = await gatedServer({ thresholdBytes: 10, slots: 1, waitMs: 300 }, async (ctx) => {
      if (!ctx.get('Authorization')) throw new UnauthorizedError('Send an access token.');
    });
    try {
      const anonymous = await Promise.all(Array.from({ length: 3 }, () => gate.trickle('198.51.100.4', 1000)));
      expect(anonymous.map((r) => r.status)).toEqual([401, 401, 401]);
      for (const r of anonymous) expect(r.ms).toBeLessThan(500);
      expect(gate.counts.bodiesRead).toBe(0);
      expect((await gate.post({ pad: 'x'.repeat(50) }, '198.51.100.4', { Authorization: 'Bearer x' })).status).toBe(200);
    } finally {
      await gate.close();
    }
  });
});

describe('large body gate, clients that go away', () => {
  test('a request whose client hung up while it waited for a slot is dropped, not logged as a server failure', async () => {
    const logger = createLogger('silent', 'test');
    const failures: unknown[] = [];
    logger.error = ((...args: unknown[]) => void failures.push(args)) as typeof logger.error;
    const held: (() => void)[] = [];
    let bodiesRead = 0;
    const app = new Koa();
    app.use(errorHandler(logger));
    app.use(largeBodyGate({ thresholdBytes: 10, slots: 1, waitMs: 5_000 }));
    app.use(koaBody());
    app.use(async (ctx) => {
      bodiesRead++;
      if ((ctx.request.body as { hold?: boolean } | undefined)?.hold) await new Promise<void>((resolve) => held.push(resolve));
      ctx.body = { ok: true };
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    try {
      const first = post({ hold: true, pad: 'x'.repeat(50) });
      await until(() => held.length === 1);
      // Sent whole, then the client gives up while the slot is taken (a timeout, a closed tab).
      const quitter = http.request({ port, method: 'POST', headers: { 'Content-Type': 'application/json' } });
      quitter.on('error', () => undefined);
      quitter.end(JSON.stringify({ pad: 'q'.repeat(50) }));
      await new Promise((r) => setTimeout(r, 100));
      quitter.destroy();
      await new Promise((r) => setTimeout(r, 100));
      held.shift()!();
      expect((await first).status).toBe(200);
      // The slot is free again at once, for the next client.
      expect((await post({ pad: 'z'.repeat(50) })).status).toBe(200);
      expect(bodiesRead).toBe(2);
      expect(failures).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
