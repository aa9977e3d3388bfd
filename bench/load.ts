import fs from 'node:fs';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { dataConverterFor } from '../src/temporal/data-converter';
import { connectionOptions } from '../src/temporal/connection-security';
import { bareApplicationWorkflow, bareChangeStageUpdate, bareSubmitUpdate } from './baselines/bare.workflow';
import { matchedApplicationWorkflow } from './baselines/matched.workflow';
import { matchedStart, matchedChange } from './baselines/matched-messages';
import { changeStageUpdate, submitUpdate } from '../workflows/messages';
import { MEASURE_MARKS, runPool, type LoadResult } from './support/stats';
import { runOpenLoop } from './support/open-loop';
import type { Stage } from '../src/domain/stages';

/**
 * The load generator, a process of its own: `node dist/bench/load.js <spec.json> <result.json>`.
 * HTTP requests go through Node's fetch (undici, keep-alive); the bare baselines' messages through
 * the Temporal client with the system's data converter, configured from the same environment.
 */
export interface HttpRequestSpec {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
  expect: number;
  key?: string;
}

export type LoadSpec =
  | { kind: 'http'; baseUrl: string; concurrency: number; warmup: number; requests: HttpRequestSpec[] }
  | { kind: 'bare-apply'; concurrency: number; warmup: number; taskQueue: string; workflowIds: string[]; workflow?: BareWorkflow }
  | { kind: 'bare-stage'; concurrency: number; warmup: number; moves: { workflowId: string; stage: Stage }[]; workflow?: BareWorkflow };

/** Which bare workflow a bare load drives: the minimal one (bare.workflow.ts, the default) or the feature-matched one. */
export type BareWorkflow = 'minimal' | 'matched';

/**
 * A closed loop of `concurrency` clients, each sending when its answer is in; or, when the spec
 * carries `ratePerSec`, an open loop starting operations at that rate (bench/support/open-loop.ts).
 * The measured operations' start and end are printed (`MEASURE_MARKS`) for the orchestrator's sampler.
 */
function drive(
  spec: { concurrency: number; warmup: number; ratePerSec?: number },
  total: number,
  keyOf: (i: number) => string | undefined,
  op: (i: number) => Promise<void>,
): Promise<LoadResult> {
  const measuring = () => process.stdout.write(`${MEASURE_MARKS.measuring}\n`);
  return (
    spec.ratePerSec
      ? runOpenLoop(total, spec.ratePerSec, spec.warmup, keyOf, op, undefined, measuring)
      : runPool(total, spec.concurrency, spec.warmup, keyOf, op, measuring)
  ).finally(() => process.stdout.write(`${MEASURE_MARKS.measured}\n`));
}

class StatusError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function httpLoad(spec: Extract<LoadSpec, { kind: 'http' }>): Promise<LoadResult> {
  const { requests } = spec;
  return drive(
    spec,
    requests.length,
    (i) => requests[i].key,
    async (i) => {
      const r = requests[i];
      const headers: Record<string, string> = {};
      if (r.token) headers.Authorization = `Bearer ${r.token}`;
      if (r.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(spec.baseUrl + r.path, {
        method: r.method,
        headers,
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
      });
      // The whole body is read: a response is done when the client has it.
      const text = await res.text();
      if (res.status !== r.expect)
        throw new StatusError(String(res.status), `${r.method} ${r.path} answered ${res.status}: ${text.slice(0, 300)}`);
    },
  );
}

async function temporalClient(): Promise<Client> {
  const config = loadConfig();
  const connection = await Connection.connect(connectionOptions(config.temporal));
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config.auth) });
}

async function bareApply(spec: Extract<LoadSpec, { kind: 'bare-apply' }>, client: Client): Promise<LoadResult> {
  const config = loadConfig();
  return drive(
    spec,
    spec.workflowIds.length,
    () => undefined,
    async (i) => {
      const workflowId = spec.workflowIds[i];
      if (spec.workflow === 'matched') {
        const { args, typedSearchAttributes, staticSummary, staticDetails } = matchedStart(workflowId, i, config);
        await client.workflow.executeUpdateWithStart(submitUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation(matchedApplicationWorkflow, {
            workflowId,
            taskQueue: spec.taskQueue,
            args,
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            typedSearchAttributes,
            staticSummary,
            staticDetails,
          }),
        });
        return;
      }
      await client.workflow.executeUpdateWithStart(bareSubmitUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation(bareApplicationWorkflow, {
          workflowId,
          taskQueue: spec.taskQueue,
          args: [{ applicationId: workflowId }],
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      });
    },
  );
}

async function bareStage(spec: Extract<LoadSpec, { kind: 'bare-stage' }>, client: Client): Promise<LoadResult> {
  const { moves } = spec;
  return drive(
    spec,
    moves.length,
    (i) => moves[i].workflowId,
    async (i) => {
      if (spec.workflow === 'matched') {
        await client.workflow.getHandle(moves[i].workflowId).executeUpdate(changeStageUpdate, { args: [matchedChange(moves[i])] });
        return;
      }
      await client.workflow
        .getHandle(moves[i].workflowId)
        .executeUpdate(bareChangeStageUpdate, { args: [{ stage: moves[i].stage, by: 'bench' }] });
    },
  );
}

async function main(): Promise<void> {
  const [specFile, resultFile] = process.argv.slice(2);
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8')) as LoadSpec;
  let result: LoadResult;
  if (spec.kind === 'http') {
    result = await httpLoad(spec);
  } else {
    const client = await temporalClient();
    try {
      result = spec.kind === 'bare-apply' ? await bareApply(spec, client) : await bareStage(spec, client);
    } finally {
      await client.connection.close();
    }
  }
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

main().catch((err: Error) => {
  process.stderr.write(`load: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
