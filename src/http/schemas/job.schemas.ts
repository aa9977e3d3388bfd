import { z } from '../openapi';
import { JOB_STATUSES, type Job } from '../../db/entities/job.entity';
import { PageQuery, pageSchema } from './pagination.schemas';

export const JobStatusEnum = z.enum(JOB_STATUSES);

const Title = z.string().trim().min(1).max(200).openapi({ example: 'Backend Developer' });
const Company = z.string().trim().min(1).max(200).openapi({ example: 'TechCorp' });
const Description = z.string().max(20_000).nullable();
const Location = z.string().trim().max(200).nullable().openapi({ example: 'Remote' });

export const JobJson = z.object({
  id: z.string(),
  title: z.string(),
  company: z.string(),
  description: z.string().nullable(),
  location: z.string().nullable(),
  status: JobStatusEnum,
  createdBy: z.string().openapi({ description: 'Id of the user who created the job.' }),
  createdAt: z.string().openapi({ format: 'date-time' }),
  updatedAt: z.string().openapi({ format: 'date-time' }),
}).openapi('Job');

export const JobPage = pageSchema(JobJson, 'JobPage');

export const CreateJobBody = z.strictObject({
  title: Title,
  company: Company,
  description: Description.optional(),
  location: Location.optional(),
  status: JobStatusEnum.default('open'),
}).openapi('CreateJob');

/** Strict, so `createdBy`, `id` or timestamps cannot be written through a PATCH. */
export const UpdateJobBody = z.strictObject({
  title: Title.optional(),
  company: Company.optional(),
  description: Description.optional(),
  location: Location.optional(),
  status: JobStatusEnum.optional(),
}).openapi('UpdateJob');

export const JobListQuery = PageQuery.extend({
  status: JobStatusEnum.optional(),
  q: z.string().trim().max(200).optional().openapi({ description: 'Case-insensitive substring of the title or company.' }),
});

export function toJobJson(job: Job): z.output<typeof JobJson> {
  return {
    id: String(job.id),
    title: job.title,
    company: job.company,
    description: job.description ?? null,
    location: job.location ?? null,
    status: job.status,
    createdBy: String(job.createdBy),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
