import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * The worker's place in its worker deployment, when Worker Versioning is on; nothing otherwise, so
 * an unversioned worker polls its queue as before.
 *
 * Every workflow here moves to the deployment's current build at its next task (AUTO_UPGRADE):
 * applications live for weeks or months (thirty more days in a reopen window), and pinning them to
 * the build they started on would keep every old build's workers polling until the last of them
 * closed. Moving is safe only because a new build must replay every running history (the replay
 * suite), with `patched` or the start input choosing new behaviour (docs/workflow-changes.md).
 */
export function versioningOptions(temporal: Config['temporal']): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!temporal.deployment) return {};
  return {
    workerDeploymentOptions: {
      version: { deploymentName: temporal.deployment.name, buildId: temporal.deployment.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  };
}
