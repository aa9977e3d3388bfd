import type { MikroORM } from '@mikro-orm/sql';
import type { Queue } from 'bullmq';
import { placeholders } from '../db/placeholders';
import type { InterviewNotice } from '../domain/interviews';
import type { Stage } from '../domain/stages';
import { notificationJobId, type Audience, type NotificationJobData } from './notification-queue';
import { recordOutboxIn, type OutboxJob } from './notification-outbox';
import { addJobs } from './add-jobs';

/** The messages of an interview's notices: who gets one is read from SQL when the notice is recorded. */

interface Row {
  title: string;
  company: string | null;
  stage: Stage | null;
  user_id: number | string | null;
  email: string | null;
  full_name: string | null;
  active: number | boolean | null;
  recruiter: number | boolean | null;
}

interface Person {
  id: string;
  email: string;
  name: string | null;
  active: boolean;
  recruiter: boolean;
}

/**
 * One row per person the notice names or goes to (the candidate unless erased, the interviewers, and for an
 * escalation the job's recruiters), each with the job, its company and the application's stage.
 */
function peopleOf(userIds: readonly number[], recruiters: boolean): string {
  const named = userIds.length ? `u.id in (${placeholders(userIds.length)})` : '1 = 0';
  const team = "select m.user_id from job_team_members m where m.job_id = j.id and m.team_role = 'recruiter'";
  return `select j.title as title, c.name as company, a.stage as stage,
      u.id as user_id, u.email as email, u.full_name as full_name, u.active as active,
      ${recruiters ? `u.id in (${team})` : '0'} as recruiter
    from jobs j
    left join companies c on c.id = j.company_id
    left join applications a on a.id = ?
    left join users u on ${named}${recruiters ? ` or u.id in (${team})` : ''}
    where j.id = ?`;
}

/** One job per recipient of `notice`, each with its idempotent id. One SQL read. */
export async function interviewNotificationJobs(orm: MikroORM, notice: InterviewNotice): Promise<OutboxJob[]> {
  const { interview } = notice;
  const escalation = notice.kind === 'scorecard_escalation';
  const userIds = [...new Set([...(notice.candidateIncluded ? [notice.candidateId] : []), ...interview.interviewerIds, ...notice.missing])]
    .map(Number)
    .filter(Number.isSafeInteger);
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<Row[]>(peopleOf(userIds, escalation), [notice.applicationId, ...userIds, Number(notice.jobId)], 'all');
  // Jobs with applications cannot be deleted; if one is gone anyway there is nothing to say about it.
  if (!rows.length) return [];
  const [first] = rows;
  const people = new Map<string, Person>(
    rows
      .filter((r) => r.user_id !== null)
      .map((r) => [
        String(r.user_id),
        { id: String(r.user_id), email: r.email ?? '', name: r.full_name, active: Boolean(r.active), recruiter: Boolean(r.recruiter) },
      ]),
  );
  const candidate = notice.candidateIncluded ? people.get(notice.candidateId) : undefined;
  const nameOf = (id: string) => people.get(id)?.name ?? people.get(id)?.email ?? `user ${id}`;

  const base: Omit<NotificationJobData, 'audience' | 'recipient' | 'interview'> = {
    kind: notice.kind,
    channel: 'email',
    applicationId: notice.applicationId,
    seq: notice.revision,
    at: notice.at,
    job: { id: notice.jobId, title: first.title, company: first.company ?? '' },
    candidate: { id: notice.candidateId, name: candidate?.name ?? null },
    from: null,
    to: first.stage ?? 'interview',
    reason: null,
  };
  const part = {
    id: interview.id,
    title: interview.title,
    startsAt: interview.startsAt,
    endsAt: interview.endsAt,
    location: interview.location,
    revision: notice.revision,
    candidateIncluded: notice.candidateIncluded,
  };
  const staffPart = { ...part, interviewers: interview.interviewerIds.map(nameOf), missing: notice.missing.map(nameOf) };

  const seen = new Set<string>();
  return recipientsOf(notice, [...people.values()]).flatMap(([audience, id]) => {
    const recipient = people.get(id);
    // Deactivated accounts get no mail; nobody gets two copies of one message.
    if (!recipient?.active || !recipient.email || seen.has(id)) return [];
    seen.add(id);
    const data: NotificationJobData = {
      ...base,
      audience,
      recipient: { id, email: recipient.email, name: recipient.name },
      interview: audience === 'candidate' ? part : staffPart,
    };
    return [{ name: notice.kind, data, opts: { jobId: notificationJobId({ ...data, recipientId: id }) } }];
  });
}

/** Who gets the notice, by kind (see `InterviewNotice`): the candidate only while they are included. */
function recipientsOf(notice: InterviewNotice, people: readonly Person[]): Array<[Audience, string]> {
  switch (notice.kind) {
    case 'interview_invitation':
    case 'interview_cancelled':
      return [
        ...(notice.candidateIncluded ? [['candidate', notice.candidateId] as [Audience, string]] : []),
        ...notice.interview.interviewerIds.map((id): [Audience, string] => ['interviewer', id]),
      ];
    case 'scorecard_reminder':
      return notice.missing.map((id) => ['interviewer', id]);
    case 'scorecard_escalation':
      return people.filter((p) => p.recruiter).map((p) => ['recruiter', p.id]);
  }
}

/**
 * Records a notice's messages: the outbox rows in one SQL transaction, then the jobs to Redis. Both
 * are keyed by the jobs' ids, so recording the same notice again (an activity's retry) sends nothing twice.
 */
export async function recordInterviewNotice(
  deps: { orm: MikroORM; queue: Queue<NotificationJobData> },
  notice: InterviewNotice,
): Promise<void> {
  const jobs = await interviewNotificationJobs(deps.orm, notice);
  if (!jobs.length) return;
  await deps.orm.em.fork().transactional((em) => recordOutboxIn(em, jobs));
  await addJobs(deps.queue, jobs);
}
