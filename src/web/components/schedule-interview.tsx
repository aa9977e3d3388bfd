import { useState } from 'preact/hooks';
import { api, describe, type Interview, type TeamMember } from '../api/client';
import { Alert } from './alert';
import { instant } from './local-time';

/**
 * Schedules an interview on an application: interviewers picked from the job's team, or named by
 * user id (they join the team as interviewers). The API checks the times and the people.
 */
export function ScheduleInterview({
  applicationId,
  team,
  onScheduled,
}: {
  applicationId: string;
  team: TeamMember[];
  onScheduled(i: Interview): void;
}) {
  const [form, setForm] = useState({ title: '', startsAt: '', endsAt: '', location: '', otherId: '' });
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [key]: e.currentTarget.value });

  const submit = async (e: Event) => {
    e.preventDefault();
    const interviewerIds = [...new Set([...picked, ...form.otherId.split(/[\s,]+/).filter(Boolean)])];
    if (interviewerIds.length === 0) return setError('Pick at least one interviewer.');
    setBusy(true);
    const { data, error, response } = await api.POST('/api/applications/{id}/interviews', {
      params: { path: { id: applicationId } },
      body: {
        title: form.title,
        startsAt: instant(form.startsAt),
        endsAt: instant(form.endsAt),
        interviewerIds,
        ...(form.location ? { location: form.location } : {}),
      },
    });
    setBusy(false);
    setError(data ? null : describe(error, response));
    if (data) {
      setForm({ title: '', startsAt: '', endsAt: '', location: '', otherId: '' });
      setPicked([]);
      onScheduled(data);
    }
  };

  return (
    <form class="stack narrow card" onSubmit={submit} aria-labelledby="schedule">
      <h3 id="schedule">Schedule an interview</h3>
      <Alert message={error} />
      <label>
        Interview title <input name="title" required value={form.title} onInput={set('title')} />
      </label>
      <label>
        Starts <input type="datetime-local" name="startsAt" required value={form.startsAt} onInput={set('startsAt')} />
      </label>
      <label>
        Ends <input type="datetime-local" name="endsAt" required value={form.endsAt} onInput={set('endsAt')} />
      </label>
      <label>
        Location <input name="location" value={form.location} onInput={set('location')} />
      </label>
      <fieldset>
        <legend>Interviewers from the team</legend>
        {team.map((m) => (
          <label key={m.id} class="inline">
            <input
              type="checkbox"
              checked={picked.includes(m.id)}
              onChange={(e) => setPicked(e.currentTarget.checked ? [...picked, m.id] : picked.filter((id) => id !== m.id))}
            />{' '}
            {m.fullName ?? (m.email || `user ${m.id}`)}
            {m.teamRole ? ` (${m.teamRole.replace('_', ' ')})` : ''}
          </label>
        ))}
      </fieldset>
      <label>
        Or add interviewers by user id <input name="otherId" inputMode="numeric" value={form.otherId} onInput={set('otherId')} />
      </label>
      <button type="submit" disabled={busy}>
        Schedule interview
      </button>
    </form>
  );
}
