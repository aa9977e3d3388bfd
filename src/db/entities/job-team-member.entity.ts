import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { JobSchema } from './job.entity';

/** What a member may do on the job: see API.md's team roles. */
export const TEAM_ROLES = ['recruiter', 'hiring_manager', 'interviewer'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/**
 * One member of one job's hiring team, with their team role. The job is a relation so a new job and its creator's
 * membership are written by one flush, in one transaction, the job's generated id included.
 */
export const JobTeamMemberSchema = defineEntity({
  name: 'JobTeamMember',
  tableName: 'job_team_members',
  properties: {
    job: p.manyToOne(JobSchema).primary(),
    userId: p.integer().primary(),
    addedBy: p.integer(),
    teamRole: p.string().$type<TeamRole>().default('recruiter'),
    createdAt: p.string(),
  },
});

export type JobTeamMember = InferEntity<typeof JobTeamMemberSchema>;
