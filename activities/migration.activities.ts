import { Context } from '@temporalio/activity';
import type { MigrationMark } from '../workflows/messages';
import type { PipelineSnapshot } from '../src/domain/pipelines';

/** A batch of applications to move, and how. */
export interface MigrationBatch {
  ids: string[];
  migration: MigrationMark;
  pipeline: PipelineSnapshot;
  stageMap: Record<string, string>;
  by: string;
}

export interface MigrationActivities {
  /** The ids of the job's running applications pinned to `fromVersion`, after `after` in id order. */
  nextApplications(query: { jobId: string; fromVersion: number; after: string | null; limit: number }): Promise<string[]>;
  /**
   * Sends each application its `migratePipeline` update (keyed by migration and application, so a
   * retry is answered with the first answer); counts those moved and those refused (final meanwhile,
   * or no longer on the version).
   */
  migrateApplications(batch: MigrationBatch): Promise<{ migrated: number; failed: number }>;
  recordProgress(progress: { migrationId: string; migrated: number; failed: number; status: 'running' | 'completed' }): Promise<void>;
}

export interface MigrationActivityDeps {
  list(query: { jobId: string; fromVersion: number; after: string | null; limit: number }): Promise<string[]>;
  /**
   * Sends one application its update; resolves true when it moved (or had already), false when refused.
   * `signal` aborts it when the activity is cancelled (its worker shutting down, say).
   */
  migrate(applicationId: string, batch: MigrationBatch, signal: AbortSignal): Promise<boolean>;
  record(progress: { migrationId: string; migrated: number; failed: number; status: 'running' | 'completed' }): Promise<void>;
}

/** The activities over their dependencies, which src/main wires (SQL, a Temporal client). */
export function createMigrationActivities(deps: MigrationActivityDeps): MigrationActivities {
  return {
    nextApplications: (query) => deps.list(query),
    async migrateApplications(batch) {
      let migrated = 0;
      let failed = 0;
      const { cancellationSignal } = Context.current();
      for (const id of batch.ids) {
        if (await deps.migrate(id, batch, cancellationSignal)) migrated += 1;
        else failed += 1;
        Context.current().heartbeat(id);
      }
      return { migrated, failed };
    },
    recordProgress: (progress) => deps.record(progress),
  };
}
