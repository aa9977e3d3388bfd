import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, registered on the dev server at start and upserted on every transition. */
export const STAGE_ATTRIBUTE = defineSearchAttributeKey('ApplicationStage', SearchAttributeType.KEYWORD);
export const JOB_ATTRIBUTE = defineSearchAttributeKey('JobId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES: Record<string, 'Keyword'> = { ApplicationStage: 'Keyword', JobId: 'Keyword' };
