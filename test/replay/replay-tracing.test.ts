import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createDataConverter } from '../../src/temporal/data-converter';
import { TRACING_WORKFLOW_MODULES } from '../../src/temporal/workflow-tracing';
import { TEST_PAYLOAD_ACTIVE_KEY, TEST_PAYLOAD_KEYS, TEST_SECRET_KEY } from '../support/stack';
import { parsePayloadKeys } from '../../src/crypto/payload-keys';
import { loadHistory } from './load-history';

/**
 * A worker that traces runs the workflow code with `@temporalio/interceptors-opentelemetry`'s
 * workflow interceptors in its bundle. They add headers and spans, never commands: every recorded
 * history replays with them as it does without (test/replay/replay.test.ts).
 */
const dataConverter = createDataConverter(TEST_SECRET_KEY, { payloadKeys: parsePayloadKeys(TEST_PAYLOAD_KEYS, TEST_PAYLOAD_ACTIVE_KEY) });
const DIR = path.join(__dirname, 'histories');
const files = [
  ...fs.readdirSync(DIR).filter((f) => f.endsWith('.json')),
  ...fs
    .readdirSync(path.join(DIR, 'design-1'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `design-1/${f}`),
].sort();

describe('recorded histories replay with the tracing interceptors', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;
  const exported = new InMemorySpanExporter();
  const sinks = { exporter: makeWorkflowExporter(new SimpleSpanProcessor(exported), new Resource({ 'service.name': 'replay' })) };
  beforeAll(async () => {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      workflowInterceptorModules: [...TRACING_WORKFLOW_MODULES],
      logger: new DefaultLogger('WARN'),
    });
  }, 60_000);

  test('the bundle holds the interceptors', () => {
    expect(workflowBundle.code).toContain('OpenTelemetryInboundInterceptor');
  });

  test.each(files)('%s replays without a determinism error', async (file) => {
    const history = loadHistory(path.join(DIR, file));
    expect(history.events?.length).toBeGreaterThan(10);
    const workflowId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? undefined;
    await Worker.runReplayHistory({ workflowBundle, dataConverter, sinks }, history, workflowId);
  });
});
