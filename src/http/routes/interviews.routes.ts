import type Router from '@koa/router';
import type { Context } from 'koa';
import { ZodError } from 'zod';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import { UserSchema, type User } from '../../db/entities/user.entity';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import { toDbId } from '../../domain/ids';
import type { InterviewDetails } from '../../domain/interviews';
import { addToTeam } from '../../jobs/hiring-team';
import { accessTo, assertAccess, JUDGES, READERS, RUNNERS, type ApplicationAccess } from '../../applications/application-access';
import {
  findInterview,
  findScorecard,
  applicationsWithOwnScorecard,
  hasOwnScorecard,
  interviewsOf,
  listInterviews,
  listScorecards,
  interviewView,
  statusOf,
  type InterviewRow,
  type Viewer,
  type ScorecardRow,
} from '../../applications/interviews';
import {
  cancelInterview,
  changeInterview,
  newInterviewId,
  scheduleInterview,
  submitScorecard,
} from '../../applications/interview-commands';
import { emitInterviewEvent } from '../../applications/interview-events';
import { applicationExists, findApplication } from '../../applications/application-repository';
import { isFinalRecord } from '../../domain/pipelines';
import type { WebhookEvent } from '../../webhooks/webhook-events';
import { parseApplicationId } from '../../domain/ids';
import { defineRoute } from '../route';
import { updateIdOf } from '../idempotency';
import { ApplicationIdParams } from '../schemas/application.schemas';
import { NoFields } from '../schemas/request-body.schemas';
import {
  InterviewBody,
  InterviewChangeBody,
  InterviewIdParams,
  InterviewJson,
  InterviewList,
  MyInterviewsQuery,
  ScorecardBody,
  ScorecardJson,
  ScorecardList,
} from '../schemas/interview.schemas';

const TAGS = ['interviews'];
const HIDDEN = "No such application, or one the caller may not see (another candidate's; a job outside the caller's hiring teams)";
const INTERVIEW_HIDDEN = 'No such interview, or one of an application the caller may not see';
const TRY_AGAIN = {
  503: { description: 'The application could not take the change in time (`try_again`): nothing was applied; send it again' },
};
const REFUSED = {
  409: {
    description:
      '`application_final` (hired or rejected: its interviews are over), `interview_cancelled`, `interview_complete` (every scorecard is in)',
  },
};

const DAY_MS = 86_400_000;
/** Beyond these, the times are a mistake (a year typed wrong), not an interview: 422 names the field. */
const MAX_LEAD_DAYS = 730;
const MAX_INTERVIEW_DAYS = 7;

const sameInterview = (a: Omit<InterviewDetails, 'id'>, b: Omit<InterviewDetails, 'id'>) =>
  a.title === b.title &&
  a.startsAt === b.startsAt &&
  a.endsAt === b.endsAt &&
  a.location === b.location &&
  [...a.interviewerIds].sort().join() === [...b.interviewerIds].sort().join();

const scorecardJson = (s: ScorecardRow) => ({
  ...s,
  attributes: s.attributes.map((a) => ({ name: a.name, rating: a.rating, note: a.note ?? null })),
});

/**
 * Interviews and scorecards. Writes are updates of the application's workflow (which starts a child
 * workflow per interview for its invitations, reminders and escalation); reads come from SQL.
 */
export function interviewRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;

  const viewerOf = async (user: User, applicationId: string, access: ApplicationAccess): Promise<Viewer> => ({
    access,
    userId: user.id,
    sighted: access === 'interviewer' ? await hasOwnScorecard(em(), applicationId, user.id) : true,
  });

  /** The interview and the caller's access to its application: 404 for whoever may not see the application. */
  async function visibleInterview(id: string, user: User): Promise<{ interview: InterviewRow; access: ApplicationAccess }> {
    const interview = await findInterview(em(), id);
    const access = interview ? await accessTo(em(), user, interview.applicationId) : null;
    if (!interview || access === null) throw new NotFoundError('Interview not found.');
    return { interview, access };
  }

  /** Checked before the body is validated and before a keyed request's stored answer could be replayed. */
  const guardRunner = async (ctx: Context) => {
    await assertAccess(em(), ctx.state.user as User, String(ctx.params.id), RUNNERS, 'team_role_forbids');
  };
  const guardInterviewRunner = async (ctx: Context) => {
    const { access } = await visibleInterview(String(ctx.params.id), ctx.state.user as User);
    if (access === 'owner') throw new NotFoundError('Interview not found.');
    if (!RUNNERS.includes(access)) throw new ForbiddenError('Your role on this job does not allow this.', 'team_role_forbids');
  };

  /**
   * The interviewers named: active staff (recruiters, hiring managers, admins), each once. Those not on
   * the job's team join it as `interviewer`. One 422 for every id that names no such person.
   */
  async function interviewersFor(ids: ReadonlyArray<string | number>, path: string): Promise<string[]> {
    const unique = [...new Set(ids.map(String))];
    const dbIds = unique.map((id) => toDbId(id));
    const found = dbIds.every((id) => id !== undefined) ? await em().find(UserSchema, { id: { $in: dbIds as number[] } }) : [];
    const staff = new Set(found.filter((u) => u.active && u.role !== 'candidate').map((u) => String(u.id)));
    const bad = unique.findIndex((id) => !staff.has(String(toDbId(id))));
    if (bad >= 0)
      throw new ZodError([
        {
          code: 'custom',
          path: [path, bad],
          message: 'Not an active recruiter, hiring manager or admin: only staff interview.',
          input: unique[bad],
        },
      ]);
    return unique.map((id) => String(toDbId(id)));
  }

  /** `checkFuture`: `startsAt` is being set, so it must lie ahead, and not absurdly far. */
  function assertTimes(startsAt: string, endsAt: string, checkFuture: boolean): void {
    const issues: ConstructorParameters<typeof ZodError>[0] = [];
    const [starts, ends] = [Date.parse(startsAt), Date.parse(endsAt)];
    if (ends <= starts)
      issues.push({ code: 'custom', path: ['endsAt'], message: 'The interview must end after it starts.', input: endsAt });
    else if (ends - starts > MAX_INTERVIEW_DAYS * DAY_MS)
      issues.push({ code: 'custom', path: ['endsAt'], message: `An interview lasts at most ${MAX_INTERVIEW_DAYS} days.`, input: endsAt });
    if (checkFuture && starts < Date.now())
      issues.push({ code: 'custom', path: ['startsAt'], message: 'The interview cannot start in the past.', input: startsAt });
    else if (checkFuture && starts > Date.now() + MAX_LEAD_DAYS * DAY_MS)
      issues.push({ code: 'custom', path: ['startsAt'], message: `An interview starts within ${MAX_LEAD_DAYS} days.`, input: startsAt });
    if (issues.length) throw new ZodError(issues);
  }

  const utc = (instant: string) => new Date(Date.parse(instant)).toISOString();

  /** Whether the interview would still take a change: neither it nor its application is over. */
  async function stillOpen(interview: InterviewRow): Promise<boolean> {
    if (!['scheduled', 'awaiting_feedback'].includes(statusOf(interview))) return false;
    const application = await findApplication(em(), interview.applicationId);
    return application !== null && !isFinalRecord(application);
  }

  /** A write's answer, as its webhook carries it (an admin's view: the caller may schedule, so sees all). */
  async function answered(event: WebhookEvent, interviewId: string, user: User) {
    const row = (await findInterview(em(), interviewId))!;
    const json = interviewView(row, { access: 'admin', userId: user.id, sighted: true });
    await emitInterviewEvent(services, event, `interview.${row.id}.${row.revision}.${row.stored}`, row.applicationId, json);
    return json;
  }

  async function joinTeam(applicationId: string, interviewerIds: string[], by: number): Promise<void> {
    const jobId = Number(parseApplicationId(applicationId)!.jobId);
    for (const id of interviewerIds) await addToTeam(em(), jobId, Number(id), by, 'interviewer');
  }

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/applications/{id}/interviews',
    summary: 'Schedule an interview',
    description:
      'Admins and `recruiter` team members. The candidate and each interviewer get an e-mail with an iCalendar invitation; ' +
      'interviewers not on the hiring team join it as `interviewer`. From `endsAt` the interview awaits feedback: ' +
      'reminders and the escalation to the recruiters follow at `SCORECARD_REMINDER_SECONDS` and `SCORECARD_ESCALATION_SECONDS`.',
    tags: TAGS,
    auth: 'any',
    params: ApplicationIdParams,
    body: InterviewBody,
    guard: guardRunner,
    idempotent: true,
    responses: {
      201: { description: 'The interview', schema: InterviewJson },
      403: { description: 'The caller is on the team in a role that does not schedule (`team_role_forbids`)' },
      404: { description: HIDDEN },
      409: { description: '`application_final`: the application is hired or rejected' },
      422: {
        description:
          'An interviewer who is not active staff, `endsAt` not after `startsAt` or more than 7 days after it, or `startsAt` in the past or more than 730 days ahead',
      },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      assertTimes(body.startsAt, body.endsAt, true);
      const interviewerIds = await interviewersFor(body.interviewerIds, 'interviewerIds');
      const details: InterviewDetails = {
        id: newInterviewId(),
        title: body.title,
        startsAt: utc(body.startsAt),
        endsAt: utc(body.endsAt),
        location: body.location ?? null,
        interviewerIds,
      };
      await scheduleInterview(services, params.id, user.id, details, updateIdOf(ctx));
      await joinTeam(params.id, interviewerIds, user.id);
      ctx.status = 201;
      ctx.body = await answered('interview.scheduled', details.id, user);
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/applications/{id}/interviews',
    summary: "List an application's interviews, by start time",
    description:
      'Everyone who may see the application. The candidate sees only the time, title, place and whether it is `scheduled` or `cancelled`; ' +
      "an interviewer sees whether the others' scorecards are in only once their own is.",
    tags: TAGS,
    auth: 'any',
    params: ApplicationIdParams,
    responses: { 200: { description: 'The interviews', schema: InterviewList }, 404: { description: HIDDEN } },
    async handler(ctx, { params, user }) {
      const access = await assertAccess(em(), user, params.id, READERS);
      if (!(await applicationExists(em(), params.id))) throw new NotFoundError('Application not found.');
      const viewer = await viewerOf(user, params.id, access);
      const rows = await listInterviews(em(), params.id);
      ctx.body = { items: rows.map((r) => interviewView(r, viewer)), nextCursor: null };
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/interviews',
    summary: 'My interviews, upcoming first',
    description:
      "The caller's own interviews (as an interviewer), upcoming ones first by start time, then past ones, latest first; at most 100.",
    tags: TAGS,
    auth: ['recruiter', 'hiring_manager', 'admin'],
    query: MyInterviewsQuery,
    responses: { 200: { description: 'The interviews', schema: InterviewList } },
    async handler(ctx, { user }) {
      const rows = await interviewsOf(em(), user.id, new Date().toISOString(), 100);
      const sighted = await applicationsWithOwnScorecard(
        em(),
        rows.map((r) => r.applicationId),
        user.id,
      );
      ctx.body = {
        items: rows.map((r) => interviewView(r, { access: 'interviewer', userId: user.id, sighted: sighted.has(r.applicationId) })),
        nextCursor: null,
      };
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/interviews/{id}',
    summary: 'Reschedule an interview or change its interviewers',
    description:
      'Admins and `recruiter` team members, while it is neither cancelled nor complete. Everyone on it (and anyone taken off it) ' +
      'gets an updated invitation with the same iCalendar UID; the clocks after its end start again from the new end.',
    tags: TAGS,
    auth: 'any',
    params: InterviewIdParams,
    body: InterviewChangeBody,
    guard: guardInterviewRunner,
    idempotent: true,
    responses: {
      200: { description: 'The interview as it now is', schema: InterviewJson },
      403: { description: 'The caller is on the team in a role that does not schedule (`team_role_forbids`)' },
      404: { description: INTERVIEW_HIDDEN },
      ...REFUSED,
      422: {
        description:
          'An interviewer who is not active staff, `endsAt` not after `startsAt` or more than 7 days after it, or a new `startsAt` in the past or more than 730 days ahead',
      },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      const { interview } = await visibleInterview(params.id, user);
      const startsAt = body.startsAt === undefined ? interview.startsAt : utc(body.startsAt);
      const endsAt = body.endsAt === undefined ? interview.endsAt : utc(body.endsAt);
      assertTimes(startsAt, endsAt, body.startsAt !== undefined);
      const interviewerIds =
        body.interviewerIds === undefined
          ? interview.interviewers.map((i) => i.id)
          : await interviewersFor(body.interviewerIds, 'interviewerIds');
      const changed = {
        title: body.title ?? interview.title,
        startsAt,
        endsAt,
        location: body.location === undefined ? interview.location : body.location,
        interviewerIds,
      };
      const current = { ...interview, interviewerIds: interview.interviewers.map((i) => i.id) };
      // Nothing to change: no new revision, so nobody gets an invitation identical to the one they hold.
      // What the workflow would refuse (a final application, a cancelled or complete interview) it still refuses.
      if (sameInterview(changed, current) && (await stillOpen(interview))) {
        ctx.body = interviewView(interview, { access: 'admin', userId: user.id, sighted: true });
        return;
      }
      await changeInterview(services, interview.applicationId, user.id, { id: interview.id, ...changed }, updateIdOf(ctx));
      await joinTeam(interview.applicationId, interviewerIds, user.id);
      ctx.body = await answered('interview.updated', interview.id, user);
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/interviews/{id}/cancel',
    summary: 'Cancel an interview',
    description:
      'Admins and `recruiter` team members. The candidate and the interviewers of one still ahead get a cancellation (same UID).',
    tags: TAGS,
    auth: 'any',
    params: InterviewIdParams,
    body: NoFields,
    bodyRequired: false,
    guard: guardInterviewRunner,
    idempotent: true,
    responses: {
      200: { description: 'The interview, now `cancelled`', schema: InterviewJson },
      403: { description: 'The caller is on the team in a role that does not schedule (`team_role_forbids`)' },
      404: { description: INTERVIEW_HIDDEN },
      409: { description: '`application_final`, or `interview_complete` (every scorecard is in)' },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, user }) {
      const { interview } = await visibleInterview(params.id, user);
      await cancelInterview(services, interview.applicationId, user.id, interview.id, updateIdOf(ctx));
      ctx.body = await answered('interview.cancelled', interview.id, user);
    },
  });

  defineRoute(router, registry, services, {
    method: 'put',
    path: '/api/interviews/{id}/scorecard',
    summary: 'Submit (or replace) your scorecard for an interview',
    description: 'Only its interviewers, from `startsAt` until the application is final. A second PUT replaces the first.',
    tags: TAGS,
    auth: 'any',
    params: InterviewIdParams,
    body: ScorecardBody,
    guard: async (ctx) => {
      const user = ctx.state.user as User;
      const { interview, access } = await visibleInterview(String(ctx.params.id), user);
      if (access === 'owner') throw new NotFoundError('Interview not found.');
      if (!interview.interviewers.some((i) => i.id === String(user.id)))
        throw new ForbiddenError('Only the interviewers of this interview submit its scorecards.', 'not_an_interviewer');
    },
    responses: {
      200: { description: 'The scorecard', schema: ScorecardJson },
      403: { description: 'The caller is not an interviewer of this interview (`not_an_interviewer`)' },
      404: { description: INTERVIEW_HIDDEN },
      409: { description: '`interview_not_started`, `interview_cancelled`, or `application_final`' },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      const { interview } = await visibleInterview(params.id, user);
      await submitScorecard(services, interview.applicationId, interview.id, user.id, {
        recommendation: body.recommendation,
        attributes: (body.attributes ?? []).map((a) => ({ name: a.name, rating: a.rating, note: a.note ?? null })),
        notes: body.notes ?? null,
      });
      const card = scorecardJson((await findScorecard(em(), interview.id, user.id))!);
      await emitInterviewEvent(services, 'scorecard.submitted', `scorecard.${card.id}.${card.submittedAt}`, card.applicationId, card);
      ctx.body = card;
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/applications/{id}/scorecards',
    summary: "List an application's scorecards, in the order they came in",
    description:
      'Admins, `recruiter` and `hiring_manager` team members; an `interviewer` once their own scorecard for the application is in (blind scoring). Candidates get 404.',
    tags: TAGS,
    auth: 'any',
    params: ApplicationIdParams,
    responses: {
      200: { description: 'The scorecards', schema: ScorecardList },
      403: { description: '`scorecards_hidden`: an interviewer whose own scorecard for this application is not in yet' },
      404: { description: HIDDEN },
    },
    async handler(ctx, { params, user }) {
      const access = await assertAccess(em(), user, params.id, [...JUDGES, 'interviewer']);
      if (!(await applicationExists(em(), params.id))) throw new NotFoundError('Application not found.');
      if (access === 'interviewer' && !(await hasOwnScorecard(em(), params.id, user.id)))
        throw new ForbiddenError("Other interviewers' scorecards open once yours for this application is in.", 'scorecards_hidden');
      ctx.body = { items: (await listScorecards(em(), params.id)).map(scorecardJson), nextCursor: null };
    },
  });
}
