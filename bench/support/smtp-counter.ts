import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/dev/engines';
import { startProcess, type BenchProcess } from './processes';

/**
 * The SMTP sink: a real SMTP server that accepts every message and only counts them. It runs as a
 * process of its own (`node dist/bench/support/smtp-counter.js`, sampled as `smtp`), so the work of
 * receiving the notifier's mail is measured like every other part's and never shares the
 * orchestrator's event loop with the sampler. The orchestrator reads the count over HTTP:
 * `GET /count`, and `GET /wait?total=N&timeoutMs=T`, answered once N messages are in (408 after T).
 */
export interface SmtpCounter {
  url: string;
  count(): Promise<number>;
  waitFor(total: number, timeoutMs: number): Promise<void>;
}

/** Starts the sink process; its SMTP URL goes to the notifiers, its HTTP port to the orchestrator. */
export async function startSmtpSink(logDir: string): Promise<SmtpCounter & { process: BenchProcess }> {
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const p = await startProcess({
    name: 'smtp',
    script: 'bench/support/smtp-counter.js',
    env: { BENCH_SMTP_PORT: String(smtpPort), BENCH_SMTP_HTTP_PORT: String(httpPort) },
    logDir,
    ready: /smtp sink listening/,
  });
  const base = `http://127.0.0.1:${httpPort}`;
  return {
    url: `smtp://127.0.0.1:${smtpPort}`,
    process: p,
    async count() {
      const res = await fetch(`${base}/count`);
      return ((await res.json()) as { received: number }).received;
    },
    async waitFor(total, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // Long polls of at most a minute each: fetch gives up on an answer after five.
      for (;;) {
        const left = deadline - Date.now();
        const res = await fetch(`${base}/wait?total=${total}&timeoutMs=${Math.max(0, Math.min(60_000, left))}`);
        const { received } = (await res.json()) as { received: number };
        if (res.ok) return;
        if (Date.now() >= deadline) throw new Error(`the SMTP sink received ${received} of ${total} messages within ${timeoutMs} ms`);
      }
    },
  };
}

/** The sink itself: SMTP on `smtpPort`, the count over HTTP on `httpPort`. */
export async function serveSmtpCounter(smtpPort: number, httpPort: number): Promise<{ close(): Promise<void> }> {
  let received = 0;
  const waiters = new Set<{ total: number; answer(ok: boolean): void }>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        for (const w of waiters) if (received >= w.total) w.answer(true);
        callback();
      });
    },
  });
  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const send = (status: number) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received }));
    if (url.pathname === '/count') return send(200);
    if (url.pathname !== '/wait') return send(404);
    const total = Number(url.searchParams.get('total'));
    if (received >= total) return send(200);
    const waiter = {
      total,
      answer(ok: boolean) {
        clearTimeout(timer);
        waiters.delete(waiter);
        send(ok ? 200 : 408);
      },
    };
    const timer = setTimeout(() => waiter.answer(false), Number(url.searchParams.get('timeoutMs') ?? 60_000));
    waiters.add(waiter);
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', () => resolve()));
  return {
    close: async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  serveSmtpCounter(Number(process.env.BENCH_SMTP_PORT), Number(process.env.BENCH_SMTP_HTTP_PORT))
    .then(() => {
      process.stdout.write('smtp sink listening\n');
      // The notifiers' pooled connections would hold a graceful close open: the count is all it keeps.
      const stop = () => process.exit(0);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((err: Error) => {
      process.stderr.write(`smtp sink: ${err.stack ?? err.message}\n`);
      process.exit(1);
    });
}
