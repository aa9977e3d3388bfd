import { WORKFLOW_ID_SUFFIX_PATTERN } from '../domain/ids';

/**
 * Application lists page newest first on (createdAt, id). The cursor is the last row's key,
 * `<createdAt>~<id>`. Its pattern is published, and every value it admits is a harmless position
 * (rows ordered before that key), so no cursor the document allows is refused.
 */
export interface ApplicationCursor {
  createdAt: string;
  id: string;
}

/** The id part takes both shapes of application id: with the random part and without (older ones). */
export const APPLICATION_CURSOR = new RegExp(
  `^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?Z)~(application-job[1-9][0-9]{0,14}-candidate[1-9][0-9]{0,14}(?:-${WORKFLOW_ID_SUFFIX_PATTERN})?)$`,
);

export function encodeApplicationCursor(key: ApplicationCursor): string {
  return `${key.createdAt}~${key.id}`;
}

export function decodeApplicationCursor(cursor: string): ApplicationCursor | undefined {
  const match = APPLICATION_CURSOR.exec(cursor);
  return match ? { createdAt: match[1], id: match[2] } : undefined;
}
