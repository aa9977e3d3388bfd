import { randomBytes } from 'node:crypto';
import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import { applicationWorkflowId, WORKFLOW_ID_SUFFIX_ALPHABET, WORKFLOW_ID_SUFFIX_LENGTH } from '../domain/ids';

/**
 * Each (job, candidate) pair's workflow id, claimed in SQL before its workflow starts
 * (`application_claims`). The id's random part is this database's own: a restored or replaced
 * database, which hands the same job and user ids out again, has no claim for them, draws another
 * id, and so never reaches a workflow of the earlier one.
 */

/** 32 letters, one per random byte: 256 is a multiple of 32, so no letter is likelier than another. */
export function drawWorkflowIdSuffix(): string {
  return [...randomBytes(WORKFLOW_ID_SUFFIX_LENGTH)].map((byte) => WORKFLOW_ID_SUFFIX_ALPHABET[byte % 32]).join('');
}

/**
 * The workflow id of `candidateId`'s application to `jobId`: the pair's claim, made now if there is
 * none. Concurrent applies all read the first claim, so they send one id and Temporal refuses all
 * but one start; an apply that failed before its start leaves the claim for its retry to reuse.
 */
export async function claimApplicationId(em: EntityManager, jobId: number, candidateId: number, now = new Date()): Promise<string> {
  const drawn = applicationWorkflowId(String(jobId), String(candidateId), drawWorkflowIdSuffix());
  const [inserted] = await em.execute<{ workflowId: string }[]>(
    `insert into application_claims (job_id, candidate_id, workflow_id, created_at) values (?, ?, ?, ?)
      on conflict (job_id, candidate_id) do nothing returning workflow_id as "workflowId"`,
    [jobId, candidateId, drawn, now.toISOString()],
    'all',
  );
  if (inserted) return inserted.workflowId;
  const [claim] = await em.execute<{ workflowId: string }[]>(
    'select workflow_id as "workflowId" from application_claims where job_id = ? and candidate_id = ?',
    [jobId, candidateId],
    'all',
  );
  return claim.workflowId;
}

/**
 * Whether `id` is an application of this database: claimed here, or (one inserted without a claim)
 * with a row here. Anything else may be a workflow of an earlier database that shares the id.
 */
export async function isOwnApplication(em: EntityManager, id: string): Promise<boolean> {
  const rows = await em.execute<{ found: number }[]>(
    'select 1 as found from application_claims where workflow_id = ? union all select 1 as found from applications where id = ?',
    [id, id],
    'all',
  );
  return rows.length > 0;
}
