import { useState } from 'preact/hooks';
import { api, describe, type Interview } from '../api/client';
import { Alert } from './alert';
import { instant, localInput } from './local-time';

/** Moves a scheduled interview to another time or place; everyone on it gets an updated invitation. */
export function RescheduleInterview({ interview, onChanged }: { interview: Interview; onChanged(i: Interview): void }) {
  const [form, setForm] = useState({
    startsAt: localInput(interview.startsAt),
    endsAt: localInput(interview.endsAt),
    location: interview.location ?? '',
  });
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [key]: e.currentTarget.value });

  const submit = async (e: Event) => {
    e.preventDefault();
    const { data, error, response } = await api.PATCH('/api/interviews/{id}', {
      params: { path: { id: interview.id } },
      body: { startsAt: instant(form.startsAt), endsAt: instant(form.endsAt), location: form.location || null },
    });
    setError(data ? null : describe(error, response));
    if (data) onChanged(data);
  };

  return (
    <form class="stack narrow" onSubmit={submit} aria-label={`Reschedule ${interview.title}`}>
      <Alert message={error} />
      <label>
        New start <input type="datetime-local" required value={form.startsAt} onInput={set('startsAt')} />
      </label>
      <label>
        New end <input type="datetime-local" required value={form.endsAt} onInput={set('endsAt')} />
      </label>
      <label>
        New location <input value={form.location} onInput={set('location')} />
      </label>
      <button type="submit">Save new time</button>
    </form>
  );
}
