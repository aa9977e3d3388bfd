import type { EntityManager } from '@mikro-orm/core';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { migrateUpdate } from '../../workflows/messages';
import { RUNNING_SQL } from '../domain/pipelines';
import type { MigrationBatch } from '../../activities/migration.activities';

/**
 * What a migration's workflow does to each application: find the running ones pinned to a version,
 * and send each its `migratePipeline` update.
 */

/** Running (non-final) applications of the job pinned to `fromVersion`, in id order after `after`. */
export async function runningOnVersion(
  em: EntityManager,
  query: { jobId: string; fromVersion: number; after: string | null; limit: number },
): Promise<string[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from applications where job_id = ? and pipeline_version = ? and ${RUNNING_SQL} and id > ? order by id limit ?`,
      [Number(query.jobId), query.fromVersion, query.after ?? '', query.limit],
      'all',
    );
  return rows.map((r: { id: string }) => r.id);
}

const UPDATE_DEADLINE_MS = 30_000;

/**
 * Sends one application its update, keyed by (migration, application): Temporal answers a repeat
 * with the first answer, and the workflow moves nobody twice for one migration. True when it moved
 * (now or before); false when it refused (final meanwhile, or no longer on that version) or has closed.
 * Anything else (Temporal unreachable) is thrown, for the activity to retry.
 */
export async function migrateApplication(
  client: Client,
  applicationId: string,
  batch: MigrationBatch,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    // An update waits for a worker to run the application's workflow: bounded, and abandoned with the
    // activity (a worker shutting down runs no workflow tasks, and would otherwise wait on itself).
    await client.withAbortSignal(signal, () =>
      client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
        client.workflow.getHandle(applicationId).executeUpdate(migrateUpdate, {
          args: [{ applicationId, migration: batch.migration, pipeline: batch.pipeline, stageMap: batch.stageMap, by: batch.by }],
          updateId: `${batch.migration.id}.${applicationId}`,
        }),
      ),
    );
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type !== 'UnprocessedUpdate')
      return false;
    throw err;
  }
}
