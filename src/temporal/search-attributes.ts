import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, registered on the dev server at start and upserted on every transition. */
export const STAGE_ATTRIBUTE = defineSearchAttributeKey('ApplicationStage', SearchAttributeType.KEYWORD);
export const JOB_ATTRIBUTE = defineSearchAttributeKey('JobId', SearchAttributeType.KEYWORD);
/** True while the application's interviews are done and wait for a decision (API.md, "Interviews and scorecards"). */
export const NEEDS_DECISION_ATTRIBUTE = defineSearchAttributeKey('NeedsDecision', SearchAttributeType.BOOL);

export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Bool'> = {
  ApplicationStage: 'Keyword',
  JobId: 'Keyword',
  NeedsDecision: 'Bool',
};
