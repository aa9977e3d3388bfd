import { useEffect, useId, useState } from 'preact/hooks';
import { api, describe, type Scorecard } from '../api/client';
import { Alert } from './alert';
import { RECOMMENDATIONS } from './evaluation-summary';
import { useSession } from './session';

const label = (value: Scorecard['recommendation']) => RECOMMENDATIONS.find((r) => r.value === value)?.label ?? value;

/**
 * An application's scorecards. An interviewer who has not sent theirs is refused (blind scoring),
 * which reads as a hint rather than an error; `version` reloads it after they send one.
 */
export function ScorecardList({ applicationId, version = 0 }: { applicationId: string; version?: number }) {
  const { user } = useSession();
  const [cards, setCards] = useState<Scorecard[] | null>(null);
  const [blind, setBlind] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const heading = useId();

  useEffect(() => {
    void api.GET('/api/applications/{id}/scorecards', { params: { path: { id: applicationId } } }).then(({ data, error, response }) => {
      setCards(data?.items ?? null);
      setBlind(response.status === 403);
      setError(data || response.status === 403 ? null : describe(error, response));
    });
  }, [applicationId, version]);

  return (
    <section aria-labelledby={heading} class="panel">
      <h2 id={heading}>Scorecards</h2>
      <Alert message={error} />
      {blind ? <p>The other interviewers’ scorecards show here once yours is in.</p> : null}
      {cards === null || blind ? null : cards.length === 0 ? (
        <p>No scorecards yet.</p>
      ) : (
        <ul class="cards">
          {cards.map((card) => (
            <li key={card.id} class="card" data-scorecard={card.id}>
              <h3>
                {card.author.id === user?.id ? 'You' : (card.author.fullName ?? 'A former member')}: {label(card.recommendation)}
              </h3>
              <p class="meta">
                <time dateTime={card.submittedAt}>{new Date(card.submittedAt).toLocaleString()}</time>
              </p>
              {card.attributes.length ? (
                <ul>
                  {card.attributes.map((a) => (
                    <li key={a.name}>
                      {a.name}: {a.rating}/4{a.note ? ` — ${a.note}` : ''}
                    </li>
                  ))}
                </ul>
              ) : null}
              {card.notes ? <p class="description">{card.notes}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
