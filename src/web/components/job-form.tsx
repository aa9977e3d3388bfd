import { useState } from 'preact/hooks';
import type { Job } from '../api/client';

export interface JobDraft {
  title: string;
  company: string;
  location: string;
  description: string;
  status: Job['status'];
}

/** The fields of a job, for creating one or editing one. */
export function JobForm({ job, submitLabel, onSubmit }: { job?: Job; submitLabel: string; onSubmit(draft: JobDraft): Promise<void> }) {
  const [draft, setDraft] = useState<JobDraft>({
    title: job?.title ?? '',
    company: job?.company ?? '',
    location: job?.location ?? '',
    description: job?.description ?? '',
    status: job?.status ?? 'open',
  });
  const [busy, setBusy] = useState(false);
  const set = (key: keyof JobDraft) => (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: e.currentTarget.value });
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        // One job per submission: a double click must not send it twice.
        setBusy(true);
        void onSubmit(draft).finally(() => setBusy(false));
      }}
    >
      <label>
        Title <input name="title" required value={draft.title} onInput={set('title')} />
      </label>
      <label>
        Company <input name="company" required value={draft.company} onInput={set('company')} />
      </label>
      <label>
        Location <input name="location" value={draft.location} onInput={set('location')} />
      </label>
      <label>
        Description <textarea name="description" rows={5} value={draft.description} onInput={set('description')} />
      </label>
      <label>
        Status
        <select name="status" value={draft.status} onChange={set('status')}>
          <option value="open">open</option>
          <option value="draft">draft</option>
          <option value="closed">closed</option>
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
