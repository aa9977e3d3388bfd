import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/dev/engines';

/** One message as the SMTP server received it, decoded far enough for assertions. */
export interface ReceivedMail {
  envelopeTo: string[];
  headers: Map<string, string>;
  subject: string;
  messageId: string;
  /** The X-ATS-Notification header: the BullMQ job that produced the message. */
  notificationId: string;
  text: string;
  html: string;
}

export interface SmtpReply {
  code: number;
  message: string;
}

/** Decides the reply to RCPT TO; `attempt` counts the RCPT commands for that address so far (1-based). */
export type RcptPolicy = (address: string, attempt: number) => SmtpReply | null;

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  rcptAttempts: Map<string, number>;
  setPolicy(policy: RcptPolicy | null): void;
  /** Holds the reply to each message's DATA this long: an SMTP server slow to accept. */
  setDataDelay(ms: number): void;
  /** Resolves once at least `count` messages are in (matching `filter`), or rejects after `timeoutMs`. */
  waitFor(count: number, options?: { timeoutMs?: number; filter?: (m: ReceivedMail) => boolean }): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (the smtp-server package) on a free port that keeps every message it accepts. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const rcptAttempts = new Map<string, number>();
  let policy: RcptPolicy | null = null;
  let dataDelayMs = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const attempt = (rcptAttempts.get(address.address) ?? 0) + 1;
      rcptAttempts.set(address.address, attempt);
      const reply = policy?.(address.address, attempt);
      if (reply) return callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        if (dataDelayMs) setTimeout(callback, dataDelayMs);
        else callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    rcptAttempts,
    setPolicy(p) {
      policy = p;
    },
    setDataDelay(ms) {
      dataDelayMs = ms;
    },
    async waitFor(count, { timeoutMs = 20_000, filter = () => true } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = messages.filter(filter);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${matching.length} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Enough MIME to read what nodemailer writes: folded headers, encoded words, multipart, QP and base64. */
export function parseMail(raw: string, envelopeTo: string[] = []): ReceivedMail {
  const { headers, body } = splitEntity(raw);
  const parts = leafParts(headers, body);
  const find = (type: string) => parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').startsWith(type));
  const decodeWords = (v: string) =>
    v.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=(\s+(?==\?))?/g, (_m, _cs, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQp(data.replace(/_/g, ' ')),
    );
  return {
    envelopeTo,
    headers,
    subject: decodeWords(headers.get('subject') ?? ''),
    messageId: headers.get('message-id') ?? '',
    notificationId: headers.get('x-ats-notification') ?? '',
    text: find('text/plain') ? decodeBody(find('text/plain')!) : '',
    html: find('text/html') ? decodeBody(find('text/html')!) : '',
  };
}

interface Entity {
  headers: Map<string, string>;
  body: string;
}

function splitEntity(raw: string): Entity {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end < 0 ? '' : normalized.slice(end + 2) };
}

function leafParts(headers: Map<string, string>, body: string): Entity[] {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.startsWith('multipart/') || !boundary) return [{ headers, body }];
  const sections = body.split(`--${boundary}`).slice(1);
  return sections
    .filter((s) => !s.startsWith('--'))
    .flatMap((s) => {
      const part = splitEntity(s.replace(/^\n/, ''));
      return leafParts(part.headers, part.body);
    });
}

function decodeBody(part: Entity): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQp(part.body.replace(/=\n/g, ''));
  return part.body;
}

function decodeQp(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(value[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
