/**
 * Worker Versioning: the worker deployment this worker belongs to and its build's id. Set, the
 * worker takes only the tasks the server routes to its build, and the rollout moves from build to
 * build with `temporal worker deployment set-current-version` (see docs/workflow-changes.md).
 */
export interface WorkerDeployment {
  name: string;
  buildId: string;
}

export interface WorkerDeploymentEnv {
  WORKER_DEPLOYMENT_NAME?: string;
  WORKER_BUILD_ID?: string;
}

/** Both or neither; the server refuses a deployment name with `.` or `:`, and either value starting `__`. */
export function readWorkerDeployment(env: WorkerDeploymentEnv, problems: string[]): WorkerDeployment | undefined {
  const name = env.WORKER_DEPLOYMENT_NAME;
  const buildId = env.WORKER_BUILD_ID;
  if (name === undefined && buildId === undefined) return undefined;
  if (name === undefined || buildId === undefined) {
    problems.push('WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID: set both (Worker Versioning) or neither');
    return undefined;
  }
  if (/[.:]/.test(name)) problems.push('WORKER_DEPLOYMENT_NAME: cannot contain "." or ":"');
  if (name.startsWith('__')) problems.push('WORKER_DEPLOYMENT_NAME: cannot start with "__"');
  if (buildId.startsWith('__')) problems.push('WORKER_BUILD_ID: cannot start with "__"');
  return { name, buildId };
}
