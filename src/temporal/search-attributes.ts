import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, registered on the dev server at start and upserted on every transition. */
export const STAGE_ATTRIBUTE = defineSearchAttributeKey('ApplicationStage', SearchAttributeType.KEYWORD);
export const JOB_ATTRIBUTE = defineSearchAttributeKey('JobId', SearchAttributeType.KEYWORD);
/** True while the application's interviews are done and wait for a decision (API.md, "Interviews and scorecards"). */
export const NEEDS_DECISION_ATTRIBUTE = defineSearchAttributeKey('NeedsDecision', SearchAttributeType.BOOL);

/** The pinned pipeline version and the kind of the current stage (applications started since pipelines exist). */
export const PIPELINE_VERSION_ATTRIBUTE = defineSearchAttributeKey('PipelineVersion', SearchAttributeType.INT);
export const STAGE_KIND_ATTRIBUTE = defineSearchAttributeKey('StageKind', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Bool' | 'Int'> = {
  ApplicationStage: 'Keyword',
  JobId: 'Keyword',
  NeedsDecision: 'Bool',
  PipelineVersion: 'Int',
  StageKind: 'Keyword',
};
