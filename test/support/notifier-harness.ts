import { randomInt } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/sql';
import type { DefaultJobOptions, Queue, Worker, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/redis';
import { createLogger } from '../../src/logger';
import { createMailer } from '../../src/mail/mailer';
import { createNotificationQueue, type NotificationJobData } from '../../src/notifications/notification-queue';
import { createNotificationWorker } from '../../src/notifications/notification-worker';
import { startNotificationSweeper } from '../../src/notifications/notification-outbox';
import type { DeliveryResult } from '../../src/notifications/notification-processor';
import { JobSchema } from '../../src/db/entities/job.entity';
import { addCreatorToTeam } from '../../src/jobs/hiring-team';
import { resolveCompany } from '../../src/companies/companies';
import type { NotificationEvent } from '../../src/domain/notifications';
import { notificationJobs } from '../../src/notifications/notification-jobs';
import { recordOutbox } from '../../src/notifications/notification-outbox';
import { addJobs } from '../../src/notifications/add-jobs';

/** A producer for the notifier's tests: one event's jobs through the outbox into Redis. */
export interface NotificationActivities {
  /** Returns how many jobs were newly enqueued (0 when a retry finds them all already there). */
  enqueueNotifications(event: NotificationEvent): Promise<number>;
}

function createNotificationActivities(deps: { orm: MikroORM; queue: Queue<NotificationJobData> }): NotificationActivities {
  return {
    async enqueueNotifications(event) {
      const jobs = await notificationJobs(deps.orm, event);
      if (!jobs.length) return 0;
      await recordOutbox(deps.orm, jobs);
      // Adding an existing job ID is a no-op in BullMQ; looking first only tells the caller what was new.
      const before = await Promise.all(jobs.map((j) => deps.queue.getJob(j.opts.jobId)));
      await addJobs(deps.queue, jobs);
      return before.filter((j) => !j).length;
    },
  };
}

export const MAIL_FROM = 'ATS <no-reply@ats.test>';

export interface NotifierHarness {
  queueName: string;
  /** Producer side, on a fail-fast connection like the Temporal worker's. */
  queue: Queue<NotificationJobData>;
  producerRedis: Redis;
  activities: NotificationActivities;
  worker: Worker<NotificationJobData, DeliveryResult> | null;
  startWorker(
    options?: Partial<Pick<WorkerOptions, 'stalledInterval' | 'lockDuration' | 'drainDelay'>>,
  ): Promise<Worker<NotificationJobData, DeliveryResult>>;
  stopWorker(): Promise<void>;
  /** Resolves once nothing is waiting, active or delayed (bounded). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  orm: MikroORM;
  redisUrl: string;
  queueName: string;
  /** Empty: mail goes to the dev outbox in `outboxDir`, as `.eml` files. */
  smtpUrl: string;
  outboxDir?: string;
  jobOptions?: Partial<DefaultJobOptions>;
  concurrency?: number;
  /** The worker records deliveries in the SQL notification outbox, as the notifier process does. */
  outbox?: boolean;
  /** Sweeps the outbox for jobs Redis lost, as the notifier process does (implies `outbox`). */
  sweep?: { intervalMs: number; graceMs: number };
}

/** The notification pipeline without the workflow: the real activity, queue, notifier worker and mailer. */
export async function startNotifierHarness(opts: HarnessOptions): Promise<NotifierHarness> {
  const logger = createLogger(process.env.ATS_TEST_LOG_LEVEL ?? 'silent', 'notifier-test');
  const producerRedis = createRedis(opts.redisUrl);
  producerRedis.on('error', () => {
    /* outages are part of some tests */
  });
  const queue = createNotificationQueue(producerRedis, opts.queueName, { jobOptions: opts.jobOptions });
  const workerRedis = createRedis(opts.redisUrl, { forWorker: true });
  workerRedis.on('error', () => {
    /* reconnects by itself */
  });
  const mailer = createMailer({ smtpUrl: opts.smtpUrl, from: MAIL_FROM, outboxDir: opts.outboxDir ?? '' }, logger, {
    maxConnections: opts.concurrency ?? 5,
  });

  const stopSweeper = opts.sweep ? startNotificationSweeper(opts.orm, queue, logger, opts.sweep) : () => undefined;
  const recordsOutbox = Boolean(opts.outbox || opts.sweep);
  const harness: NotifierHarness = {
    queueName: opts.queueName,
    queue,
    producerRedis,
    activities: createNotificationActivities({ orm: opts.orm, queue }),
    worker: null,
    async startWorker(options = {}) {
      harness.worker = createNotificationWorker({
        connection: workerRedis,
        queueName: opts.queueName,
        concurrency: opts.concurrency ?? 5,
        mailer,
        mailFrom: MAIL_FROM,
        logger,
        options,
        orm: recordsOutbox ? opts.orm : undefined,
      });
      await harness.worker.waitUntilReady();
      return harness.worker;
    },
    async stopWorker() {
      await harness.worker?.close();
      harness.worker = null;
    },
    async waitForIdle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (!c.waiting && !c.active && !c.delayed && !c.prioritized) return;
        if (Date.now() > deadline) throw new Error(`queue not idle after ${timeoutMs} ms: ${JSON.stringify(c)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      stopSweeper();
      await harness.stopWorker();
      await mailer.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      const keys = await producerRedis.keys(`ats:notifications:${opts.queueName}:*`).catch(() => [] as string[]);
      if (keys.length) await producerRedis.del(...keys);
      await queue.close();
      workerRedis.disconnect();
      producerRedis.disconnect();
    },
  };
  return harness;
}

/**
 * A job inserted directly, under a random ID: workflow IDs derive from (job, candidate), and every
 * stack's SQLite counts from 1 while all stacks of a run share one Temporal server.
 */
export async function insertJob(orm: MikroORM, recruiterId: number, fields: { title: string; company: string }): Promise<number> {
  const em = orm.em.fork();
  const now = new Date().toISOString();
  const companyId = (await resolveCompany(em, { company: fields.company })).id;
  const job = em.create(JobSchema, {
    id: randomInt(1_000_000, 2_000_000_000),
    title: fields.title,
    companyId,
    description: null,
    location: null,
    status: 'open',
    createdBy: recruiterId,
    createdAt: now,
    updatedAt: now,
  });
  addCreatorToTeam(em, job);
  await em.flush();
  return job.id;
}

/** A notification event as the workflow would send it. */
export function notificationEvent(
  fields: Pick<NotificationEvent, 'kind' | 'applicationId' | 'seq' | 'jobId' | 'candidateId' | 'to'> & Partial<NotificationEvent>,
): NotificationEvent {
  return { from: null, reason: null, at: '2026-11-24T10:00:00.000Z', ...fields };
}
