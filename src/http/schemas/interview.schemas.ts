import { z } from '../openapi';
import { RECOMMENDATIONS } from '../../domain/interviews';
import { text } from './text.schemas';
import { requestBody } from './request-body.schemas';

/** An instant with its offset (`Z` or `±hh:mm`), as RFC 3339 writes it; answers always give UTC. */
const Instant = z.iso.datetime({ offset: true }).openapi({ format: 'date-time', example: '2026-12-10T14:00:00Z' });

const UserId = z.union([z.string().max(32), z.number().int()]).openapi({ description: 'A user id.', example: '7' });

const InterviewStatusEnum = z.enum(['scheduled', 'awaiting_feedback', 'complete', 'cancelled']).openapi('InterviewStatus', {
  description:
    '`awaiting_feedback` from `endsAt` until every scorecard is in (`complete`). Candidates see only `scheduled` (past ones too) and `cancelled`.',
});

export const RecommendationEnum = z.enum(RECOMMENDATIONS).openapi('Recommendation');

export const InterviewerJson = z
  .object({
    id: z.string(),
    fullName: z.string().nullable(),
    scorecardSubmitted: z.boolean().nullable().openapi({
      description:
        "`null` for another interviewer's, to an interviewer whose own scorecard for this application is not in yet (blind scoring).",
    }),
  })
  .openapi('Interviewer');

export const InterviewJson = z
  .object({
    id: z.string().openapi({ example: 'interview-k3v9q2m8xa7b2c4d' }),
    applicationId: z.string().optional().openapi({ description: 'Left out for the candidate, as the fields below marked so.' }),
    title: z.string(),
    startsAt: z.string().openapi({ format: 'date-time' }),
    endsAt: z.string().openapi({ format: 'date-time' }),
    location: z.string().nullable(),
    status: InterviewStatusEnum,
    interviewers: z.array(InterviewerJson).optional().openapi({ description: 'Left out for the candidate.' }),
    createdAt: z.string().optional().openapi({ format: 'date-time', description: 'Left out for the candidate.' }),
  })
  .openapi('Interview');

export const InterviewList = z.object({ items: z.array(InterviewJson), nextCursor: z.null() }).openapi('InterviewList');

const interviewFields = {
  title: text({ max: 200, trim: true }).openapi({ example: 'Technical interview' }),
  startsAt: Instant,
  endsAt: Instant,
  interviewerIds: z.array(UserId).min(1).max(10).openapi({ description: 'Recruiters, hiring managers or admins (1–10).' }),
  location: text({ max: 500, trim: true }).nullable().optional().openapi({ example: 'Room 4 / https://meet.example.com/abc' }),
};

export const InterviewBody = requestBody(z.strictObject(interviewFields)).openapi('ScheduleInterview');

export const InterviewChangeBody = requestBody(
  z.strictObject({
    title: interviewFields.title.optional(),
    startsAt: Instant.optional(),
    endsAt: Instant.optional(),
    interviewerIds: interviewFields.interviewerIds.optional(),
    location: interviewFields.location,
  }),
).openapi('ChangeInterview');

const AttributeInput = z.strictObject({
  name: text({ max: 100, trim: true }),
  rating: z.number().int().min(1).max(4),
  note: text({ max: 2000, blank: true }).nullable().optional(),
});

export const ScorecardBody = requestBody(
  z.strictObject({
    recommendation: RecommendationEnum,
    attributes: z.array(AttributeInput).max(30).optional(),
    notes: text({ max: 10_000, blank: true }).nullable().optional(),
  }),
).openapi('SubmitScorecard');

export const ScorecardJson = z
  .object({
    id: z.string(),
    interviewId: z.string(),
    applicationId: z.string(),
    author: z.object({ id: z.string(), fullName: z.string().nullable() }),
    recommendation: RecommendationEnum,
    attributes: z.array(z.object({ name: z.string(), rating: z.number().int(), note: z.string().nullable() })),
    notes: z.string().nullable(),
    submittedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Scorecard');

export const ScorecardList = z.object({ items: z.array(ScorecardJson), nextCursor: z.null() }).openapi('ScorecardList');

export const EvaluationJson = z
  .object({
    interviews: z.number().int(),
    scorecardsDue: z.number().int(),
    scorecardsSubmitted: z.number().int(),
    recommendations: z.object({ strong_no: z.number().int(), no: z.number().int(), yes: z.number().int(), strong_yes: z.number().int() }),
    needsDecision: z.boolean(),
  })
  .openapi('Evaluation');

export const InterviewIdParams = z.object({
  // Any text: one that names no interview is a 404.
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'interview-k3v9q2m8xa7b2c4d' }),
});

export const MyInterviewsQuery = z.object({
  mine: z.enum(['true']).optional().openapi({ description: "The caller's interviews (the only ones this lists)." }),
});
