import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { JobSchema, type Job } from '../../db/entities/job.entity';
import { ConflictError } from '../../domain/errors';
import type { Services } from '../../services';
import { findJob, findVisibleJob, seesEveryJob } from '../../jobs/job-lookup';
import { addCreatorToTeam, assertRecruiterOnTeam, teamRolesOn } from '../../jobs/hiring-team';
import { jobView, listJobs, type JobView } from '../../jobs/job-queries';
import { runningCounts } from '../../jobs/job-counts';
import { companyNames, resolveCompany } from '../../companies/companies';
import { defineRoute } from '../route';
import { enqueueJobEvent, stageJobEvent } from '../../webhooks/job-events';
import { IdParams } from '../schemas/id.schemas';
import { decodeCursor, toPage } from '../schemas/pagination.schemas';
import { CreateJobBody, JobJson, JobListQuery, JobPage, UpdateJobBody, toJobJson } from '../schemas/job.schemas';

const managers = ['recruiter', 'admin'] as const;

/** Anonymous callers and candidates see the public job board: open jobs only. */

export function jobRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;
  const view = async (job: Job): Promise<JobView> => jobView(job, (await companyNames(em(), [job.companyId])).get(job.companyId) ?? '');

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/jobs',
    summary: 'List jobs, newest first (anonymous callers and candidates see open jobs only)',
    description:
      'With `mine=true`, staff get the jobs on whose hiring team they are (admins: every job), each with `counts` of its running applications per stage (`null` where the caller is only an `interviewer`, who sees just the applications they interview); the other filters combine with it. Anonymous callers and candidates have no team, so for them `mine` is ignored.',
    tags: ['Jobs'],
    auth: 'optional',
    query: JobListQuery,
    responses: { 200: { description: 'A page of jobs', schema: JobPage } },
    async handler(ctx, { query, user }) {
      const mine = query.mine === 'true' && seesEveryJob(user);
      const rows = await listJobs(em(), {
        statuses: seesEveryJob(user)
          ? query.status
            ? [query.status]
            : undefined
          : !query.status || query.status === 'open'
            ? ['open']
            : [],
        companyId: query.companyId === undefined ? undefined : Number(query.companyId),
        q: query.q || undefined,
        teamMember: mine && user && user.role !== 'admin' ? user.id : undefined,
        before: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      });
      if (!mine) {
        ctx.body = toPage(rows, query.limit, toJobJson);
        return;
      }
      const page = rows.slice(0, query.limit).map((r) => r.id);
      // An interviewer reads only the applications they interview: the job's totals are not theirs to see.
      const roles = user && user.role !== 'admin' ? await teamRolesOn(em(), user.id, page) : new Map();
      const counts = await runningCounts(
        em(),
        page.filter((id) => roles.get(id) !== 'interviewer'),
      );
      ctx.body = toPage(rows, query.limit, (job) => toJobJson({ ...job, counts: counts.get(job.id) ?? null }));
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/jobs',
    summary: 'Create a job',
    description: 'Name the company by `companyId` (or `company_id`), or by `company`, a name found without regard to case or created.',
    tags: ['Jobs'],
    auth: managers,
    body: CreateJobBody,
    idempotent: true,
    responses: { 201: { description: 'The new job', schema: JobJson } },
    async handler(ctx, { body, user }) {
      const now = new Date().toISOString();
      const company = await resolveCompany(em(), body, now);
      const { json, deliveries } = await em().transactional(async (tx) => {
        const job = tx.create(JobSchema, {
          title: body.title,
          companyId: company.id,
          description: body.description ?? null,
          location: body.location ?? null,
          status: body.status,
          createdBy: user.id,
          createdAt: now,
          updatedAt: now,
        });
        addCreatorToTeam(tx, job);
        await tx.flush();
        const json = toJobJson(jobView(job, company.name));
        return { json, deliveries: await stageJobEvent(services, tx, 'job.created', json) };
      });
      ctx.status = 201;
      ctx.body = json;
      await enqueueJobEvent(services, deliveries, json.id);
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/jobs/{id}',
    summary: 'One job (404 for anonymous callers and candidates unless it is open)',
    tags: ['Jobs'],
    auth: 'optional',
    params: IdParams,
    responses: { 200: { description: 'The job', schema: JobJson }, 404: { description: 'No such job' } },
    async handler(ctx, { params, user }) {
      ctx.body = toJobJson(await view(await findVisibleJob(em(), params.id, user)));
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/jobs/{id}',
    summary: "Change a job (admins, and the job's `recruiter` team members)",
    tags: ['Jobs'],
    auth: managers,
    params: IdParams,
    body: UpdateJobBody,
    responses: {
      200: { description: 'The updated job', schema: JobJson },
      403: { description: "Only admins and the job's `recruiter` team members change it (`not_job_owner`)" },
      404: { description: 'No such job' },
    },
    async handler(ctx, { params, body, user }) {
      const job = await findJob(em(), params.id);
      await assertRecruiterOnTeam(em(), user, job.id);
      const { company, companyId, ...fields } = body;
      const changes: Partial<Job> = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      if (company !== undefined || companyId !== undefined) changes.companyId = (await resolveCompany(em(), { company, companyId })).id;
      const wasClosed = job.status === 'closed';
      if (!Object.keys(changes).length) {
        ctx.body = toJobJson(await view(job));
        return;
      }
      const { json, deliveries } = await em().transactional(async (tx) => {
        tx.assign(job, { ...changes, updatedAt: new Date().toISOString() });
        await tx.flush();
        const json = toJobJson(await view(job));
        const event = !wasClosed && job.status === 'closed' ? 'job.closed' : 'job.updated';
        return { json, deliveries: await stageJobEvent(services, tx, event, json) };
      });
      ctx.body = json;
      await enqueueJobEvent(services, deliveries, json.id);
    },
  });

  defineRoute(router, registry, services, {
    method: 'delete',
    path: '/api/jobs/{id}',
    summary: 'Delete a job that has no applications (close it otherwise)',
    tags: ['Jobs'],
    auth: managers,
    params: IdParams,
    responses: {
      204: { description: 'Deleted' },
      403: { description: "Only admins and the job's `recruiter` team members delete it (`not_job_owner`)" },
      404: { description: 'No such job' },
      409: { description: 'The job has applications (`job_has_applications`): close it instead' },
    },
    async handler(ctx, { params, user }) {
      const job = await findJob(em(), params.id);
      await assertRecruiterOnTeam(em(), user, job.id);
      // Check and delete in one statement, so an application arriving in between cannot be orphaned.
      const result = await em()
        .getConnection()
        .execute<{ affectedRows: number }>(
          'delete from jobs where id = ? and not exists (select 1 from applications where job_id = ?)',
          [job.id, job.id],
          'run',
        );
      if (result.affectedRows === 0) {
        throw new ConflictError('job_has_applications', 'This job has applications and cannot be deleted; close it instead.');
      }
      em().getUnitOfWork().unsetIdentity(job);
      ctx.status = 204;
    },
  });
}
