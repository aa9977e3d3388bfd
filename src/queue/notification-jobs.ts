import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { NotificationEvent, NotificationKind } from '../domain/notifications';
import { JobSchema } from '../db/entities/job.entity';
import { CompanySchema } from '../db/entities/company.entity';
import { UserSchema, type User } from '../db/entities/user.entity';
import { notificationJobId, type Audience, type NotificationJobData } from './notification-queue';
import { recordOutbox, type OutboxJob } from './notification-outbox';

/**
 * The jobs a transition's notifications become, and their queueing: SQL's outbox first, then Redis.
 * The API queues those of the changes it asked for; the recording activity those of everything else.
 */
export interface NotificationDeps { orm: MikroORM; queue: Queue<NotificationJobData> }

/** Who hears about what: candidates about their own application, the job's recruiter about new work. */
const AUDIENCES: Record<NotificationKind, readonly Audience[]> = {
  application_received: ['candidate', 'recruiter'],
  stage_changed: ['candidate'],
  final_outcome: ['candidate'],
  sla_reminder: ['recruiter'],
  offer_expired: ['candidate', 'recruiter'],
};

/** Builds the jobs of several events and writes them to the outbox (SQL), ready to be queued. */
export async function recordNotificationJobs(orm: MikroORM, events: readonly NotificationEvent[]): Promise<OutboxJob[]> {
  const jobs = (await Promise.all(events.map((event) => notificationJobs(orm, event)))).flat();
  // SQL first: a job Redis loses later is found there and queued again by the notifier's sweep.
  if (jobs.length) await recordOutbox(orm, jobs);
  return jobs;
}

/** Enqueues the jobs of several events at once, without counting what was new. */
export async function enqueueAllNotifications({ orm, queue }: NotificationDeps, events: NotificationEvent[]): Promise<void> {
  const jobs = await recordNotificationJobs(orm, events);
  if (jobs.length) await queue.addBulk(jobs);
}

/** One BullMQ job per recipient and channel of `event`, each with its idempotent job ID. */
export async function notificationJobs(orm: MikroORM, event: NotificationEvent): Promise<OutboxJob[]> {
  const em = orm.em.fork();
  const job = await em.findOne(JobSchema, { id: Number(event.jobId) });
  // Jobs with applications cannot be deleted; if one is gone anyway there is nothing to say about it.
  if (!job) return [];
  const company = (await em.findOne(CompanySchema, { id: job.companyId }))?.name ?? '';
  const ids = { candidate: Number(event.candidateId), recruiter: job.createdBy };
  const users = await em.find(UserSchema, { id: { $in: [ids.candidate, ids.recruiter] } });
  const byId = new Map(users.map((u) => [u.id, u]));
  const candidate = byId.get(ids.candidate);

  const seen = new Set<number>();
  return AUDIENCES[event.kind].flatMap((audience) => {
    const recipient = byId.get(ids[audience]);
    // Deactivated accounts get no mail; someone who is both candidate and recruiter gets one copy.
    if (!recipient?.active || seen.has(recipient.id)) return [];
    seen.add(recipient.id);
    const data = jobData(event, audience, recipient, candidate, { id: job.id, title: job.title, company });
    return [{ name: event.kind, data, opts: { jobId: notificationJobId({ ...data, recipientId: data.recipient.id }) } }];
  });
}

function jobData(event: NotificationEvent, audience: Audience, recipient: User, candidate: User | undefined, job: { id: number; title: string; company: string }): NotificationJobData {
  return {
    kind: event.kind,
    channel: 'email',
    applicationId: event.applicationId,
    seq: event.seq,
    at: event.at,
    audience,
    recipient: { id: String(recipient.id), email: recipient.email, name: recipient.fullName ?? null },
    job: { id: String(job.id), title: job.title, company: job.company },
    candidate: { id: event.candidateId, name: candidate?.fullName ?? null },
    from: event.from,
    to: event.to,
    reason: event.reason,
  };
}
