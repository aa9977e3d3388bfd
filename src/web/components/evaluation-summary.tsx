import type { Evaluation, Recommendation } from '../api/client';

export const RECOMMENDATIONS: { value: Recommendation; label: string }[] = [
  { value: 'strong_no', label: 'Strong no' },
  { value: 'no', label: 'No' },
  { value: 'yes', label: 'Yes' },
  { value: 'strong_yes', label: 'Strong yes' },
];

/** Where the interviews stand: scorecards in and due, the recommendations counted, and whether a decision is waiting. */
export function EvaluationSummary({ evaluation }: { evaluation: Evaluation }) {
  return (
    <section aria-labelledby="evaluation" class="panel" data-testid="evaluation">
      <h2 id="evaluation">Evaluation</h2>
      {evaluation.needsDecision ? <p class="badge">Needs decision: every interview since the last move is in.</p> : null}
      <p>
        {evaluation.interviews} interview{evaluation.interviews === 1 ? '' : 's'} · {evaluation.scorecardsSubmitted} scorecard
        {evaluation.scorecardsSubmitted === 1 ? '' : 's'} in · {evaluation.scorecardsDue} due
      </p>
      <ul class="stage-counts" aria-label="Recommendations">
        {RECOMMENDATIONS.map((r) => (
          <li key={r.value} data-recommendation={r.value}>
            {r.label}: <strong>{evaluation.recommendations[r.value] ?? 0}</strong>
          </li>
        ))}
      </ul>
    </section>
  );
}
