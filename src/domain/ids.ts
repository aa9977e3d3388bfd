/**
 * Application ids are workflow ids, readable and derived from (job, candidate), plus a random part
 * drawn once per (job, candidate) by the database that claims the pair (application-claims.ts):
 * a restored or replaced database, whose SQL ids repeat, draws another and cannot reach an older
 * workflow. Ids from before the random part (`application-job1-candidate7`) stay valid.
 */
const PREFIX = 'application-';

/** The random part: 10 characters of lowercase base32 (RFC 4648 alphabet), 50 bits. */
export const WORKFLOW_ID_SUFFIX_PATTERN = '[a-z2-7]{10}';
export const WORKFLOW_ID_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const WORKFLOW_ID_SUFFIX_LENGTH = 10;

const PATTERN = new RegExp(`^application-job(\\d+)-candidate(\\d+)(?:-${WORKFLOW_ID_SUFFIX_PATTERN})?$`);

/** `suffix` absent: the id of an application from before the random part. */
export function applicationWorkflowId(jobId: string, candidateId: string, suffix?: string): string {
  return `${PREFIX}job${jobId}-candidate${candidateId}${suffix ? `-${suffix}` : ''}`;
}

export function parseApplicationId(id: string): { jobId: string; candidateId: string } | null {
  const match = PATTERN.exec(id);
  return match ? { jobId: match[1], candidateId: match[2] } : null;
}

/** Web UI deep link to one workflow's history. */
export function workflowUrl(uiBaseUrl: string, namespace: string, workflowId: string): string {
  return `${uiBaseUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A public id (a string to clients) as a database id; anything else names nothing. */
export function toDbId(id: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}
