import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { User } from '../../db/entities/user.entity';
import type { Job } from '../../db/entities/job.entity';
import { NotFoundError, TryAgainError } from '../../domain/errors';
import type { Services } from '../../services';
import { findVisibleJob } from '../../jobs/job-lookup';
import { assertRecruiterOnTeam } from '../../jobs/hiring-team';
import { currentPipeline, pipelineVersion, publishPipeline, validationFailed, type StoredPipeline } from '../../jobs/pipelines';
import { createMigration, findMigration, recordMigrationProgress, runningByStage, stageMapErrors } from '../../jobs/pipeline-migrations';
import { defineRoute } from '../route';
import { IdParams } from '../schemas/id.schemas';
import {
  MigrationDryRunJson,
  MigrationJson,
  MigrationParams,
  PipelineJson,
  PipelineQuery,
  PublishPipelineBody,
  StartMigrationBody,
  toMigrationJson,
  toPipelineJson,
} from '../schemas/pipeline.schemas';

const TAGS = ['Pipelines'];
const HIDDEN = { description: 'No such job (or, for anonymous callers and candidates, not open)' };
const NOT_MANAGER = { description: "Only admins and the job's `recruiter` team members change its pipeline (`not_job_owner`)" };

/**
 * A job's pipeline: its versions, published by its recruiters, and the migrations that move running
 * applications from one version to another. Each application stays pinned to its version otherwise.
 */
export function pipelineRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/jobs/{id}/pipeline',
    summary: "The job's pipeline: the current version, or `?version=` an older one",
    description: 'Anyone who may see the job sees its pipeline. A job never edited has the default pipeline as version 1.',
    tags: TAGS,
    auth: 'optional',
    params: IdParams,
    query: PipelineQuery,
    responses: {
      200: { description: 'The version asked for', schema: PipelineJson },
      404: { description: 'No such job (or, for anonymous callers and candidates, not open), or no such version' },
    },
    async handler(ctx, { params, query, user }) {
      const job = await findVisibleJob(em(), params.id, user);
      const pipeline =
        query.version === undefined ? await currentPipeline(em(), job.id) : await pipelineVersion(em(), job.id, query.version);
      if (!pipeline) throw new NotFoundError(`This job's pipeline has no version ${query.version}.`);
      ctx.body = toPipelineJson(pipeline);
    },
  });

  defineRoute(router, registry, services, {
    method: 'put',
    path: '/api/jobs/{id}/pipeline',
    summary: "Publish a new version of the job's pipeline (admins and its `recruiter` team members)",
    description:
      'New applications are pinned to the new version; running ones keep theirs until a migration moves them. ' +
      'The same stages as the current version publish nothing and answer it unchanged. A 422 names each rule broken.',
    tags: TAGS,
    auth: 'any',
    params: IdParams,
    body: PublishPipelineBody,
    // Before the body is read: whoever may not change the pipeline learns nothing from a 422.
    guard: async (ctx) => {
      await managedJob(String(ctx.params.id), ctx.state.user as User);
    },
    responses: {
      200: { description: 'The new current version (or the current one, unchanged)', schema: PipelineJson },
      403: NOT_MANAGER,
      404: HIDDEN,
      422: { description: 'A rule is broken: `errors` names each, at the stage that breaks it' },
    },
    async handler(ctx, { params, body, user }) {
      const job = await managedJob(params.id, user);
      ctx.body = toPipelineJson(await publishPipeline(em(), job.id, body.stages, user.id));
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/jobs/{id}/pipeline/migrations',
    summary: "Move the running applications of one pipeline version onto another (admins and the job's `recruiter` team members)",
    description:
      "Every running (non-final) application of the job pinned to `fromVersion` moves to `toVersion`, its stage mapped by `stageMap`, which must map every non-final stage of `fromVersion` to a non-final stage of `toVersion`. The move is a durable workflow; read its progress at the answer's path. `dryRun: true` counts the applications it would move, per stage, and changes nothing.",
    tags: TAGS,
    auth: 'any',
    params: IdParams,
    body: StartMigrationBody,
    idempotent: true,
    guard: async (ctx) => {
      await managedJob(String(ctx.params.id), ctx.state.user as User);
    },
    responses: {
      200: { description: '`dryRun`: the applications it would move, per stage of `fromVersion`', schema: MigrationDryRunJson },
      202: { description: 'The migration, `running`', schema: MigrationJson },
      403: NOT_MANAGER,
      404: HIDDEN,
      422: {
        description:
          'A version does not exist, both are the same, or `stageMap` leaves a stage unmapped or maps one to a stage that is not a non-final stage of `toVersion`',
      },
      503: { description: 'Migrations cannot be started now (`try_again`); nothing was recorded' },
    },
    async handler(ctx, { params, body, user }) {
      const job = await managedJob(params.id, user);
      const [from, to] = await versionsOf(job, body.fromVersion, body.toVersion, body.stageMap);
      const byStage = await runningByStage(em(), job.id, from);
      const total = Object.values(byStage).reduce((a, b) => a + b, 0);
      if (body.dryRun) {
        ctx.body = { fromVersion: from.version, toVersion: to.version, total, byStage };
        return;
      }
      const starter = services.pipelineMigrations;
      if (!starter) throw new TryAgainError('Migrations cannot be started now; send it again later.', 30);
      const migration = await createMigration(em(), {
        jobId: job.id,
        fromVersion: from.version,
        toVersion: to.version,
        stageMap: body.stageMap,
        total,
        createdBy: user.id,
      });
      try {
        await starter.start(migration);
      } catch (err) {
        await recordMigrationProgress(em(), migration.id, { migrated: 0, failed: 0, status: 'failed' });
        throw err;
      }
      ctx.status = 202;
      ctx.set('Location', `/api/jobs/${job.id}/pipeline/migrations/${migration.id}`);
      ctx.body = toMigrationJson(migration);
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/jobs/{id}/pipeline/migrations/{migrationId}',
    summary: "One migration of the job's applications, with its progress (admins and the job's `recruiter` team members)",
    tags: TAGS,
    auth: 'any',
    params: MigrationParams,
    responses: {
      200: { description: 'The migration', schema: MigrationJson },
      403: NOT_MANAGER,
      404: { description: 'No such job, or no such migration of it' },
    },
    async handler(ctx, { params, user }) {
      const job = await managedJob(params.id, user);
      const migration = await findMigration(em(), params.migrationId);
      if (!migration || migration.jobId !== job.id) throw new NotFoundError('No such migration of this job.');
      ctx.body = toMigrationJson(migration);
    },
  });

  async function managedJob(id: string, user: User): Promise<Job> {
    const job = await findVisibleJob(em(), id, user);
    await assertRecruiterOnTeam(em(), user, job.id);
    return job;
  }

  /** Both versions, or a 422 naming each that is missing, the same, or a stage map that does not fit them. */
  async function versionsOf(job: Job, fromVersion: number, toVersion: number, stageMap: Record<string, string>) {
    const from = await pipelineVersion(em(), job.id, fromVersion);
    const to = await pipelineVersion(em(), job.id, toVersion);
    const issues: Array<{ path: string; message: string }> = [];
    if (!from) issues.push({ path: 'fromVersion', message: `This job's pipeline has no version ${fromVersion}.` });
    if (!to) issues.push({ path: 'toVersion', message: `This job's pipeline has no version ${toVersion}.` });
    if (fromVersion === toVersion) issues.push({ path: 'toVersion', message: 'A migration goes to another version.' });
    if (from && to && fromVersion !== toVersion) issues.push(...stageMapErrors(from, to, stageMap));
    if (issues.length) throw validationFailed(issues);
    return [from, to] as [StoredPipeline, StoredPipeline];
  }
}
