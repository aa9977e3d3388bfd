import { useEffect, useState } from 'preact/hooks';
import { allPages, api, describe, type Note } from '../api/client';
import { Alert } from './alert';
import { useSession } from './session';

/** The team's notes on an application, oldest first: anyone who may read them adds one; authors (and admins) delete theirs. */
export function NotesPanel({ applicationId }: { applicationId: string }) {
  const { user } = useSession();
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setNotes(
        await allPages(async (cursor) => {
          const { data, error, response } = await api.GET('/api/applications/{id}/notes', {
            params: { path: { id: applicationId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
          });
          if (!data) throw new Error(describe(error, response));
          return data;
        }),
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [applicationId]);

  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const { data, error, response } = await api.POST('/api/applications/{id}/notes', {
      params: { path: { id: applicationId } },
      body: { body },
    });
    setError(data ? null : describe(error, response));
    if (data) {
      setBody('');
      await load();
    }
    setBusy(false);
  };
  const remove = async (note: Note) => {
    const { error, response } = await api.DELETE('/api/notes/{id}', { params: { path: { id: note.id } } });
    setError(response.ok ? null : describe(error, response));
    await load();
  };

  return (
    <section aria-labelledby="notes" class="panel">
      <h2 id="notes">Notes</h2>
      <Alert message={error} />
      {notes === null ? null : notes.length === 0 ? (
        <p>No notes yet.</p>
      ) : (
        <ul class="notes">
          {notes.map((note) => (
            <li key={note.id} class="card" data-note={note.id}>
              <p class="meta">
                {note.author.id === user?.id ? 'You' : (note.author.fullName ?? 'A former member')},{' '}
                <time dateTime={note.createdAt}>{new Date(note.createdAt).toLocaleString()}</time>
              </p>
              <p class="description">{note.body}</p>
              {note.author.id === user?.id || user?.role === 'admin' ? (
                <button type="button" class="danger" onClick={() => void remove(note)}>
                  Delete note<span class="visually-hidden"> of {new Date(note.createdAt).toLocaleString()}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <form class="stack narrow" onSubmit={add}>
        <label>
          New note{' '}
          <textarea name="note" rows={3} required maxLength={10_000} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Add note
        </button>
      </form>
    </section>
  );
}
