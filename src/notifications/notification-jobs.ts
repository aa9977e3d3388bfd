import type { MikroORM } from '@mikro-orm/sql';
import type { NotificationEvent, NotificationKind } from '../domain/notifications';
import type { User } from '../db/entities/user.entity';
import { notificationJobId, type Audience, type NotificationJobData } from './notification-queue';
import type { OutboxJob } from './notification-outbox';

/** The jobs a transition's notifications become; the transition recorder writes them to the outbox, then Redis. */

/** Who hears about what: candidates about their own application, the job's recruiter about new work. */
const AUDIENCES: Record<NotificationKind, readonly Exclude<Audience, 'interviewer'>[]> = {
  application_received: ['candidate', 'recruiter'],
  stage_changed: ['candidate'],
  final_outcome: ['candidate'],
  sla_reminder: ['recruiter'],
  offer_expired: ['candidate', 'recruiter'],
  // A migration changes the process under an application, not its progress: webhooks only.
  pipeline_migrated: [],
  // An interview's messages come from its notices (interview-notifications.ts), never from a transition.
  interview_invitation: [],
  interview_cancelled: [],
  scorecard_reminder: [],
  scorecard_escalation: [],
};

/** The jobs of several events, built from SQL (a read per event). */
export async function notificationJobsOf(orm: MikroORM, events: readonly NotificationEvent[]): Promise<OutboxJob[]> {
  return (await Promise.all(events.map((event) => notificationJobs(orm, event)))).flat();
}

/** One row per person the event can concern (the candidate, the job's creator), with the job and its company. */
const PEOPLE_OF_EVENT = `select j.id as job_id, j.title as title, j.created_by as created_by, c.name as company,
    u.id as user_id, u.email as email, u.full_name as full_name, u.active as active
  from jobs j
  left join companies c on c.id = j.company_id
  left join users u on u.id = ? or u.id = j.created_by
  where j.id = ?`;

interface PersonRow {
  job_id: number | string;
  title: string;
  created_by: number | string;
  company: string | null;
  user_id: number | string | null;
  email: string;
  full_name: string | null;
  active: number | boolean;
}

/** The people a message goes to or names: what the job needs of a user. */
type Person = Pick<User, 'id' | 'email' | 'fullName' | 'active'>;

/** One BullMQ job per recipient and channel of `event`, each with its idempotent job ID. One SQL read. */
export async function notificationJobs(orm: MikroORM, event: NotificationEvent): Promise<OutboxJob[]> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<PersonRow[]>(PEOPLE_OF_EVENT, [Number(event.candidateId), Number(event.jobId)], 'all');
  // Jobs with applications cannot be deleted; if one is gone anyway there is nothing to say about it.
  if (!rows.length) return [];
  const [first] = rows;
  const job = { id: Number(first.job_id), title: first.title, company: first.company ?? '' };
  const ids = { candidate: Number(event.candidateId), recruiter: Number(first.created_by) };
  const byId = new Map<number, Person>(
    rows
      .filter((r) => r.user_id !== null)
      .map((r) => [
        Number(r.user_id),
        { id: Number(r.user_id), email: r.email, fullName: r.full_name ?? undefined, active: Boolean(r.active) },
      ]),
  );
  const candidate = byId.get(ids.candidate);

  const seen = new Set<number>();
  return AUDIENCES[event.kind].flatMap((audience) => {
    const recipient = byId.get(ids[audience]);
    // Deactivated accounts get no mail; someone who is both candidate and recruiter gets one copy.
    if (!recipient?.active || seen.has(recipient.id)) return [];
    seen.add(recipient.id);
    const data = jobData(event, audience, recipient, candidate, job);
    return [{ name: event.kind, data, opts: { jobId: notificationJobId({ ...data, recipientId: data.recipient.id }) } }];
  });
}

function jobData(
  event: NotificationEvent,
  audience: Audience,
  recipient: Person,
  candidate: Person | undefined,
  job: { id: number; title: string; company: string },
): NotificationJobData {
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
    ...(event.toKind === undefined ? {} : { toKind: event.toKind }),
    reason: event.reason,
  };
}
