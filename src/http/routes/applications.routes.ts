import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import type { User } from '../../db/entities/user.entity';
import { STAFF_ROLES } from '../../db/entities/user.entity';
import { findJobToApply } from '../../jobs/job-lookup';
import { NotFoundError } from '../../domain/errors';
import { assertAccess, READERS, RUNNERS, type ApplicationAccess } from '../../applications/application-access';
import { changeStage, reopenApplication, submitApplication } from '../../applications/application-commands';
import { stagesMissingFromPipeline } from '../../jobs/pipelines';
import { ConflictError } from '../../domain/errors';
import { parseApplicationId } from '../../domain/ids';
import { ZodError } from 'zod';
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
  ReopenBody,
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
  /**
   * A write's answer, with the names its readers see (one users query for the candidate and the actors) and the evaluation.
   * `access`: the caller's, as the request's authorization found it; a team role then needs no second read.
   */
  const answer = async (state: ApplicationAnswer & ApplicationContent, user: User, access?: ApplicationAccess): Promise<EvaluatedView> => {
    const view = viewFromState(state, ui);
    const named = withPeople(view, await peopleByIds(services.orm.em, [view.candidateId, ...view.history.map((h) => h.by)]));
    const teamRole = access === undefined || access === 'admin' || access === 'owner' ? undefined : new Map([[view.jobId, access]]);
    return (await withEvaluations(services.orm.em, [named], user, teamRole))[0];
  };

  /**
   * The caller's access when `user` may do this with the application (application-access.ts): 404
   * when they may not see it at all, 403 when their team role does not allow this. The id names the
   * job and the candidate, so the check needs no read of the application.
   */
  const access = (id: string, user: User, allowed: readonly ApplicationAccess[] = READERS): Promise<ApplicationAccess> =>
    assertAccess(services.orm.em, user, id, allowed);
  /**
   * A keyed request is checked before its stored answer could be replayed: someone who lost access
   * gets the 404 (or 403) a fresh request would. Unkeyed ones are checked by the handler, after validation.
   */
  const guardVisible =
    (allowed: readonly ApplicationAccess[]) =>
    async (ctx: Context): Promise<void> => {
      if (ctx.headers['idempotency-key'] !== undefined) await access(String(ctx.params.id), ctx.state.user as User, allowed);
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
      const job = await findJobToApply(services.orm.em, params.id);
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
      const teamMemberId = user.role === 'candidate' || user.role === 'admin' ? undefined : user.id;
      const records = await listApplications(services.orm.em, {
        candidateId: user.role === 'candidate' ? user.id : undefined,
        teamMemberId,
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
      // A team member's page brings their team role on each row's job.
      const teamRoles = teamMemberId === undefined ? undefined : new Map(page.map((r) => [String(r.jobId), r.readerTeamRole ?? null]));
      ctx.body = {
        items: await withEvaluations(
          services.orm.em,
          page.map((r) => readViewFromRecord(r, ui)),
          user,
          teamRoles,
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
      await access(params.id, user);
      const record = await findApplication(services.orm.em, params.id);
      if (!record) throw new NotFoundError('Application not found.');
      ctx.body = (await withEvaluations(services.orm.em, [readViewFromRecord(record, ui)], user))[0];
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/applications/{id}/stage',
    summary: 'Move an application to another stage',
    description:
      "Allowed moves, in the application's pinned pipeline version: forward to the next stage, `rejected` from any non-final stage, " +
      'and back to any earlier stage with a `reason` (applications started before pipelines existed move forward only). ' +
      'The default pipeline is `applied → screening → interview → offer → hired`. ' +
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
          '`invalid_transition` (with `allowed`: the stages it may move to, and `allowedBack`: those it may move back to with a reason), ' +
          'also for a stage of the job that the pinned version lacks; or `stage_changed` (with `current`) when `fromStage` is no longer current',
      },
      422: { description: "`reason_required` for a move back without a reason; a stage id in no version of the job's pipeline" },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      const id = params.id;
      const allowed = await access(id, user, RUNNERS);
      await assertStagesOfJob(id, { stage: body.stage, ...(body.fromStage != null && { fromStage: body.fromStage }) });
      const state = await changeStage(
        services,
        id,
        { stage: body.stage, reason: body.reason ?? null, fromStage: body.fromStage, by: String(user.id) },
        updateIdOf(ctx),
      );
      ctx.body = await answer(state, user, allowed);
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/applications/{id}/reopen',
    summary: 'Reopen a rejected application',
    description:
      'Undoes a rejection by staff within `REOPEN_WINDOW_SECONDS` of it: the application goes back into `stage` (a non-final stage ' +
      'of its pinned pipeline version), with a `reason`, and moves on from there. Withdrawals, erasures, expired offers and hires cannot be reopened.',
    tags: TAGS,
    auth: STAFF_ROLES,
    params: ApplicationIdParams,
    body: ReopenBody,
    guard: guardVisible(RUNNERS),
    idempotent: true,
    responses: {
      200: { description: 'The application, back in `stage`', schema: ApplicationJson },
      403: { description: 'Candidates; and team members whose team role is not `recruiter` (`team_role_forbids`)' },
      404: { description: "No such application, or one the caller may not see (a job off the caller's hiring teams)" },
      409: {
        description:
          '`not_reopenable`: a withdrawal, an erasure, an expired offer, `hired`, a window passed, an application closed before reopening existed, ' +
          'or one that is not rejected; `invalid_transition` for a stage that is not a non-final stage of its pinned version',
      },
      422: { description: "`reason` missing or blank; a stage id in no version of the job's pipeline" },
      ...TRY_AGAIN,
    },
    async handler(ctx, { params, body, user }) {
      const id = params.id;
      const allowed = await access(id, user, RUNNERS);
      await assertStagesOfJob(id, { stage: body.stage });
      try {
        const state = await reopenApplication(
          services,
          id,
          { stage: body.stage, reason: body.reason, by: String(user.id) },
          updateIdOf(ctx),
        );
        ctx.body = await answer(state, user, allowed);
      } catch (err) {
        // Closed: hired, withdrawn, erased, or its window passed (the workflow completed at its end).
        if (err instanceof ConflictError && err.code === 'invalid_transition')
          throw new ConflictError('not_reopenable', 'This application is closed and cannot be reopened.');
        throw err;
      }
    },
  });

  /** 422 naming each field whose stage id is in no version of the application's job's pipeline (`rejected` is in all). */
  async function assertStagesOfJob(applicationId: string, stages: Record<string, string>): Promise<void> {
    const owner = parseApplicationId(applicationId);
    const asked = Object.entries(stages).filter(([, stage]) => stage !== 'rejected');
    if (!owner || !asked.length) return;
    const missing = await stagesMissingFromPipeline(
      services.orm.em,
      Number(owner.jobId),
      asked.map(([, stage]) => stage),
    );
    const issues = asked
      .filter(([, stage]) => missing.includes(stage))
      .map(([path, stage]) => ({ code: 'custom' as const, path: [path], message: "Not a stage of this job's pipeline.", input: stage }));
    if (issues.length) throw new ZodError(issues);
  }

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
      const id = params.id;
      await access(id, user, OWNER);
      const state = await changeStage(services, id, { stage: 'rejected', reason: 'withdrawn', by: String(user.id) }, updateIdOf(ctx));
      ctx.body = await answer(state, user);
    },
  });
}
