import { randomBytes } from 'node:crypto';
import type { WorkflowStartOptions } from '@temporalio/client';
import type { Config } from '../../src/config';
import { seal } from '../../src/crypto/personal-fields';
import { DEFAULT_PIPELINE, firstStage, kindOf } from '../../src/domain/pipelines';
import type { Stage } from '../../src/domain/stages';
import { JOB_ATTRIBUTE, PIPELINE_VERSION_ATTRIBUTE, STAGE_ATTRIBUTE, STAGE_KIND_ATTRIBUTE } from '../../src/temporal/search-attributes';
import { APPLICATION_DESIGN, type ApplicationInput, type StageChangeRequest } from '../../workflows/messages';
import type { matchedApplicationWorkflow } from './matched.workflow';

/**
 * What the load sends the feature-matched bare workflow, shaped and sized as the API's messages to
 * the system's (src/applications/application-commands.ts): the start input with the content sealed as
 * `sealContent` seals it (the bench's cover letter and résumé URL, under a data key of its own), the
 * pinned default pipeline and the configured clocks; the four start search attributes; the static
 * summary and details `applicationSummary` writes for a bench job; and the stage change request as
 * the stage route builds it.
 */
export const APPLY_CONTENT = { coverLetter: 'I would like to join the team.', resumeUrl: 'https://example.com/cv.pdf' };
const DATA_KEY = randomBytes(32);
const JOB = { id: '1', title: 'Apply job 1', company: 'Bench' };

type Start = Pick<
  WorkflowStartOptions<typeof matchedApplicationWorkflow>,
  'args' | 'typedSearchAttributes' | 'staticSummary' | 'staticDetails'
>;

/** The start of workflow `i` of a load. */
export function matchedStart(workflowId: string, i: number, config: Pick<Config, 'timers'>): Start & { args: [ApplicationInput] } {
  const candidateId = i + 1;
  const pipeline = DEFAULT_PIPELINE;
  const first = firstStage(pipeline);
  return {
    args: [
      {
        applicationId: workflowId,
        jobId: JOB.id,
        candidateId: String(candidateId),
        coverLetter: seal(DATA_KEY, candidateId, APPLY_CONTENT.coverLetter),
        resumeUrl: seal(DATA_KEY, candidateId, APPLY_CONTENT.resumeUrl),
        stageSlaSeconds: config.timers.stageSlaSeconds,
        offerExpirySeconds: config.timers.offerExpirySeconds,
        design: APPLICATION_DESIGN,
        pipeline: { version: pipeline.version, stages: pipeline.stages },
        reopenWindowSeconds: config.timers.reopenWindowSeconds,
      },
    ],
    typedSearchAttributes: [
      { key: STAGE_ATTRIBUTE, value: first },
      { key: JOB_ATTRIBUTE, value: JOB.id },
      { key: STAGE_KIND_ATTRIBUTE, value: kindOf(pipeline, first) ?? 'applied' },
      { key: PIPELINE_VERSION_ATTRIBUTE, value: pipeline.version },
    ],
    staticSummary: `Application: ${JOB.title} at ${JOB.company}`,
    staticDetails: [
      `**Job:** ${JOB.title} (id ${JOB.id})`,
      `**Company:** ${JOB.company}`,
      '**Stage at start:** applied',
      'The current stage is the ApplicationStage search attribute.',
    ].join('\n\n'),
  };
}

/** A recruiter's stage change, as the stage route sends it (no `fromStage`, no reason). */
export function matchedChange(move: { workflowId: string; stage: Stage }): StageChangeRequest {
  return { stage: move.stage, reason: null, fromStage: undefined, by: '1', applicationId: move.workflowId };
}
