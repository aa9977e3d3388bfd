import { useState } from 'preact/hooks';
import { api, describe, type Interview, type Recommendation, type Scorecard } from '../api/client';
import { Alert } from './alert';
import { RECOMMENDATIONS } from './evaluation-summary';

interface AttributeDraft {
  name: string;
  rating: string;
  note: string;
}

const RATINGS = ['1', '2', '3', '4'];

/**
 * An interviewer's scorecard for one interview: a recommendation, optional attributes rated 1–4 with
 * a note, and notes. Sending again replaces the earlier one, as the API does.
 */
export function ScorecardForm({
  interview,
  previous,
  onSubmitted,
}: {
  interview: Interview;
  /** The caller's scorecard this one replaces, to start from. */
  previous?: Scorecard;
  onSubmitted(card: Scorecard): void;
}) {
  const [recommendation, setRecommendation] = useState<Recommendation | ''>(previous?.recommendation ?? '');
  const [attributes, setAttributes] = useState<AttributeDraft[]>(
    previous?.attributes.map((a) => ({ name: a.name, rating: String(a.rating), note: a.note ?? '' })) ?? [],
  );
  const [notes, setNotes] = useState(previous?.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = `sc-${interview.id}`;
  const setAttribute = (i: number, patch: Partial<AttributeDraft>) =>
    setAttributes(attributes.map((a, j) => (j === i ? { ...a, ...patch } : a)));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!recommendation) return setError('Choose a recommendation.');
    setBusy(true);
    const { data, error, response } = await api.PUT('/api/interviews/{id}/scorecard', {
      params: { path: { id: interview.id } },
      body: {
        recommendation,
        attributes: attributes
          .filter((a) => a.name.trim())
          .map((a) => ({ name: a.name.trim(), rating: Number(a.rating), note: a.note || null })),
        ...(notes ? { notes } : {}),
      },
    });
    setBusy(false);
    setError(data ? null : describe(error, response));
    if (data) onSubmitted(data);
  };

  return (
    <form class="stack scorecard" onSubmit={submit} aria-label={`Scorecard for ${interview.title}`}>
      <Alert message={error} />
      <fieldset>
        <legend>Recommendation</legend>
        {RECOMMENDATIONS.map((r) => (
          <label key={r.value} class="inline">
            <input
              type="radio"
              name={`${prefix}-recommendation`}
              value={r.value}
              checked={recommendation === r.value}
              onChange={() => setRecommendation(r.value)}
            />{' '}
            {r.label}
          </label>
        ))}
      </fieldset>
      {attributes.map((a, i) => (
        <fieldset key={i} class="attribute">
          <legend>Attribute {i + 1}</legend>
          <label>
            Name <input required value={a.name} onInput={(e) => setAttribute(i, { name: e.currentTarget.value })} />
          </label>
          <label>
            Rating (1–4)
            <select value={a.rating} onChange={(e) => setAttribute(i, { rating: e.currentTarget.value })}>
              {RATINGS.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label>
            Note <input value={a.note} onInput={(e) => setAttribute(i, { note: e.currentTarget.value })} />
          </label>
          <button type="button" class="link-button" onClick={() => setAttributes(attributes.filter((_, j) => j !== i))}>
            Remove attribute {i + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => setAttributes([...attributes, { name: '', rating: '3', note: '' }])}>
        Add attribute
      </button>
      <label>
        Notes <textarea rows={4} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Submit scorecard
      </button>
    </form>
  );
}
