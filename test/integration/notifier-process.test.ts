import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type TestStack } from '../support/stack';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { insertJob, notificationEvent, startNotifierHarness, type NotifierHarness } from '../support/notifier-harness';
import { applicationWorkflowId } from '../../src/domain/ids';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = path.join(ROOT, 'dist/src/main/notifier.js');

/**
 * The notifier as its own process (the build `npm test` makes): it needs Redis and SMTP, no
 * database; it delivers what the activity enqueued and stops cleanly on SIGTERM.
 */
describe('notifier process', () => {
  let stack: TestStack;
  let sink: SmtpSink;
  let harness: NotifierHarness;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run the build (npm test does)`);
    stack = await startStack();
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await stack.close();
  });
  beforeEach(async () => {
    output = '';
    harness = await startNotifierHarness({
      orm: stack.services.orm,
      redisUrl: stack.config.redisUrl,
      queueName: `${stack.config.notifier.queueName}-${Date.now()}`,
      smtpUrl: sink.url,
    });
  });
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await harness.close();
  });

  async function startNotifier(env: Record<string, string>): Promise<ChildProcess> {
    const proc = spawn(process.execPath, [ENTRY], {
      cwd: stack.dir,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_OPTIONS: '',
        NODE_ENV: 'test',
        REDIS_URL: stack.config.redisUrl,
        NOTIFICATION_QUEUE: harness.queueName,
        NOTIFIER_CONCURRENCY: '4',
        MAIL_FROM: 'ATS <no-reply@ats.test>',
        // Deliberately unusable: the notifier must not need the database.
        DATABASE_URL: 'sqlite:////nonexistent/dir/ats.db',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    proc.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    await until(
      () => output.includes('notifier started'),
      15_000,
      () => `notifier did not start:\n${output}`,
    );
    return proc;
  }

  async function enqueueApplication(): Promise<string> {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String(await insertJob(stack.services.orm, recruiter.user.id, { title: 'QA Lead', company: 'Umbrella' }));
    await harness.activities.enqueueNotifications(
      notificationEvent({
        kind: 'application_received',
        applicationId: applicationWorkflowId(jobId, String(candidate.user.id)),
        seq: 1,
        jobId,
        candidateId: String(candidate.user.id),
        to: 'applied',
      }),
    );
    return candidate.user.email;
  }

  async function stop(proc: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`notifier did not stop:\n${output}`)), 15_000);
    });
    return Promise.race([exited, late]).finally(() => clearTimeout(timer));
  }

  test('delivers over SMTP and exits 0 on SIGTERM', async () => {
    child = await startNotifier({ SMTP_URL: sink.url });
    const before = sink.messages.length;
    const email = await enqueueApplication();
    await sink.waitFor(before + 2);
    expect(sink.messages.filter((m) => m.envelopeTo[0] === email)).toHaveLength(1);
    expect(await stop(child)).toBe(0);
    expect(output).toContain('shutting down');
  });

  test('without SMTP_URL writes .eml files to the outbox and logs where', async () => {
    const outbox = path.join(stack.dir, `outbox-${Date.now()}`);
    child = await startNotifier({ MAIL_OUTBOX_DIR: outbox });
    await enqueueApplication();
    await until(
      () => fs.existsSync(outbox) && fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).length === 2,
      15_000,
      () => `no outbox files:\n${output}`,
    );
    // Each file is logged once it is written: the line may come a moment after the file.
    const files = fs.readdirSync(outbox).map((file) => path.join(outbox, file));
    await until(
      () => files.every((file) => output.includes(file)),
      15_000,
      () => `the outbox files are not all logged:\n${output}`,
    );
    expect(await stop(child)).toBe(0);
  });
});

async function until(check: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 50));
  }
}
