import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal as proto } from '@temporalio/proto';
import type { Config } from '../../src/config';
import { createRedis } from '../../src/redis';
import { createApplicationWorker } from '../../src/main/application-worker';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, type Actor } from '../support/applications';

const run = promisify(execFile);
const { VERSIONING_BEHAVIOR_AUTO_UPGRADE: AUTO_UPGRADE } = proto.api.enums.v1.VersioningBehavior;

/**
 * Worker Versioning as docs/workflow-changes.md rolls a new workflow build out, on the tests' dev
 * server (CLI 1.5.1, server 1.29.1): two builds of one worker deployment, the current version moved
 * with the CLI, application workflows following it at their next task (AUTO_UPGRADE) unless pinned.
 */
describe('Worker Versioning: a rollout from one build to the next', () => {
  const deploymentName = `ats-${randomUUID().slice(0, 8)}`;
  let bundle: WorkflowBundleWithSourceMap;
  let stack: TestStack;
  let recruiter: Actor;
  let jobId: string;
  let buildB: { worker: Worker; stop(): Promise<void> };

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack(
      { WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: 'build-a' },
      { worker: { workflowBundle: bundle } },
    );
    buildB = await startBuild('build-b');
    recruiter = await stack.user('recruiter');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
    await waitFor(async () => (await versionsOf()).length === 2, 'both builds registered with the deployment');
  }, 90_000);
  afterAll(async () => {
    await buildB?.stop();
    await stack?.close();
  });

  /** A second worker process's worth: the stack's configuration under another build id. */
  async function startBuild(buildId: string) {
    const config: Config = { ...stack.config, temporal: { ...stack.config.temporal, deployment: { name: deploymentName, buildId } } };
    const redis = createRedis(config.redisUrl, { forWorker: true });
    const worker = await createApplicationWorker({
      config,
      logger: stack.services.logger,
      orm: stack.services.orm,
      redis,
      workflowBundle: bundle,
    });
    const running = worker.run();
    running.catch(() => undefined);
    return {
      worker,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.finally(async () => {
          await worker.connection?.close();
          redis.disconnect();
        });
      },
    };
  }

  const service = () => stack.services.temporal.workflowService;
  const namespace = () => stack.config.temporal.namespace;

  /** The operator's command line, as the rollout procedure gives it. */
  async function temporal(...args: string[]): Promise<string> {
    const cli = process.env.TEMPORAL_CLI ?? '.tools/bin/temporal';
    const { stdout } = await run(cli, [...args, '--address', stack.config.temporal.address, '--namespace', namespace()]);
    return stdout;
  }

  async function versionsOf(): Promise<string[]> {
    try {
      const { workerDeploymentInfo } = await service().describeWorkerDeployment({ namespace: namespace(), deploymentName });
      return (workerDeploymentInfo?.versionSummaries ?? []).map((v) => v.deploymentVersion?.buildId ?? '').sort();
    } catch {
      return [];
    }
  }

  async function apply(): Promise<{ id: string; workflowId: string }> {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function move(id: string, stage: string): Promise<void> {
    const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
    expect(res.status).toBe(200);
  }

  async function versioningOf(workflowId: string) {
    const { workflowExecutionInfo } = await service().describeWorkflowExecution({ namespace: namespace(), execution: { workflowId } });
    const info = workflowExecutionInfo?.versioningInfo;
    return { behavior: info?.behavior, buildId: info?.deploymentVersion?.buildId, override: info?.versioningOverride ?? null };
  }

  /** The build that completed each workflow task, in order. */
  async function tasksBy(workflowId: string): Promise<string[]> {
    const history = await stack.services.temporal.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap((e) =>
      e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId ?? 'unversioned'] : [],
    );
  }

  /** Running workflows pinned to a build: what the server counts to call a version drained. */
  async function pinnedRunningOn(buildId: string): Promise<number> {
    const query = `BuildIds = 'pinned:${deploymentName}:${buildId}' AND ExecutionStatus = 'Running'`;
    return Number((await service().countWorkflowExecutions({ namespace: namespace(), query })).count);
  }

  test('applications move to the new current build at their next task; a pinned one stays until unpinned', async () => {
    await temporal('worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', 'build-a', '--yes');
    const moving = await apply();
    const pinned = await apply();
    await move(moving.id, 'screening');
    await move(pinned.id, 'screening');
    expect(await versioningOf(moving.workflowId)).toEqual({ behavior: AUTO_UPGRADE, buildId: 'build-a', override: null });
    expect(new Set(await tasksBy(moving.workflowId))).toEqual(new Set(['build-a']));

    // One application is pinned to the old build by hand, as an operator would hold back a single run.
    await temporal(
      'workflow',
      'update-options',
      '--workflow-id',
      pinned.workflowId,
      '--versioning-override-behavior',
      'pinned',
      '--versioning-override-deployment-name',
      deploymentName,
      '--versioning-override-build-id',
      'build-a',
    );
    await temporal('worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', 'build-b', '--yes');

    await move(moving.id, 'interview');
    await move(pinned.id, 'interview');
    expect((await tasksBy(moving.workflowId)).at(-1)).toBe('build-b');
    expect(await versioningOf(moving.workflowId)).toMatchObject({ behavior: AUTO_UPGRADE, buildId: 'build-b' });
    expect((await tasksBy(pinned.workflowId)).at(-1)).toBe('build-a');
    expect((await versioningOf(pinned.workflowId)).override).not.toBeNull();

    // The old build is not drained while a workflow is pinned to it; the moving ones never count.
    await waitFor(async () => (await pinnedRunningOn('build-a')) === 1, 'the pinned application counted on build-a');
    const { workerDeploymentVersionInfo } = await service().describeWorkerDeploymentVersion({
      namespace: namespace(),
      deploymentVersion: { deploymentName, buildId: 'build-a' },
    });
    expect(workerDeploymentVersionInfo?.drainageInfo?.status).toBe(
      proto.api.enums.v1.VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING,
    );

    // Unpinned, it follows the current build too; then the old build's workers can stop.
    await temporal('workflow', 'update-options', '--workflow-id', pinned.workflowId, '--versioning-override-behavior', 'unspecified');
    await waitFor(async () => (await pinnedRunningOn('build-a')) === 0, 'nothing pinned to build-a');
    stack.worker!.shutdown();
    await waitFor(async () => stack.worker!.getState() === 'STOPPED', 'build-a stopped');

    await move(moving.id, 'offer');
    await move(pinned.id, 'offer');
    expect((await tasksBy(moving.workflowId)).at(-1)).toBe('build-b');
    expect((await tasksBy(pinned.workflowId)).at(-1)).toBe('build-b');
    expect(await versioningOf(pinned.workflowId)).toEqual({ behavior: AUTO_UPGRADE, buildId: 'build-b', override: null });
  }, 120_000);
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
