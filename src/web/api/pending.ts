/**
 * What API.md promises that the served OpenAPI document does not describe yet, typed by hand from
 * the contract: each entry goes once the generated schema has it, so the app is checked against the
 * document again.
 */

type Recommendation = 'strong_no' | 'no' | 'yes' | 'strong_yes';

/** `application.evaluation`: where the interviews stand, for those who judge the application. */
export interface Evaluation {
  interviews: number;
  scorecardsDue: number;
  scorecardsSubmitted: number;
  recommendations: Record<Recommendation, number>;
  needsDecision: boolean;
}

/** `?needsDecision=true` on `GET /api/applications`. */
export type NeedsDecisionQuery = { needsDecision?: 'true' };
