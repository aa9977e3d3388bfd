/**
 * Workflow IDs are readable and derived from (job, candidate): the same pair always names the same
 * workflow, which is how Temporal itself refuses a second application to the same job.
 * The application's public ID is its workflow ID.
 */
const PREFIX = 'application-';
const PATTERN = /^application-job(\d+)-candidate(\d+)$/;

export function applicationWorkflowId(jobId: string, candidateId: string): string {
  return `${PREFIX}job${jobId}-candidate${candidateId}`;
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
