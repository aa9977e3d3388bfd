import { Worker as BullWorker, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob } from '../support/applications';
import { eventually, startReceiver, type WebhookReceiver, webhookWorkerOf } from '../support/webhook-receiver';
import { createRedis } from '../../src/redis';
import { createWebhookEmitter } from '../../src/webhooks/webhook-emitter';
import { createWebhookQueue } from '../../src/webhooks/webhook-queue';
import { responseValidator } from '../support/openapi-validator';
import { WEBHOOK_EVENTS } from '../../src/webhooks/webhook-events';
import { insertDelivery } from '../../src/webhooks/webhook-store';
import { sweepPendingDeliveries } from '../../src/webhooks/pending-sweeper';
import { applicationEmissions } from '../../src/applications/application-events';
import { dialectOf } from '../../src/db/dialect';

type Actor = Awaited<ReturnType<TestStack['user']>>;

describe('webhooks', () => {
  let stack: TestStack;
  let admin: Actor;
  let recruiter: Actor;
  let connection: Redis;
  let worker: Worker;
  let expectDocumented: Awaited<ReturnType<typeof responseValidator>>;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    stack = await startStack(
      { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_DELAYS_MS: '300,300,300,300,300,300,300' },
      { worker: { workflowBundle: await bundleWorkflows() } },
    );
    admin = await stack.user('admin');
    recruiter = await stack.user('recruiter');
    connection = createRedis(stack.config.redisUrl, { forWorker: true });
    worker = webhookWorkerOf(stack, connection);
    await worker.waitUntilReady();
    expectDocumented = await responseValidator(stack);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    connection?.disconnect();
    await Promise.all(receivers.map((r) => r.close()));
    await stack?.close();
  });

  const receiver = async (port?: number) => {
    const r = await startReceiver(port);
    receivers.push(r);
    return r;
  };
  const subscribe = async (url: string, events: string[]) => {
    const res = await stack.http('POST', '/api/webhooks', { token: admin.token, body: { url, events } });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const createJobViaApi = async (title: string) => {
    const res = await stack.http('POST', '/api/jobs', { token: recruiter.token, body: { title, company: 'Hooks Inc' } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const deliveries = async (subscriptionId: string) =>
    (await stack.http('GET', `/api/webhooks/${subscriptionId}/deliveries`, { token: admin.token })).body.items as any[];

  test('OpenAPI 3.1 documents every event under `webhooks`, and Idempotency-Key on the writes that take it', async () => {
    const doc = (await stack.http('GET', '/openapi.json')).body;
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENTS].sort());
    const hired = doc.webhooks['application.hired'].post;
    expect(hired.requestBody.content['application/json'].schema.properties.type).toMatchObject({ enum: ['application.hired'] });
    expect(hired.parameters.map((p: any) => p.name).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    const keyed = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.parameters?.some((p: any) => p.in === 'header' && p.name === 'Idempotency-Key'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(keyed.sort()).toEqual([
      'PATCH /api/applications/{id}/stage',
      'PATCH /api/interviews/{id}',
      'POST /api/applications/{id}/interviews',
      'POST /api/applications/{id}/notes',
      'POST /api/applications/{id}/reopen',
      'POST /api/applications/{id}/withdraw',
      'POST /api/interviews/{id}/cancel',
      'POST /api/jobs',
      'POST /api/jobs/{id}/apply',
      'POST /api/jobs/{id}/pipeline/migrations',
      'POST /api/webhooks',
    ]);
    expect(doc.paths['/api/jobs'].post.responses['201'].headers['Idempotent-Replayed']).toBeDefined();
  });

  test('subscriptions: admins only, the secret shown on create and rotate only', async () => {
    const forbidden = await stack.http('POST', '/api/webhooks', {
      token: recruiter.token,
      body: { url: 'https://example.com/h', events: ['job.created'] },
    });
    expect(forbidden.status).toBe(403);
    expectDocumented('POST', '/api/webhooks', forbidden);
    const badUrl = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: 'ftp://example.com/h', events: ['job.created'] },
    });
    expect(badUrl.status).toBe(422);
    expectDocumented('POST', '/api/webhooks', badUrl);
    expect(
      (await stack.http('POST', '/api/webhooks', { token: admin.token, body: { url: 'https://example.com/h', events: ['job.deleted'] } }))
        .status,
    ).toBe(422);
    expect(
      (await stack.http('POST', '/api/webhooks', { token: admin.token, body: { url: 'https://example.com/h', events: [] } })).status,
    ).toBe(422);

    const created = await stack.http('POST', '/api/webhooks', {
      token: admin.token,
      body: { url: 'https://example.com/h', events: ['job.created', 'job.created'] },
    });
    expect(created.status).toBe(201);
    expectDocumented('POST', '/api/webhooks', created);
    expect(created.body).toMatchObject({ url: 'https://example.com/h', events: ['job.created'], active: true });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(24);
    const id = created.body.id;

    const one = await stack.http('GET', `/api/webhooks/${id}`, { token: admin.token });
    expect(one.status).toBe(200);
    expectDocumented('GET', '/api/webhooks/{id}', one);
    expect(one.body.secret).toBeUndefined();
    expectDocumented('GET', '/api/webhooks', await stack.http('GET', '/api/webhooks', { token: admin.token }));
    expect((await stack.http('GET', '/api/webhooks', { token: admin.token })).body.items.map((s: any) => s.id)).toContain(id);
    expect((await stack.http('GET', '/api/webhooks', { token: recruiter.token })).status).toBe(403);

    // Stored sealed: the database never holds the secret itself.
    const [row] = await stack.services.orm.em
      .fork()
      .execute<{ secret: string }[]>('select secret from webhook_subscriptions where id = ?', [id], 'all');
    expect(row.secret).not.toContain(created.body.secret.slice(6));

    const patched = await stack.http('PATCH', `/api/webhooks/${id}`, {
      token: admin.token,
      body: { active: false, events: ['job.closed'] },
    });
    expect(patched.status).toBe(200);
    expectDocumented('PATCH', '/api/webhooks/{id}', patched);
    expect(patched.body).toMatchObject({ active: false, events: ['job.closed'] });

    const rotated = await stack.http('POST', `/api/webhooks/${id}/rotate-secret`, { token: admin.token });
    expect(rotated.status).toBe(200);
    expectDocumented('POST', '/api/webhooks/{id}/rotate-secret', rotated);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    expect((await stack.http('DELETE', `/api/webhooks/${id}`, { token: admin.token })).status).toBe(204);
    const gone = await stack.http('GET', `/api/webhooks/${id}`, { token: admin.token });
    expect(gone.status).toBe(404);
    expectDocumented('GET', '/api/webhooks/{id}', gone);
    expect((await stack.http('DELETE', `/api/webhooks/${id}`, { token: admin.token })).status).toBe(404);
  });

  test('job events are signed per Standard Webhooks: standardwebhooks verifies them, a wrong secret does not', async () => {
    const r = await receiver();
    const { id, secret } = await subscribe(r.url, ['job.created', 'job.closed']);
    r.verifyWith(secret);
    const job = await createJobViaApi('Signed');
    await stack.http('PATCH', `/api/jobs/${job.id}`, { token: recruiter.token, body: { status: 'closed' } });

    await eventually(() => r.received.length >= 2);
    expect(r.verificationFailures).toEqual([]);
    const [created, closed] = r.received;
    expect(created.payload).toMatchObject({ type: 'job.created', data: { id: job.id, title: 'Signed', status: 'open' } });
    expect(closed.payload).toMatchObject({ type: 'job.closed', data: { id: job.id, status: 'closed' } });
    expect(new Webhook(secret).verify(created.body, created.headers)).toMatchObject({ type: 'job.created' });
    expect(() => new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(created.body, created.headers)).toThrow();
    await eventually(async () => (await deliveries(id)).every((d) => d.status === 'succeeded') && (await deliveries(id)).length === 2);
    const log = await stack.http('GET', `/api/webhooks/${id}/deliveries`, { token: admin.token });
    expectDocumented('GET', '/api/webhooks/{id}/deliveries', log);
    expect(log.body.nextCursor).toBeNull();
    expect(log.body.items[0]).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 204 });
  });

  test("a job's event commits with the job: when its delivery row cannot be written, the job is not written either", async () => {
    const r = await receiver();
    const { id } = await subscribe(r.url, ['job.created', 'job.updated']);
    const job = await createJobViaApi('Kept title');
    const run = (sql: string) => stack.services.orm.em.getConnection().execute(sql, [], 'run');
    const sqlite = dialectOf(stack.services.orm.em).name === 'sqlite';
    await run(
      sqlite
        ? `create trigger refuse_deliveries before insert on webhook_deliveries begin select raise(abort, 'delivery refused'); end`
        : `create function refuse_deliveries() returns trigger language plpgsql as $$ begin raise exception 'delivery refused' using errcode = '58000'; end $$`,
    );
    if (!sqlite)
      await run('create trigger refuse_deliveries before insert on webhook_deliveries for each row execute function refuse_deliveries()');
    try {
      const created = await stack.http('POST', '/api/jobs', {
        token: recruiter.token,
        body: { title: 'Never written', company: 'Hooks Inc' },
      });
      expect(created.status).toBeGreaterThanOrEqual(500);
      const renamed = await stack.http('PATCH', `/api/jobs/${job.id}`, { token: recruiter.token, body: { title: 'Renamed' } });
      expect(renamed.status).toBeGreaterThanOrEqual(500);
    } finally {
      await run(sqlite ? 'drop trigger refuse_deliveries' : 'drop function refuse_deliveries cascade');
    }
    const titles = (await stack.http('GET', '/api/jobs?q=Never%20written', { token: admin.token })).body.items;
    expect(titles).toEqual([]);
    expect((await stack.http('GET', `/api/jobs/${job.id}`, { token: admin.token })).body.title).toBe('Kept title');
    await eventually(async () => (await deliveries(id)).length === 1);
    expect((await deliveries(id)).map((d) => d.event)).toEqual(['job.created']);
    expect((await stack.http('DELETE', `/api/webhooks/${id}`, { token: admin.token })).status).toBe(204);
  });

  test('receiver down for the first attempts: delivered once it is back, exactly once', async () => {
    const probe = await receiver();
    const port = probe.port;
    await probe.close();
    receivers.splice(receivers.indexOf(probe), 1);
    const { id, secret } = await subscribe(`http://127.0.0.1:${port}/hook`, ['job.created']);
    const job = await createJobViaApi('Down first');

    const [first] = await eventually(async () => {
      const list = await deliveries(id);
      return list[0]?.attempts >= 2 ? list : undefined;
    });
    expect(first).toMatchObject({ status: 'retrying', lastStatusCode: null });
    const r = await receiver(port);
    r.verifyWith(secret);
    await eventually(async () => (await deliveries(id))[0]?.status === 'succeeded');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.received).toHaveLength(1);
    expect(r.verificationFailures).toEqual([]);
    expect(r.received[0].payload.data.id).toBe(job.id);
    expect((await deliveries(id))[0].attempts).toBeGreaterThanOrEqual(3);
  });

  test('a 410 Gone disables the subscription after one attempt', async () => {
    const r = await receiver();
    r.answer = () => 410;
    const { id } = await subscribe(r.url, ['job.created']);
    await createJobViaApi('Gone');
    await eventually(async () => (await stack.http('GET', `/api/webhooks/${id}`, { token: admin.token })).body.active === false);
    const [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 410 });
    await createJobViaApi('Gone again');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(r.received).toHaveLength(1);
  });

  test('a 500 is retried; redeliver sends the same delivery again with the same webhook-id', async () => {
    const r = await receiver();
    let calls = 0;
    r.answer = () => (++calls === 1 ? 500 : 200);
    const { id, secret } = await subscribe(r.url, ['job.created']);
    r.verifyWith(secret);
    await createJobViaApi('Flaky');
    await eventually(async () => (await deliveries(id))[0]?.status === 'succeeded');
    const [delivery] = await deliveries(id);
    expect(delivery).toMatchObject({ attempts: 2, lastStatusCode: 200 });

    const redeliver = await stack.http('POST', `/api/webhooks/${id}/deliveries/${delivery.id}/redeliver`, { token: admin.token });
    expect(redeliver.status).toBe(202);
    expect(redeliver.body).toMatchObject({ id: delivery.id, status: 'pending' });
    expectDocumented('POST', '/api/webhooks/{id}/deliveries/{deliveryId}/redeliver', redeliver);
    await eventually(() => r.received.length === 3);
    expect(new Set(r.received.map((d) => d.headers['webhook-id']))).toEqual(new Set([delivery.id]));
    expect(r.verificationFailures).toEqual([]);
    expect((await stack.http('POST', `/api/webhooks/${id}/deliveries/msg_nope/redeliver`, { token: admin.token })).status).toBe(404);
  });

  test('a delivery whose notifier died holding it twice (the second time after its recovery) is still delivered, once', async () => {
    const r = await receiver();
    const { id, secret } = await subscribe(`http://127.0.0.1:${r.port}/hook`, ['job.updated']);
    r.verifyWith(secret);
    const queueName = `${stack.config.webhooks.queueName}-died-twice-${Date.now()}`;
    const producer = createRedis(stack.config.redisUrl);
    const queue = createWebhookQueue(producer, queueName, stack.config.webhooks.retryDelaysMs);
    const connections: Redis[] = [producer];
    const held = async () => createRedis(stack.config.redisUrl, { forWorker: true }).on('error', () => undefined);
    let next: Worker | undefined;
    try {
      await createWebhookEmitter(stack.services.orm, queue).emit('job.updated', `died-twice-${queueName}`, {
        type: 'job.updated',
        timestamp: new Date().toISOString(),
        data: { id: 'died-twice' },
      });
      const [delivery] = await deliveries(id);
      /** A notifier that takes the delivery and is killed (SIGKILL) before it posts; its lock short, so the test need not wait 30 s. */
      const killedHoldingIt = async (token: string) => {
        const connection = await held();
        connections.push(connection);
        const dead = new BullWorker(queueName, undefined, { connection, autorun: false, lockDuration: 300, stalledInterval: 200 });
        expect((await dead.getNextJob(token, { block: false }))?.id).toBe(delivery.id);
        return dead;
      };
      const first = await killedHoldingIt('killed-1');
      // A stall check (every notifier runs them) finds its lock gone and queues it again...
      await first.startStalledCheckTimer();
      await eventually(async () => (await (await queue.getJob(delivery.id))!.getState()) === 'waiting');
      await first.close(true);
      // ...where a notifier takes it and is killed as well.
      await (await killedHoldingIt('killed-2')).close(true);

      const connection = await held();
      connections.push(connection);
      next = webhookWorkerOf(stack, connection, { queueName, options: { stalledInterval: 200, lockDuration: 1_000 } });
      await eventually(async () => (await deliveries(id))[0]?.status === 'succeeded');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(r.received).toHaveLength(1);
      expect(r.received[0].payload.data.id).toBe('died-twice');
    } finally {
      await next?.close();
      await queue.close();
      connections.forEach((c) => c.disconnect());
    }
  });

  test("a delivery whose enqueue was lost (Redis down at emission) is sent by the notifier's sweep, once", async () => {
    const r = await receiver();
    const { id, secret } = await subscribe(r.url, ['job.updated']);
    r.verifyWith(secret);
    const em = stack.services.orm.em.fork();
    await insertDelivery(em, {
      id: 'msg_swept0001',
      subscriptionId: id,
      event: 'job.updated',
      payload: JSON.stringify({ type: 'job.updated', timestamp: new Date().toISOString(), data: { id: '1' } }),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.received).toHaveLength(0);
    expect(await sweepPendingDeliveries(stack.services.orm, stack.services.webhooks.queue, Date.now(), 0)).toBeGreaterThanOrEqual(1);
    await eventually(() => r.received.length === 1);
    expect(await sweepPendingDeliveries(stack.services.orm, stack.services.webhooks.queue, Date.now(), 0)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.received).toHaveLength(1);
    expect(r.received[0].headers['webhook-id']).toBe('msg_swept0001');
    expect(r.verificationFailures).toEqual([]);
  });

  test("application events from the workflow's recording: created, stage_changed, rejected; one delivery each", async () => {
    const r = await receiver();
    const { secret } = await subscribe(r.url, [
      'application.created',
      'application.stage_changed',
      'application.rejected',
      'application.withdrawn',
      'application.hired',
    ]);
    r.verifyWith(secret);
    const job = await createJob(stack, recruiter.user.id);
    const candidate = await stack.user('candidate');
    const applied = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: { coverLetter: 'hello' } });
    expect(applied.status).toBe(201);
    const appId = applied.body.id;
    expect(
      (await stack.http('PATCH', `/api/applications/${appId}/stage`, { token: recruiter.token, body: { stage: 'screening' } })).status,
    ).toBe(200);
    expect((await stack.http('POST', `/api/applications/${appId}/withdraw`, { token: candidate.token })).status).toBe(200);

    const mine = () => r.received.filter((d) => d.payload.data.id === appId).map((d) => d.payload.type);
    await eventually(() => mine().includes('application.withdrawn'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.verificationFailures).toEqual([]);
    const types = mine();
    expect(types.filter((t) => t === 'application.created')).toHaveLength(1);
    expect(types.filter((t) => t === 'application.stage_changed').length).toBeGreaterThanOrEqual(1);
    expect(types.filter((t) => t === 'application.withdrawn')).toHaveLength(1);
    expect(new Set(r.received.map((d) => d.headers['webhook-id'])).size).toBe(r.received.length);
    const created = r.received.find((d) => d.payload.type === 'application.created')!;
    expect(created.payload.data).toMatchObject({ id: appId, stage: 'applied', coverLetter: 'hello' });
    expect(created.payload.data.history).toHaveLength(1);

    // A retried recording activity hands the same transitions over again: nothing is emitted twice.
    const before = r.received.length;
    const history = (await stack.http('GET', `/api/applications/${appId}`, { token: recruiter.token })).body.history as {
      from: any;
      to: any;
      at: string;
      reason: string | null;
    }[];
    const replayed = history.map((h, i) => ({
      kind: i === 0 ? ('application_received' as const) : h.to === 'rejected' ? ('final_outcome' as const) : ('stage_changed' as const),
      applicationId: appId,
      seq: i + 1,
      jobId: String(job.id),
      candidateId: String(candidate.user.id),
      from: h.from,
      to: h.to,
      reason: h.reason,
      at: h.at,
    }));
    const { emitter } = stack.services.webhooks;
    const emissions = applicationEmissions({ uiUrl: stack.config.temporal.uiUrl, namespace: stack.config.temporal.namespace }, replayed);
    await emitter.enqueue(await stack.services.orm.em.fork().transactional((em) => emitter.stage(em, emissions)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(r.received).toHaveLength(before);

    // Erasing the candidate deletes the delivery log's copies of their application.
    const copies = async () =>
      Number(
        (
          await stack.services.orm.em
            .fork()
            .execute<{ n: number }[]>('select count(*) as n from webhook_deliveries where subject = ?', [appId], 'all')
        )[0].n,
      );
    expect(await copies()).toBeGreaterThanOrEqual(3);
    expect((await stack.http('POST', `/api/users/${candidate.user.id}/erase`, { token: admin.token })).status).toBe(202);
    expect(await copies()).toBe(0);
  });
});
