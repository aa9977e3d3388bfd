import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/dev/engines';

/** A real SMTP server on a free port that accepts every message and only counts them. */
export interface SmtpCounter {
  url: string;
  count(): number;
  waitFor(total: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpCounter(): Promise<SmtpCounter> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => received,
    async waitFor(total, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (received < total) {
        if (Date.now() > deadline) throw new Error(`the SMTP sink received ${received} of ${total} messages within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
