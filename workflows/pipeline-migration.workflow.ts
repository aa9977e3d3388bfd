import { continueAsNew, proxyActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { MigrationActivities } from '../activities/migration.activities';
import type { PipelineMigrationInput } from './messages';

const retry: RetryPolicy = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' };
const { nextApplications, recordProgress } = proxyActivities<MigrationActivities>({ startToCloseTimeout: '30s', retry });
// A batch heartbeats after each application: one cut off with its worker is tried again within seconds,
// not when its time runs out (the updates it already sent are answered again, unchanged).
const { migrateApplications } = proxyActivities<MigrationActivities>({ startToCloseTimeout: '5m', heartbeatTimeout: '10s', retry });

/** Applications asked to move per activity, and batches per run before the history starts afresh. */
const BATCH = 50;
const BATCHES_PER_RUN = 40;

/**
 * A migration of one job's running applications from one pipeline version to another: a durable
 * walk over them in id order, each sent a validated `migratePipeline` update keyed by the migration
 * and the application, so a retried batch, a restarted worker or a second run moves nobody twice.
 * Progress is counted in SQL as it goes; `completed` once every application moved or failed.
 */
export async function pipelineMigrationWorkflow(startInput: PipelineMigrationInput | null): Promise<{ migrated: number; failed: number }> {
  // A start not signed by the API reads as null; one for another migration is refused too.
  if (!startInput || startInput.migrationId !== workflowInfo().workflowId) return { migrated: 0, failed: 0 };
  const input = startInput;
  let after = input.after ?? null;
  let migrated = input.migrated ?? 0;
  let failed = input.failed ?? 0;
  for (let batch = 0; ; batch++) {
    if (batch === BATCHES_PER_RUN) await continueAsNew<typeof pipelineMigrationWorkflow>({ ...input, after, migrated, failed });
    const ids = await nextApplications({ jobId: input.jobId, fromVersion: input.fromVersion, after, limit: BATCH });
    if (!ids.length) break;
    const outcome = await migrateApplications({
      ids,
      migration: { id: input.migrationId, fromVersion: input.fromVersion, toVersion: input.pipeline.version },
      pipeline: input.pipeline,
      stageMap: input.stageMap,
      by: input.by,
    });
    migrated += outcome.migrated;
    failed += outcome.failed;
    after = ids[ids.length - 1];
    await recordProgress({ migrationId: input.migrationId, migrated, failed, status: 'running' });
  }
  await recordProgress({ migrationId: input.migrationId, migrated, failed, status: 'completed' });
  return { migrated, failed };
}
