import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const JOB_STATUSES = ['open', 'closed', 'draft'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JobSchema = defineEntity({
  name: 'Job',
  tableName: 'jobs',
  properties: {
    id: p.integer().primary().autoincrement(),
    title: p.string(),
    companyId: p.integer(),
    description: p.text().nullable(),
    location: p.string().nullable(),
    status: p.string().$type<JobStatus>(),
    createdBy: p.integer(),
    createdAt: p.string(),
    updatedAt: p.string(),
  },
});

export type Job = InferEntity<typeof JobSchema>;
