import { z } from '../openapi';
import { JOB_STATUSES } from '../../db/entities/job.entity';
import type { JobView } from '../../jobs/job-queries';
import { PageQuery, pageSchema } from './pagination.schemas';
import { text } from './text.schemas';
import { atMostOneOf, requestBody } from './request-body.schemas';
import { CompanyName, CompanyIdInput, ID_PATTERN } from './company.schemas';

export const JobStatusEnum = z.enum(JOB_STATUSES);

const Title = text({ max: 200, trim: true }).openapi({ example: 'Backend Developer' });
const Description = text({ max: 20_000, blank: true }).nullable();
const Location = text({ max: 200, blank: true, trim: true }).nullable().openapi({ example: 'Remote' });

export const JobJson = z
  .object({
    id: z.string(),
    title: z.string(),
    companyId: z.string().openapi({ description: 'Id of the company the job belongs to.' }),
    company: z.string().openapi({ description: "The company's name." }),
    description: z.string().nullable(),
    location: z.string().nullable(),
    status: JobStatusEnum,
    createdBy: z.string().openapi({ description: 'Id of the user who created the job.' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    counts: z
      .record(z.string(), z.number().int().min(0))
      .nullable()
      .optional()
      .openapi({
        description:
          'Only in `GET /api/jobs?mine=true` answers to staff: the running (not hired, not rejected) applications per stage id, every running stage listed. `null` for a team member who may not see them all.',
        example: { applied: 3, screening: 1, interview: 0, offer: 0 },
      }),
  })
  .openapi('Job');

export const JobPage = pageSchema(JobJson, 'JobPage');

const companyRef = {
  companyId: CompanyIdInput.optional(),
  company: CompanyName.optional().openapi({ description: 'A company name, found without regard to case or created.' }),
};

/** Exactly one way of naming the company (the original `company_id` counts as `companyId`). */
const named = (b: Record<string, unknown>) => [b.companyId ?? b.company_id, b.company].filter((v) => v !== undefined).length;
const COMPANY_NAMES = ['companyId', 'company_id', 'company'];
const ONCE = {
  holds: (b: Record<string, unknown>) => named(b) <= 1,
  path: 'company',
  message: 'Name the company once: `companyId` or `company`, not both.',
  atMostOne: COMPANY_NAMES,
};
const GIVEN = {
  holds: (b: Record<string, unknown>) => named(b) >= 1,
  path: 'company',
  message: 'Give `companyId` (or `company_id`) or a `company` name.',
};

export const CreateJobBody = requestBody(
  z.strictObject({
    title: Title,
    ...companyRef,
    description: Description.optional(),
    location: Location.optional(),
    status: JobStatusEnum.optional().openapi({ default: 'open' }),
  }),
  [ONCE, GIVEN],
)
  .transform((body) => ({ ...body, status: body.status ?? 'open' }))
  .openapi('CreateJob', {
    description: 'Exactly one of `companyId` (or `company_id`) and `company`.',
    // At most one way of naming the company, and not none: said with `not` only, since
    // openapi-python-client drops an object schema that has `anyOf` beside its properties.
    not: { anyOf: [...atMostOneOf(COMPANY_NAMES).not!.anyOf, { not: { anyOf: COMPANY_NAMES.map((name) => ({ required: [name] })) } }] },
    example: { title: 'Backend Developer', companyId: '1', description: 'Node.js and PostgreSQL.', location: 'Remote', status: 'open' },
  } as never);

/** Strict, so `createdBy`, `id` or timestamps cannot be written through a PATCH. */
export const UpdateJobBody = requestBody(
  z.strictObject({
    title: Title.optional(),
    ...companyRef,
    description: Description.optional(),
    location: Location.optional(),
    status: JobStatusEnum.optional(),
  }),
  [ONCE],
)
  // Only a body otherwise valid is told it changes nothing: unknown fields are the error to report.
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    message: 'Change at least one field.',
    when: (payload) => payload.issues.length === 0,
  })
  .openapi('UpdateJob', { minProperties: 1, example: { title: 'Senior Backend Developer', status: 'closed' } });

export const JobListQuery = PageQuery.extend({
  status: JobStatusEnum.optional(),
  companyId: z.string().regex(ID_PATTERN, 'A company id').optional().openapi({ description: "Only this company's jobs." }),
  q: text({ max: 200, blank: true, trim: true })
    .optional()
    .openapi({ description: 'Case-insensitive substring of the title or the company name, taken literally.' }),
  mine: z.enum(['true', 'false']).optional().openapi({
    description:
      '`true`: staff see only the jobs on whose hiring team they are (admins: every job), each with `counts`. Ignored for anonymous callers and candidates, who see the open jobs as without it.',
  }),
});

export function toJobJson(job: JobView & { counts?: Record<string, number> | null }): z.output<typeof JobJson> {
  return {
    ...(job.counts === undefined ? {} : { counts: job.counts }),
    id: String(job.id),
    title: job.title,
    companyId: String(job.companyId),
    company: job.company,
    description: job.description ?? null,
    location: job.location ?? null,
    status: job.status,
    createdBy: String(job.createdBy),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
