import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { JobSchema } from './job.entity';

/**
 * One recruiter on one job's hiring team. The job is a relation so a new job and its creator's
 * membership are written by one flush, in one transaction, the job's generated id included.
 */
export const JobTeamMemberSchema = defineEntity({
  name: 'JobTeamMember',
  tableName: 'job_team_members',
  properties: {
    job: p.manyToOne(JobSchema).primary(),
    userId: p.integer().primary(),
    addedBy: p.integer(),
    createdAt: p.string(),
  },
});

export type JobTeamMember = InferEntity<typeof JobTeamMemberSchema>;
