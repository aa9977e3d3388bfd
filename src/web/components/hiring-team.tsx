import { useState } from 'preact/hooks';
import { api, describe, type TeamMember, type TeamRole } from '../api/client';
import { Alert } from './alert';

const TEAM_ROLES: { value: TeamRole; label: string }[] = [
  { value: 'hiring_manager', label: 'hiring manager' },
  { value: 'interviewer', label: 'interviewer' },
  { value: 'recruiter', label: 'recruiter' },
];

/**
 * A job's hiring team and each member's team role. Those who run the job add staff by user id (the
 * API says who may hold which role) and remove members other than the job's creator.
 */
export function HiringTeam({
  jobId,
  createdBy,
  team,
  manages,
  onChanged,
}: {
  jobId: string;
  createdBy: string | undefined;
  team: TeamMember[];
  manages: boolean;
  onChanged(): void;
}) {
  const [userId, setUserId] = useState('');
  const [teamRole, setTeamRole] = useState<TeamRole>('hiring_manager');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const { data, error, response } = await api.POST('/api/jobs/{id}/team', {
      params: { path: { id: jobId } },
      body: { userId: userId.trim(), teamRole },
    });
    setBusy(false);
    setError(data ? null : describe(error, response));
    if (data) {
      setUserId('');
      onChanged();
    }
  };
  const remove = async (member: TeamMember) => {
    const { error, response } = await api.DELETE('/api/jobs/{id}/team/{userId}', { params: { path: { id: jobId, userId: member.id } } });
    setError(response.ok ? null : describe(error, response));
    onChanged();
  };

  return (
    <section aria-labelledby="team" class="panel">
      <h2 id="team">Hiring team</h2>
      <Alert message={error} />
      <ul class="team" aria-label="Hiring team">
        {team.map((m) => (
          <li key={m.id} data-member={m.id}>
            {m.fullName ?? (m.email || `user ${m.id}`)} · {m.teamRole.replace('_', ' ')}
            {manages && m.id !== createdBy ? (
              <>
                {' '}
                <button type="button" class="danger" onClick={() => void remove(m)}>
                  Remove<span class="visually-hidden"> {m.fullName ?? (m.email || `user ${m.id}`)} from the team</span>
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {manages ? (
        <form class="stack narrow" onSubmit={add}>
          <label>
            User id <input name="userId" inputMode="numeric" required value={userId} onInput={(e) => setUserId(e.currentTarget.value)} />
          </label>
          <label>
            Team role
            <select value={teamRole} onChange={(e) => setTeamRole(e.currentTarget.value as TeamRole)}>
              {TEAM_ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            Add to the team
          </button>
        </form>
      ) : null}
    </section>
  );
}
