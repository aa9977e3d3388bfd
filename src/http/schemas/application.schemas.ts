import { z } from '../openapi';
import { STAGE_ID_PATTERN } from '../../domain/pipelines';
import { APPLICATION_CURSOR } from '../../applications/application-cursor';
import { Limit, pageSchema } from './pagination.schemas';
import { text } from './text.schemas';
import { requestBody } from './request-body.schemas';
import { WebUrl } from './url.schemas';

const STAGE_DESCRIPTION =
  "A stage id of the application's pinned pipeline version, or `rejected`. The default pipeline's are " +
  '`applied → screening → interview → offer → hired`; `rejected` from any non-final stage; the last stage and `rejected` are final.';

/** A stage id: `a-z0-9_-`, as pipelines name them (`rejected` among them). */
const STAGE_ID = new RegExp(STAGE_ID_PATTERN);

export const StageEnum = z
  .string()
  .regex(STAGE_ID, 'A stage id: 1 to 40 of a-z, 0-9, `_` and `-`.')
  .openapi('Stage', { description: STAGE_DESCRIPTION, example: 'screening' });

/**
 * A stage or null, written out inline: a nullable reference would come out as `allOf`/`oneOf` with
 * the reference, which some client generators misread.
 */
const StageOrNull = z
  .string()
  .regex(STAGE_ID)
  .nullable()
  .openapi({ type: ['string', 'null'], pattern: STAGE_ID_PATTERN } as never);

/** A stage in a request, inline too: a described reference would also come out as `allOf`. */
const StageInput = z.string().regex(STAGE_ID, 'A stage id: 1 to 40 of a-z, 0-9, `_` and `-`.');

// Shapes are spread into new objects, never `.extend`ed: an extended registered schema comes out as `allOf`.
const stageChangeFields = {
  from: StageOrNull.openapi({ description: 'The stage before; `null` for the first entry.' }),
  to: StageEnum,
  at: z.string().openapi({ format: 'date-time' }),
  by: z.string().nullable().openapi({ description: 'Id of the user who acted, or `system` for an expired offer.' }),
  reason: z.string().nullable().openapi({ example: 'withdrawn' }),
  migration: z
    .object({ id: z.string(), fromVersion: z.number().int(), toVersion: z.number().int() })
    .optional()
    .openapi({ description: 'Only on the entry a pipeline migration made: which migration, from which version to which.' }),
};

/** A history entry as webhooks carry it: ids only, no one's name. */
export const StageChangeEventJson = z.object(stageChangeFields).openapi('StageChangeEvent');

export const StageChangeJson = z
  .object({
    ...stageChangeFields,
    byName: z
      .string()
      .nullable()
      .openapi({ description: "The acting user's full name; `null` for the system, an erased account or a user without a name." }),
  })
  .openapi('StageChange');

const candidateFields = {
  id: z.string(),
  fullName: z.string().nullable().openapi({ description: '`null` when the account has no name, or was erased.' }),
  email: z.string().openapi({ description: "The account's address (`erased-<id>@invalid` after erasure)." }),
};

export const CandidateSummaryJson = z.object(candidateFields).openapi('CandidateSummary');

const HISTORY = 'Oldest first; the first entry is `{ from: null, to: "applied" }`.';

const applicationFields = {
  id: z.string().openapi({ example: 'application-job1-candidate7-k3v9q2m8xa' }),
  jobId: z.string(),
  candidateId: z.string(),
  stage: StageEnum,
  pipelineVersion: z.number().int().openapi({ description: "The version of the job's pipeline the application is pinned to." }),
  history: z.array(StageChangeEventJson).openapi({ description: HISTORY }),
  workflowId: z.string(),
  workflowUrl: z.string().openapi({ format: 'uri', description: "This application's workflow in the Temporal Web UI." }),
  coverLetter: z.string().nullable(),
  resumeUrl: z.string().nullable(),
  createdAt: z.string().openapi({ format: 'date-time' }),
  updatedAt: z.string().openapi({ format: 'date-time' }),
};

/**
 * The application in a webhook's `data`: no names or e-mail, so a receiver's logs hold no more
 * personal data than before (readers of the API get `Application`, with them).
 */
export const ApplicationEventJson = z.object(applicationFields).openapi('ApplicationEvent');

/** Written out inline, as a nullable reference would come out as `oneOf` with the reference. */
const EvaluationOrNull = z
  .object({
    interviews: z.number().int().openapi({ description: 'Interviews not cancelled.' }),
    scorecardsDue: z.number().int().openapi({ description: 'Scorecards of those interviews not in yet.' }),
    scorecardsSubmitted: z.number().int(),
    recommendations: z.object({ strong_no: z.number().int(), no: z.number().int(), yes: z.number().int(), strong_yes: z.number().int() }),
    needsDecision: z.boolean().openapi({
      description: 'An interview became complete since the last stage change, and none is scheduled or awaiting feedback.',
    }),
  })
  .nullable()
  .openapi({
    description:
      "Admins and the job's `recruiter` and `hiring_manager` members; `null` for the candidate, and for an `interviewer` until their own scorecard for it is in.",
  });

export const ApplicationJson = z
  .object({
    ...applicationFields,
    // Who applied: shown to the candidate themself, admins and the job's hiring team (a described reference would be `allOf`).
    candidate: CandidateSummaryJson,
    history: z.array(StageChangeJson).openapi({ description: HISTORY }),
    evaluation: EvaluationOrNull,
  })
  .openapi('Application');

export const ApplicationPage = pageSchema(ApplicationJson, 'ApplicationPage');

export const ApplyBody = requestBody(
  z.strictObject({
    coverLetter: text({ max: 20_000, blank: true }).nullable().optional(),
    resumeUrl: WebUrl.nullable().optional(),
  }),
).openapi('Apply');

export const StageChangeBody = requestBody(
  z.strictObject({
    stage: StageInput,
    reason: text({ max: 500, trim: true }).nullable().optional().openapi({ example: 'Strong portfolio' }),
    fromStage: StageInput.optional().openapi({
      description: 'Refuse (409 `stage_changed`) unless the application is still in this stage.',
    }),
  }),
).openapi('StageChangeRequest');

export const ReopenBody = requestBody(
  z.strictObject({
    stage: StageInput.openapi({ description: 'A non-final stage of the pinned pipeline version.', example: 'screening' }),
    reason: text({ max: 500, trim: true }).openapi({ example: 'Rejected by mistake' }),
  }),
).openapi('ReopenRequest');

export const ApplicationIdParams = z.object({
  // Any text: one that names no application is a 404, like an id of someone else's.
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'application-job1-candidate7-k3v9q2m8xa' }),
});

export const ApplicationListQuery = z.object({
  jobId: z
    .string()
    .regex(/^[0-9]{1,15}$/, 'A job id')
    .optional(),
  stage: StageInput.optional(),
  q: text({ max: 200 })
    .optional()
    .openapi({ description: "Applications whose candidate's name or e-mail contains this text, case-insensitively." }),
  needsDecision: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Only the applications that wait for a decision after their interviews (`true`), or only the others.' }),
  limit: Limit,
  cursor: z
    .string()
    .regex(APPLICATION_CURSOR, 'Malformed cursor: pass back a nextCursor value unchanged.')
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page.' }),
});

export const CandidateJson = z
  .object({
    ...candidateFields,
    applications: z.array(ApplicationJson).openapi({ description: 'Only the applications the caller may see, newest first.' }),
  })
  .openapi('Candidate');
