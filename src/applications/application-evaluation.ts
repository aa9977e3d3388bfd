import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { User } from '../db/entities/user.entity';
import type { TeamRole } from '../db/entities/job-team-member.entity';
import { placeholders } from '../db/placeholders';
import { teamRolesOn } from '../jobs/hiring-team';
import { evaluationsOf, type Evaluation } from './interviews';

/**
 * The `evaluation` of applications as `viewer` may see it: admins and the job's `recruiter` and
 * `hiring_manager` members see it; an `interviewer` only once their own scorecard for the application
 * is in (blind scoring); the candidate never. At most four queries for a whole page, whatever its size; one or two for a page without interviews.
 * `teamRoles`: the viewer's team role on each view's job (null off the team), when the list that read
 * the views brought them (application-repository.ts); they are read here otherwise.
 */
export async function withEvaluations<V extends { id: string; jobId: string; updatedAt: string }>(
  em: EntityManager,
  views: readonly V[],
  viewer: User,
  teamRoles?: ReadonlyMap<string, TeamRole | null>,
): Promise<Array<V & { evaluation: Evaluation | null }>> {
  if (viewer.role === 'candidate' || !views.length) return views.map((v) => ({ ...v, evaluation: null }));
  const ids = views.map((v) => v.id);
  const marks = placeholders(ids.length);
  let sees = (_view: V) => true;
  if (viewer.role !== 'admin') {
    const roleOf = teamRoles ?? (await teamRolesOf(em, viewer, views));
    // Only an interviewer's sight depends on their own scorecards.
    const own = [...roleOf.values()].some((r) => r === 'interviewer')
      ? await em.execute<{ applicationId: string }[]>(
          `select distinct application_id as "applicationId" from scorecards where author_id = ? and application_id in (${marks})`,
          [viewer.id, ...ids],
          'all',
        )
      : [];
    const scored = new Set(own.map((r) => r.applicationId));
    sees = (view) => {
      const role = roleOf.get(view.jobId);
      return role === 'recruiter' || role === 'hiring_manager' || (role === 'interviewer' && scored.has(view.id));
    };
  }
  const visible = views.filter(sees);
  const evaluations = await evaluationsOf(em, visible);
  return views.map((v) => ({ ...v, evaluation: evaluations.get(v.id) ?? null }));
}

/** The viewer's team role on each of the views' jobs, in one query, keyed as the views name their jobs. */
async function teamRolesOf(em: EntityManager, viewer: User, views: readonly { jobId: string }[]): Promise<Map<string, TeamRole>> {
  const roles = await teamRolesOn(em, viewer.id, [...new Set(views.map((v) => Number(v.jobId)))]);
  return new Map([...roles].map(([jobId, role]) => [String(jobId), role]));
}
