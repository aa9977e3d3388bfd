import { useEffect, useState } from 'preact/hooks';
import { api, type TeamMember, type TeamRole, type User } from '../api/client';
import { useSession } from './session';

/** What the signed-in user is on one job: `admin` (everything), their team role, or null off the team. */
export type JobRole = 'admin' | TeamRole | null;

/** Stage moves, job edits, scheduling: what API.md lets only admins and the job's recruiters do. */
export const runs = (role: JobRole | undefined): boolean => role === 'admin' || role === 'recruiter';
/** Every scorecard and the evaluation, whatever they wrote themselves. */
export const judges = (role: JobRole | undefined): boolean => runs(role) || role === 'hiring_manager';

/** The caller's role on the job, read from its team (admins act on every job without being on it). */
export async function jobRoleOf(user: User, jobId: string): Promise<{ role: JobRole; team: TeamMember[] }> {
  if (user.role === 'candidate') return { role: null, team: [] };
  const { data } = await api.GET('/api/jobs/{id}/team', { params: { path: { id: jobId } } });
  const team: TeamMember[] = data?.items ?? [];
  if (user.role === 'admin') return { role: 'admin', team };
  return { role: team.find((m) => m.id === user.id)?.teamRole ?? null, team };
}

/**
 * The caller's role on a job and its team, undefined while it loads: pages offer only the actions the
 * API would take from them, so nobody meets a 403 for a button they were shown. A new `version` reads
 * them again (an interview adds its interviewers to the team).
 */
export function useJobRole(jobId: string | undefined, version = 0): { role: JobRole | undefined; team: TeamMember[] } {
  const { user } = useSession();
  const [state, setState] = useState<{ role: JobRole | undefined; team: TeamMember[] }>({ role: undefined, team: [] });
  useEffect(() => {
    if (!user || !jobId) return;
    let live = true;
    void jobRoleOf(user, jobId).then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, [user?.id, jobId, version]);
  return state;
}
