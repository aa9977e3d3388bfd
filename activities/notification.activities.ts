import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import type { NotificationEvent, NotificationKind } from '../src/domain/notifications';
import { JobSchema } from '../src/db/entities/job.entity';
import { CompanySchema } from '../src/db/entities/company.entity';
import { UserSchema, type User } from '../src/db/entities/user.entity';
import { notificationJobId, type Audience, type NotificationJobData } from '../src/queue/notification-queue';
import { recordOutbox } from '../src/queue/notification-outbox';

export type { NotificationEvent, NotificationKind } from '../src/domain/notifications';

export interface NotificationActivities {
  /** Returns how many jobs were newly enqueued (0 when a retry finds them all already there). */
  enqueueNotifications(event: NotificationEvent): Promise<number>;
}

export interface NotificationDeps { orm: MikroORM; queue: Queue<NotificationJobData> }

/** Who hears about what: candidates about their own application, the job's recruiter about new work. */
const AUDIENCES: Record<NotificationKind, readonly Audience[]> = {
  application_received: ['candidate', 'recruiter'],
  stage_changed: ['candidate'],
  final_outcome: ['candidate'],
  sla_reminder: ['recruiter'],
  offer_expired: ['candidate', 'recruiter'],
};

export function createNotificationActivities(deps: NotificationDeps): NotificationActivities {
  return {
    async enqueueNotifications(event) {
      const jobs = await notificationJobs(deps.orm, event);
      if (!jobs.length) return 0;
      await recordOutbox(deps.orm, jobs);
      // Adding an existing job ID is a no-op in BullMQ; looking first only tells the caller what was new.
      const before = await Promise.all(jobs.map((j) => deps.queue.getJob(j.opts.jobId)));
      await deps.queue.addBulk(jobs);
      return before.filter((j) => !j).length;
    },
  };
}

/** Enqueues the jobs of several events at once, without counting what was new. */
export async function enqueueAllNotifications({ orm, queue }: NotificationDeps, events: NotificationEvent[]): Promise<void> {
  const jobs = (await Promise.all(events.map((event) => notificationJobs(orm, event)))).flat();
  if (!jobs.length) return;
  // SQL first: a job Redis loses later is found there and queued again by the notifier's sweep.
  await recordOutbox(orm, jobs);
  await queue.addBulk(jobs);
}

/** One BullMQ job per recipient and channel of `event`, each with its idempotent job ID. */
async function notificationJobs(orm: MikroORM, event: NotificationEvent) {
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
