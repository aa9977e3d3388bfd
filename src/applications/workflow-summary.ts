import type { Job } from '../db/entities/job.entity';

/**
 * What the Web UI shows in its workflow list and header, so a recruiter knows what an application
 * is without opening it: the job, the company, the stage it started in. Never the candidate's name
 * or e-mail. Fixed at start (Temporal keeps these static); the current stage is the
 * ApplicationStage search attribute. Like every payload, they pass through the codec.
 */
export function applicationSummary(job: Pick<Job, 'id' | 'title' | 'companyId'> & { company: string | null }): {
  staticSummary: string;
  staticDetails: string;
} {
  const company = job.company ?? `company ${job.companyId}`;
  return {
    staticSummary: `Application: ${job.title} at ${company}`,
    staticDetails: [
      `**Job:** ${job.title} (id ${job.id})`,
      `**Company:** ${company}`,
      '**Stage at start:** applied',
      'The current stage is the ApplicationStage search attribute.',
    ].join('\n\n'),
  };
}
