import http from 'node:http';
import { startStack, type TestStack } from '../support/stack';

interface Answer {
  status: number | 'none';
  ms: number;
  body?: any;
}
interface Sender {
  answer: Promise<Answer>;
  stop(): void;
}

/** The answer, or `none` after `ms`: a sender nobody cuts off would otherwise trickle forever. */
const within = (answer: Promise<Answer>, ms: number): Promise<Answer> => {
  let timer: NodeJS.Timeout;
  return Promise.race([
    answer,
    new Promise<Answer>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'none', ms }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/**
 * The large-body gate over real sockets: chunked bodies (no length, so always gated) sent slowly,
 * as an attacker holds the slots, beside an ordinary chunked POST /api/jobs. Behind a trusted
 * proxy, so X-Forwarded-For names each client's address.
 */
describe('slow request bodies', () => {
  let stack: TestStack;
  let port: number;
  let recruiter: Awaited<ReturnType<TestStack['user']>>;
  beforeAll(async () => {
    stack = await startStack({ TRUST_PROXY: 'true' });
    port = Number(new URL(stack.url).port);
    recruiter = await stack.user('recruiter');
  });
  afterAll(async () => {
    await stack.close();
  });

  /** A chunked POST /api/jobs that sends one byte every `everyMs` until answered or stopped. */
  function trickle(from: string, everyMs: number, token?: string): Sender {
    let timer: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;
    const started = performance.now();
    const answer = new Promise<Answer>((resolve) => {
      req = http.request(
        {
          port,
          method: 'POST',
          path: '/api/jobs',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from, ...(token && { Authorization: `Bearer ${token}` }) },
        },
        (res) => {
          clearInterval(timer);
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode!, ms: performance.now() - started, body: text ? JSON.parse(text) : undefined }),
          );
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearInterval(timer);
        resolve({ status: 0, ms: performance.now() - started, body: err.code });
      });
      req.write('{"title":"');
      timer = setInterval(() => req!.write('x'), everyMs);
    });
    return {
      answer,
      stop: () => {
        clearInterval(timer);
        req?.destroy();
      },
    };
  }

  /** An ordinary chunked POST /api/jobs: the whole body at once, with no Content-Length. */
  function chunkedJob(from: string): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          port,
          method: 'POST',
          path: '/api/jobs',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': from, Authorization: `Bearer ${recruiter.token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, ms: performance.now() - started }));
        },
      );
      req.on('error', reject);
      req.write(JSON.stringify({ title: 'Platform Engineer', company: 'Chunked Corp' }));
      req.end();
    });
  }

  test("eight slow senders with a token, from one address, leave room for another client's chunked POST /api/jobs", async () => {
    const slow = Array.from({ length: 8 }, () => trickle('198.51.100.10', 500, recruiter.token));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const job = await chunkedJob('198.51.100.11');
      expect(job.status).toBe(201);
      expect(job.ms).toBeLessThan(2000);
    } finally {
      for (const s of slow) s.stop();
    }
  });

  test('eight anonymous slow senders are answered 401 at once, their bodies unread, and take no slot', async () => {
    const slow = Array.from({ length: 8 }, () => trickle('198.51.100.20', 500));
    try {
      const answers = await Promise.all(slow.map((s) => within(s.answer, 3000)));
      expect(answers.map((a) => a.status)).toEqual(slow.map(() => 401));
      for (const a of answers) expect(a.ms).toBeLessThan(1500);
      const job = await chunkedJob('198.51.100.20');
      expect(job.status).toBe(201);
      expect(job.ms).toBeLessThan(2000);
    } finally {
      for (const s of slow) s.stop();
    }
  });

  test('a body that trickles in is cut off with 408', async () => {
    const sender = trickle('198.51.100.30', 200, recruiter.token);
    try {
      const answer = await within(sender.answer, 12_000);
      expect(answer.status).toBe(408);
      expect(answer.body).toMatchObject({ status: 408, code: 'body_too_slow' });
      // One rate window (5 s) of grace, then cut.
      expect(answer.ms).toBeGreaterThan(4000);
      expect(answer.ms).toBeLessThan(8000);
    } finally {
      sender.stop();
    }
  }, 15_000);
});
