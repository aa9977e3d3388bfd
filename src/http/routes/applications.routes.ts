import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import type { User } from '../../db/entities/user.entity';
import { STAFF_ROLES } from '../../db/entities/user.entity';
import { findJob } from '../../jobs/job-lookup';
import { NotFoundError } from '../../domain/errors';
import { assertAccess, READERS, RUNNERS, type ApplicationAccess } from '../../applications/application-access';
import { changeStage, submitApplication } from '../../applications/application-commands';
import { findApplication, listApplications, peopleByIds } from '../../applications/application-repository';
import { decodeApplicationCursor, encodeApplicationCursor } from '../../applications/application-cursor';
import { readViewFromRecord, viewFromState, withPeople, type EvaluatedView } from '../../applications/application-view';
import { withEvaluations } from '../../applications/application-evaluation';
import type { ApplicationAnswer } from '../../../workflows/messages';
import type { ApplicationContent } from '../../applications/application-repository';
import { defineRoute } from '../route';
import { updateIdOf } from '../idempotency';
import { IdParams } from '../schemas/id.schemas';
import { NoFields } from '../schemas/request-body.schemas';
import {
  ApplicationIdParams,
  ApplicationJson,
  ApplicationListQuery,
  ApplicationPage,
  ApplyBody,
  StageChangeBody,
} from '../schemas/application.schemas';

const TAGS = ['applications'];
/** Only the candidate who owns an application withdraws it. */
const OWNER: readonly ApplicationAccess[] = ['owner'];

/** Writes wait for the workflow; when it cannot answer in time nothing was applied, and the client sends again. */
const TRY_AGAIN = {
  503: {
    description: 'The application could not take the change in time (`try_again`, with `Retry-After`): nothing was applied; send it again',
  },
};

/**
 * Applications are Temporal workflows: writes are workflow messages (update-with-start to apply, an
 * update to change stage) that answer once SQL has the change; reads come from the SQL projection.
 */
export function applicationRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const ui = { uiUrl: services.config.temporal.uiUrl, namespace: services.config.temporal.namespace };
  /** A write's answer, with the names its readers see (one users query for the candidate and the actors) and the evaluation. */
  const answer = async (state: ApplicationAnswer & ApplicationContent, user: User): Promise<EvaluatedView> => {
    const view = viewFromState(state, ui);
    const named = withPeople(view, await peopleByIds(services.orm.em, [view.candidateId, ...view.history.map((h) => h.by)]));
    return (await withEvaluations(services.orm.em, [named], user))[0];
  };

  /**
   * The application's id when `user` may do this with it (application-access.ts): 404 when they may
   * not see it at all, 403 when their team role does not allow this. The id names the job and the
   * candidate, so the check needs no read of the application.
   */
  const visibleId = async (id: string, user: User, allowed: readonly ApplicationAccess[] = READERS): Promise<string> => {
    await assertAccess(services.orm.em, user, id, allowed);
    return id;
  };
  /**
   * A keyed request is checked before its stored answer could be replayed: someone who lost access
   * gets the 404 (or 403) a fresh request would. Unkeyed ones are checked by the handler, after validation.
   */
  const guardVisible =
    (allowed: readonly ApplicationAccess[]) =>
    async (ctx: Context): Promise<void> => {
      if (ctx.headers['idempotency-key'] !== undefined) await visibleId(String(ctx.params.id), ctx.state.user as User, allowed);
    };

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/jobs/{id}/apply',
    summary: 'Apply to a job',
    description:
      "Starts the application's workflow and answers once it is recorded. Only `open` jobs take applications (any other answers 404, as reading it does); " +
      'closing a job does not strand the applications it already has, which keep moving through the pipeline.',
    tags: TAGS,
    auth: ['candidate'],
    params: IdParams,
    body: ApplyBody,
    // Both fields are optional, and clients apply with no body at all.
    bodyRequired: false,
    idempotent: true,
    responses: {
      201: { description: 'The new application, in stage `applied`', schema: ApplicationJson },
      404: { description: 'No such job, or a draft (which candidates cannot read either)' },
      409: { description: '`duplicate_application`: already applied (also when two applies race); `job_not_open`: the job is closed' },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      const job = await findJob(services.orm.em, params.id);
      const state = await submitApplication(services, job, user.id, {
        coverLetter: body.coverLetter ?? null,
        resumeUrl: body.resumeUrl ?? null,
      });
      ctx.status = 201;
      ctx.set('Location', `/api/applications/${encodeURIComponent(state.applicationId)}`);
      ctx.body = await answer(state, user);
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/applications',
    summary: 'List applications, newest first',
    description:
      'Admins see all applications; staff those of the jobs on whose hiring team they are a `recruiter` or `hiring_manager`, and the ones they have an interview with (as an `interviewer`); candidates their own. ' +
      "`q` keeps those whose candidate's name or e-mail contains it (case-insensitive, plain text: `%` and `_` are no wildcards).",
    tags: TAGS,
    auth: 'any',
    query: ApplicationListQuery,
    responses: { 200: { description: 'One page of applications', schema: ApplicationPage } },
    async handler(ctx, { query, user }) {
      const records = await listApplications(services.orm.em, {
        candidateId: user.role === 'candidate' ? user.id : undefined,
        teamMemberId: user.role === 'candidate' || user.role === 'admin' ? undefined : user.id,
        jobId: query.jobId === undefined ? undefined : Number(query.jobId),
        stage: query.stage,
        q: query.q,
        needsDecision: query.needsDecision === undefined ? undefined : query.needsDecision === 'true',
        after: query.cursor === undefined ? undefined : decodeApplicationCursor(query.cursor),
        // One row more than the page says whether another page follows.
        limit: query.limit + 1,
      });
      const page = records.slice(0, query.limit);
      const last = page[page.length - 1];
      ctx.body = {
        items: await withEvaluations(
          services.orm.em,
          page.map((r) => readViewFromRecord(r, ui)),
          user,
        ),
        nextCursor: records.length > query.limit ? encodeApplicationCursor({ createdAt: last.createdAt, id: last.id }) : null,
      };
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/applications/{id}',
    summary: 'Get an application with its stage history',
    tags: TAGS,
    auth: 'any',
    params: ApplicationIdParams,
    responses: {
      200: { description: 'The application', schema: ApplicationJson },
      404: {
        description:
          "No such application, or one the caller may not see (another candidate's, a job off the caller's hiring teams, or, for an `interviewer`, one they have no interview with)",
      },
    },
    async handler(ctx, { params, user }) {
      const record = await findApplication(services.orm.em, await visibleId(params.id, user));
      if (!record) throw new NotFoundError('Application not found.');
      ctx.body = (await withEvaluations(services.orm.em, [readViewFromRecord(record, ui)], user))[0];
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/applications/{id}/stage',
    summary: 'Move an application to another stage',
    description:
      'Allowed moves: `applied → screening → interview → offer → hired`, and `rejected` from any non-final stage. ' +
      'Send `fromStage` to refuse the change if someone else moved the application first.',
    tags: TAGS,
    auth: STAFF_ROLES,
    params: ApplicationIdParams,
    body: StageChangeBody,
    guard: guardVisible(RUNNERS),
    idempotent: true,
    responses: {
      200: { description: 'The application after the change', schema: ApplicationJson },
      403: { description: 'Candidates; and team members whose team role is not `recruiter` (`team_role_forbids`)' },
      404: { description: "No such application, or one the caller may not see (a job off the caller's hiring teams)" },
      409: {
        description:
          '`invalid_transition` (with `allowed`: the stages it may move to), or `stage_changed` (with `current`) when `fromStage` is no longer current',
      },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      const id = await visibleId(params.id, user, RUNNERS);
      const state = await changeStage(
        services,
        id,
        { stage: body.stage, reason: body.reason ?? null, fromStage: body.fromStage, by: String(user.id) },
        updateIdOf(ctx),
      );
      ctx.body = await answer(state, user);
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/applications/{id}/withdraw',
    summary: 'Withdraw your application',
    description: "The candidate's own rejection: the application becomes `rejected` with reason `withdrawn`.",
    tags: TAGS,
    auth: ['candidate'],
    params: ApplicationIdParams,
    guard: guardVisible(OWNER),
    idempotent: true,
    body: NoFields,
    bodyRequired: false,
    responses: {
      200: { description: 'The application, now rejected', schema: ApplicationJson },
      404: { description: "No such application, or another candidate's" },
      409: { description: '`invalid_transition`: the application is already final' },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, user }) {
      const id = await visibleId(params.id, user, OWNER);
      const state = await changeStage(services, id, { stage: 'rejected', reason: 'withdrawn', by: String(user.id) }, updateIdOf(ctx));
      ctx.body = await answer(state, user);
    },
  });
}
