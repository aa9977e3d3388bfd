import { z } from '../openapi';
import { STAGES } from '../../domain/stages';
import { decodeApplicationCursor } from '../../applications/application-cursor';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSchema } from './pagination.schemas';

export const StageEnum = z.enum(STAGES).openapi('Stage', {
  description: '`applied → screening → interview → offer → hired`; `rejected` from any non-final stage. `hired` and `rejected` are final.',
});

export const StageChangeJson = z.object({
  from: StageEnum.nullable(),
  to: StageEnum,
  at: z.string().openapi({ format: 'date-time' }),
  by: z.string().nullable().openapi({ description: 'Id of the user who acted, or `system` for an expired offer.' }),
  reason: z.string().nullable().openapi({ example: 'withdrawn' }),
}).openapi('StageChange');

export const ApplicationJson = z.object({
  id: z.string().openapi({ example: 'application-job1-candidate7' }),
  jobId: z.string(),
  candidateId: z.string(),
  stage: StageEnum,
  history: z.array(StageChangeJson).openapi({ description: 'Oldest first; the first entry is `{ from: null, to: "applied" }`.' }),
  workflowId: z.string(),
  workflowUrl: z.string().openapi({ format: 'uri', description: 'This application\'s workflow in the Temporal Web UI.' }),
  coverLetter: z.string().nullable(),
  resumeUrl: z.string().nullable(),
  createdAt: z.string().openapi({ format: 'date-time' }),
  updatedAt: z.string().openapi({ format: 'date-time' }),
}).openapi('Application');

export const ApplicationPage = pageSchema(ApplicationJson, 'ApplicationPage');

/** Links shown to recruiters: web URLs only, never a scheme that runs or reads something in their browser. */
const WEB_URL = /^https?:\/\/[^\s/?#]+/;

export const ApplyBody = z.strictObject({
  coverLetter: z.string().max(20_000).nullable().optional(),
  // The scheme check is a plain pattern so the OpenAPI document states exactly what is accepted.
  resumeUrl: z.string().max(2_000).regex(WEB_URL, 'An http: or https: URL').url().nullable().optional()
    .openapi({ example: 'https://example.com/cv.pdf', description: 'An `https:` or `http:` URL; other schemes (`javascript:`, `data:`, `file:`, …) are refused.' }),
}).openapi('Apply');

const Reason = z.string().trim().min(1).max(500);

export const StageChangeBody = z.strictObject({
  stage: StageEnum,
  reason: Reason.nullable().optional().openapi({ example: 'Strong portfolio' }),
  fromStage: StageEnum.optional().openapi({ description: 'Refuse (409 `stage_changed`) unless the application is still in this stage.' }),
}).openapi('StageChangeRequest');

export const ApplicationIdParams = z.object({
  id: z.string().max(200).openapi({ param: { name: 'id', in: 'path' }, example: 'application-job1-candidate7' }),
});

export const ApplicationListQuery = z.object({
  jobId: z.string().regex(/^\d{1,15}$/, 'A job id').optional(),
  stage: StageEnum.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE)
    .openapi({ description: `Page size, 1–${MAX_PAGE_SIZE}.` }),
  cursor: z.string().max(400).refine((c) => decodeApplicationCursor(c) !== undefined, 'Malformed cursor: pass back a nextCursor value unchanged.').optional()
    .openapi({ description: 'The `nextCursor` of the previous page.' }),
});
