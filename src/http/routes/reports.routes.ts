import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { User } from '../../db/entities/user.entity';
import { ForbiddenError } from '../../domain/errors';
import type { Services } from '../../services';
import { findJob } from '../../jobs/job-lookup';
import { assertOnTeam, teamRoleOf } from '../../jobs/hiring-team';
import { funnel, waitingInStage, WAITING_LIMIT } from '../../applications/reports';
import { defineRoute } from '../route';
import { FunnelJson, FunnelQuery, TimeInStageJson, TimeInStageQuery } from '../schemas/report.schemas';

const TAGS = ['Reports'];
const STAFF = ['recruiter', 'hiring_manager', 'admin'] as const;
const WHO = {
  403: {
    description:
      "Only admins and the job's hiring team (any team role) read its reports (`not_on_team`); only admins read them across jobs, without `jobId` (`job_required`)",
  },
  404: { description: 'No such job' },
  422: { description: 'A parameter is malformed' },
};

/** Hiring reports per job (admins: also across jobs), grouped by stage kind; see src/applications/reports.ts. */
export function reportRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/reports/funnel',
    summary: "The hiring funnel by stage kind (admins; the job's hiring team)",
    description:
      'Over the applications created in `[from, to)` (each optional), of the job or, for admins without `jobId`, of every job. Per stage kind, in pipeline order: ' +
      '`entered` = applications that ever entered a stage of that kind; `current` = applications in a stage of that kind now (none in `hired`, which is final); ' +
      '`advanced` = applications that entered it and, after that, entered a stage of a later kind (applied, screening, interview, offer, hired); ' +
      '`rejected` = applications rejected or withdrawn while in a stage of that kind; `conversion` = advanced / entered (0 when none entered); ' +
      '`timeInStage` = the 50th and 90th percentiles (nearest rank; null when none entered) of the seconds each application spent in stages of that kind, ' +
      'each stay from its entry to the next stage event, until now for a stay still going, none counted in `hired`. ' +
      "`hires` = applications that reached a `hired` stage; `medianDaysToHire` = the median days from an application's creation to its hire (null with none).",
    tags: TAGS,
    auth: STAFF,
    query: FunnelQuery,
    responses: {
      200: { description: 'The funnel', schema: FunnelJson },
      ...WHO,
      422: { description: 'A parameter is malformed, or `to` is before `from`' },
    },
    async handler(ctx, { query, user }) {
      const jobId = await scopeOf(query.jobId, user);
      ctx.body = await funnel(em(), {
        jobId,
        from: query.from === undefined ? undefined : new Date(query.from).toISOString(),
        to: query.to === undefined ? undefined : new Date(query.to).toISOString(),
      });
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/reports/time-in-stage',
    summary: "Running applications by how long they have waited in their stage (admins; the job's hiring team)",
    description: `The job's running applications (admins without \`jobId\`: every job's; an \`interviewer\` on its team: those they have an interview on), longest waiting first, at most ${WAITING_LIMIT}: each waits since its last stage event; \`overSla\` when that is longer than its stage's \`slaSeconds\` in the pipeline version it is pinned to (\`STAGE_SLA_SECONDS\` when the stage sets none).`,
    tags: TAGS,
    auth: STAFF,
    query: TimeInStageQuery,
    responses: { 200: { description: 'The waiting applications', schema: TimeInStageJson }, ...WHO },
    async handler(ctx, { query, user }) {
      const jobId = await scopeOf(query.jobId, user);
      // Names and addresses: an `interviewer` sees only the candidates they interview, as on the applications themselves.
      const interviewer = user.role !== 'admin' && jobId !== undefined && (await teamRoleOf(em(), jobId, user.id)) === 'interviewer';
      const interviewerId = interviewer ? user.id : undefined;
      ctx.body = { items: await waitingInStage(em(), { jobId, interviewerId }, services.config.timers.stageSlaSeconds) };
    },
  });

  /** The job the report is about: admins may name none (every job); its team members theirs; others 403. */
  async function scopeOf(jobId: string | undefined, user: User): Promise<number | undefined> {
    if (jobId === undefined) {
      if (user.role === 'admin') return undefined;
      // Well-formed, and refused for who is asking: every job's figures are an admin's to read.
      throw new ForbiddenError('Name the job (jobId): only admins read reports across jobs.', 'job_required');
    }
    const job = await findJob(em(), jobId);
    await assertOnTeam(em(), user, job.id, "Only admins and the members of this job's hiring team read its reports.");
    return job.id;
  }
}
