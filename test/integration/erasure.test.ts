import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker as QueueWorker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startStack, type TestStack } from '../support/stack';
import { queueDump } from '../support/queue-dump';
import { bundleWorkflows, createJob, eventually } from '../support/applications';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { createRedis } from '../../src/redis';
import { createApplicationWorker } from '../../src/main/application-worker';
import { createNotificationWorker } from '../../src/notifications/notification-worker';
import { createWebhookWorker } from '../../src/webhooks/webhook-worker';
import { createMailer } from '../../src/mail/mailer';
import { findApplication } from '../../src/applications/application-repository';
import { idempotencyPrefix } from '../../src/http/idempotency';
import { WEBHOOK_EVENTS } from '../../src/webhooks/webhook-events';
import type { NotificationJobData } from '../../src/notifications/notification-queue';

type Actor = Awaited<ReturnType<TestStack['user']>>;

/**
 * Erasure against the real engines: an in-process Temporal worker (stopped to play Temporal down),
 * the notifier's e-mail worker writing the dev outbox, its webhook worker posting to a receiver.
 */
describe('erasure leaves nothing behind and sends nothing on the way', () => {
  let stack: TestStack;
  let bundle: WorkflowBundleWithSourceMap;
  let temporalWorker: { stop(): Promise<void> };
  let mailWorker: QueueWorker;
  let hookWorker: QueueWorker;
  const connections: Redis[] = [];
  let receiver: WebhookReceiver;
  let recruiter: Actor;
  let admin: Actor;
  let jobId: string;

  async function startTemporalWorker() {
    const redis = createRedis(stack.config.redisUrl, { forWorker: true });
    const worker = await createApplicationWorker({
      config: stack.config,
      logger: stack.services.logger,
      orm: stack.services.orm,
      redis,
      workflowBundle: bundle,
    });
    const running = worker.run();
    running.catch(() => undefined);
    let stopped = false;
    return {
      async stop() {
        if (stopped) return;
        stopped = true;
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await worker.connection?.close();
        redis.disconnect();
      },
    };
  }

  const connection = () => {
    const c = createRedis(stack.config.redisUrl, { forWorker: true });
    connections.push(c);
    return c;
  };

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    // A short request deadline plays Temporal down quickly; the sweep records a change whose request gave up.
    stack = await startStack({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      TEMPORAL_REQUEST_TIMEOUT_MS: '3000',
      TRANSITION_SWEEP_MS: '1000',
      TRANSITION_SWEEP_GRACE_MS: '5000',
    });
    temporalWorker = await startTemporalWorker();
    const { config, services } = stack;
    mailWorker = createNotificationWorker({
      connection: connection(),
      queueName: config.notifier.queueName,
      concurrency: 4,
      mailer: createMailer(config.mail, services.logger),
      mailFrom: config.mail.from,
      logger: services.logger,
      orm: services.orm,
    });
    hookWorker = createWebhookWorker({
      connection: connection(),
      orm: services.orm,
      secrets: services.webhooks.secrets,
      logger: services.logger,
      ...config.webhooks,
    });
    receiver = await startReceiver();
    recruiter = await stack.user('recruiter');
    admin = await stack.user('admin');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
    const hook = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: receiver.url, events: WEBHOOK_EVENTS.filter((e) => e.startsWith('application.')) },
    });
    expect(hook.status).toBe(201);
  }, 90_000);
  afterAll(async () => {
    await mailWorker?.close();
    await hookWorker?.close();
    await temporalWorker?.stop();
    connections.forEach((c) => c.disconnect());
    await receiver?.close();
    await stack?.close();
  });

  async function applied() {
    const tag = randomUUID().slice(0, 8);
    const candidate = await stack.user('candidate', { fullName: `Ada Erasable ${tag}`, email: `ada-${tag}@example.com` });
    const coverLetter = `Dear team, cover letter ${tag}`;
    const resumeUrl = `https://example.com/cv-${tag}.pdf`;
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter, resumeUrl } });
    expect(res.status).toBe(201);
    const secrets = [coverLetter, resumeUrl, candidate.user.email, candidate.user.fullName!];
    return { candidate, id: res.body.id as string, secrets };
  }

  const outboxFiles = () => {
    const dir = stack.config.mail.outboxDir;
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'utf8') })) : [];
  };

  const containsAny = (text: string, secrets: string[]) => secrets.filter((s) => text.includes(s));

  test('the rejection sent on the way carries no personal field; afterwards no job in any state, outbox file, delivery or idempotency record holds the candidate', async () => {
    const { candidate, id, secrets } = await applied();
    const key = { 'Idempotency-Key': randomUUID() };
    const moved = await stack.http('PATCH', `/api/applications/${id}/stage`, {
      token: recruiter.token,
      headers: key,
      body: { stage: 'screening' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.coverLetter).toBe(secrets[0]);

    // Before: the mails went out (to the candidate, and to the recruiter naming them), the webhooks carried the cover letter.
    await eventually(
      async () => (outboxFiles().filter((f) => f.text.includes(candidate.user.email)).length >= 2 ? true : undefined),
      15_000,
      'the mails',
    );
    await eventually(
      async () =>
        receiver.received.some((d) => d.payload.type === 'application.stage_changed' && d.payload.data.id === id) ? true : undefined,
      15_000,
      'the webhooks',
    );
    expect(receiver.received.find((d) => d.payload.type === 'application.created' && d.payload.data.id === id)!.body).toContain(secrets[0]);
    // Completed jobs keep no copy of the person once sent.
    const queue = stack.services.notifications;
    const completed = await eventually(
      async () => {
        const jobs = (await queue.getJobs(['completed'])).filter((j) => j.data.applicationId === id);
        return jobs.length >= 3 ? jobs : undefined;
      },
      15_000,
      'the completed jobs',
    );
    expect(containsAny(JSON.stringify(completed.map((j) => j.data)), secrets)).toEqual([]);

    // Jobs still holding the person in the other states: waiting and delayed (the notifier stopped), and failed.
    await mailWorker.close();
    const pending = (await queue.getJobs(['completed'])).find((j) => j.data.applicationId === id && j.data.audience === 'candidate')!;
    const copy = (suffix: string): NotificationJobData => ({
      ...pending.data,
      recipient: { id: String(candidate.user.id), email: candidate.user.email, name: candidate.user.fullName! },
      candidate: { id: String(candidate.user.id), name: candidate.user.fullName! },
      reason: suffix,
    });
    const idOf = (suffix: string) => `${id.replace(/:/g, '_')}.99.${suffix}.user${candidate.user.id}.email`;
    await queue.add('stage_changed', copy('failed'), { jobId: idOf('failed'), attempts: 1 });
    const failer = new QueueWorker(
      queue.name,
      async () => {
        throw new Error(`550 <${candidate.user.email}> refused`);
      },
      { connection: connection() },
    );
    await eventually(async () => ((await queue.getJob(idOf('failed')))?.failedReason ? true : undefined), 15_000, 'the failed job');
    await failer.close();
    await queue.add('stage_changed', copy('waiting'), { jobId: idOf('waiting') });
    await queue.add('stage_changed', copy('delayed'), { jobId: idOf('delayed'), delay: 3_600_000 });
    expect(await queue.getJobCounts('waiting', 'delayed', 'failed')).toEqual({ waiting: 1, delayed: 1, failed: 1 });
    expect(containsAny(await queueDump(stack.services.redis, queue), secrets).length).toBeGreaterThan(0);

    const erased = await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token });
    expect(erased.status).toBe(202);

    // On the way: the withdrawal's webhook went out, without a personal field.
    const rejected = await eventually(
      async () => receiver.received.find((d) => d.payload.type === 'application.rejected' && d.payload.data.id === id),
      15_000,
      'the rejection webhook',
    );
    expect(rejected.payload.data).toMatchObject({ stage: 'rejected', coverLetter: null, resumeUrl: null });
    expect(rejected.payload.data.history.at(-1)).toMatchObject({ to: 'rejected', reason: 'erased' });
    expect(containsAny(rejected.body, secrets)).toEqual([]);

    // Afterwards, in Redis: no notification job about them in any state, nor any key holding their data.
    const left = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    expect(left.filter((j) => j.data.applicationId === id)).toEqual([]);
    expect(containsAny(await queueDump(stack.services.redis, queue), secrets)).toEqual([]);
    // No mail went to them about the withdrawal, and the outbox keeps none of theirs.
    mailWorker = createNotificationWorker({
      connection: connection(),
      queueName: stack.config.notifier.queueName,
      concurrency: 4,
      mailer: createMailer(stack.config.mail, stack.services.logger),
      mailFrom: stack.config.mail.from,
      logger: stack.services.logger,
      orm: stack.services.orm,
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(outboxFiles().filter((f) => containsAny(f.text, secrets).length)).toEqual([]);
    expect(outboxFiles().filter((f) => f.name.startsWith(`${id}.`))).toEqual([]);
    // SQL's delivery log: no payload with their data.
    const payloads = await stack.services.orm.em.fork().execute<{ payload: string }[]>('select payload from webhook_deliveries', [], 'all');
    expect(containsAny(JSON.stringify(payloads), secrets)).toEqual([]);

    // The recruiter's keyed change: the stored answer is gone, and what answers now carries nothing of theirs.
    const idempotency: string[] = [];
    for await (const keys of stack.services.redis.scanStream({ match: `${idempotencyPrefix(stack.config)}*` })) {
      for (const k of keys as string[])
        if ((await stack.services.redis.type(k)) === 'string') idempotency.push(String(await stack.services.redis.get(k)));
    }
    expect(containsAny(idempotency.join('\n'), secrets)).toEqual([]);
    expect(await stack.services.redis.exists(`${idempotencyPrefix(stack.config)}${recruiter.user.id}:${key['Idempotency-Key']}`)).toBe(0);
    const replay = await stack.http('PATCH', `/api/applications/${id}/stage`, {
      token: recruiter.token,
      headers: key,
      body: { stage: 'screening' },
    });
    expect(replay.headers.get('idempotent-replayed')).toBeNull();
    expect(containsAny(replay.text, secrets)).toEqual([]);
  }, 90_000);

  test('Temporal down half-way: the account is anonymized already, and sending the erasure again finishes it', async () => {
    const { candidate, id, secrets } = await applied();
    await temporalWorker.stop();
    const first = await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token });
    expect(first.status).toBe(503);
    // The personal fields went first: nothing of theirs is left in SQL even though the withdrawal did not finish.
    const conn = stack.services.orm.em.fork().getConnection();
    const dump = JSON.stringify([
      await conn.execute('select * from users where id = ?', [candidate.user.id]),
      await conn.execute('select * from applications where id = ?', [id]),
    ]);
    expect(containsAny(dump, secrets)).toEqual([]);
    expect(await conn.execute('select user_id from candidate_data_keys where user_id = ?', [candidate.user.id])).toHaveLength(1);

    temporalWorker = await startTemporalWorker();
    const again = await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token });
    expect(again.status).toBe(202);
    await eventually(
      async () => ((await findApplication(stack.services.orm.em.fork(), id))?.stage === 'rejected' ? true : undefined),
      20_000,
      'the withdrawal',
    );
    expect((await findApplication(stack.services.orm.em.fork(), id))!.history.at(-1)).toMatchObject({ to: 'rejected', reason: 'erased' });
    expect(await conn.execute('select user_id from candidate_data_keys where user_id = ?', [candidate.user.id])).toEqual([]);
    // Once finished, a third erasure changes nothing and says so the same way.
    expect((await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token })).status).toBe(202);
    expect((await stack.http('GET', `/api/users/${candidate.user.id}/export`, { token: admin.token })).status).toBe(404);
  }, 90_000);

  test('the last active admin cannot be erased (409 last_admin), by themself or anyone; with another admin they can', async () => {
    const em = stack.services.orm.em.fork();
    const others = await em.execute<{ id: number }[]>(
      "select id from users where role = 'admin' and active = true and id <> ?",
      [admin.user.id],
      'all',
    );
    await em.execute(
      `update users set active = false where id in (${others.map(() => '?').join(', ') || 'null'})`,
      others.map((o) => o.id),
      'run',
    );
    try {
      const res = await stack.http('POST', `/api/users/${admin.user.id}/erase`, { token: admin.token });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 409, code: 'last_admin' });
      expect((await stack.http('GET', '/api/auth/me', { token: admin.token })).body.user).toMatchObject({ email: admin.user.email });
      // The same guard as PATCH /api/users/{id}.
      const patched = await stack.http('PATCH', `/api/users/${admin.user.id}`, { token: admin.token, body: { active: false } });
      expect({ status: patched.status, code: patched.body.code }).toEqual({ status: 409, code: 'last_admin' });
    } finally {
      await em.execute(
        `update users set active = true where id in (${others.map(() => '?').join(', ') || 'null'})`,
        others.map((o) => o.id),
        'run',
      );
    }
    const second = await stack.user('admin');
    const spare = await stack.user('admin');
    expect((await stack.http('POST', `/api/users/${spare.user.id}/erase`, { token: second.token })).status).toBe(202);
  });
});
