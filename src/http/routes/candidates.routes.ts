import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import { NotFoundError } from '../../domain/errors';
import { toDbId } from '../../domain/ids';
import { candidateProfile } from '../../applications/candidate-profile';
import { readViewFromRecord } from '../../applications/application-view';
import { withEvaluations } from '../../applications/application-evaluation';
import { defineRoute } from '../route';
import { IdParams } from '../schemas/id.schemas';
import { CandidateJson } from '../schemas/application.schemas';

/** A candidate with the applications the caller may see: the hiring team's view of a person. */
export function candidateRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const ui = { uiUrl: services.config.temporal.uiUrl, namespace: services.config.temporal.namespace };

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/candidates/{id}',
    summary: 'Get a candidate with their applications',
    description:
      'Admins see every candidate and all their applications; other staff a candidate with an application they may read ' +
      '(of a job on whose hiring team they are a `recruiter` or `hiring_manager`, or one they interview), and only those applications. Anyone else gets 404.',
    tags: ['candidates'],
    auth: 'any',
    params: IdParams,
    responses: {
      200: { description: 'The candidate and the applications the caller may see, newest first', schema: CandidateJson },
      404: { description: 'No such candidate, or one the caller may not see' },
    },
    async handler(ctx, { params, user }) {
      const id = toDbId(params.id);
      const profile = id === undefined ? null : await candidateProfile(services.orm.em, id, user);
      if (!profile) throw new NotFoundError('Candidate not found.');
      const applications = profile.applications.map((r) => readViewFromRecord(r, ui));
      ctx.body = { ...profile.candidate, applications: await withEvaluations(services.orm.em, applications, user) };
    },
  });
}
