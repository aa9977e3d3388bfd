import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { createDataConverter } from '../../src/temporal/data-converter';
import { bundleWorkflows } from '../support/applications';
import { TEST_PAYLOAD_ACTIVE_KEY, TEST_PAYLOAD_KEYS, TEST_SECRET_KEY } from '../support/stack';
import { parsePayloadKeys } from '../../src/crypto/payload-keys';
import { loadHistory } from './load-history';

/**
 * Replays recorded histories of real runs against today's workflow code. A change that would break
 * running applications (a reordered command, a removed timer, a renamed activity) fails here with a
 * determinism error. Record new histories with test/replay/record-histories.ts.
 *
 * Replay decodes payloads as a worker does, so it needs the worker's data converter with the keys the
 * histories were encrypted and signed with (the tests' PAYLOAD_KEYS and SECRET_KEY): without them
 * every payload reads as null.
 */
const payloadKeys = parsePayloadKeys(TEST_PAYLOAD_KEYS, TEST_PAYLOAD_ACTIVE_KEY);
const dataConverter = createDataConverter(TEST_SECRET_KEY, { payloadKeys });

/** The workflow checks that its start input was signed for its own ID: replay under the recorded one. */
const workflowIdOf = (history: ReturnType<typeof loadHistory>) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? undefined;
const DIR = path.join(__dirname, 'histories');
// Today's histories, and those of applications started with design 1 (see `ApplicationInput.design`),
// which keep replaying the path they began with.
const files = [
  ...fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort(),
  ...fs
    .readdirSync(path.join(DIR, 'design-1'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `design-1/${f}`),
];

describe('workflow code replays recorded histories', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    // The deliberate determinism failure below would otherwise print the SDK's warning.
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      shutdownSignals: [],
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
    workflowBundle = await bundleWorkflows();
  }, 60_000);

  test("the representative histories are present: today's design and design 1, interviews and their child workflows, pipelines and a migration", () => {
    const four = ['hired.json', 'offer-expired.json', 'rejected-with-reason.json', 'signal-ignored-then-withdrawn.json'];
    const interviews = ['interview-cancelled.json', 'interview-complete.json', 'interviews.json'];
    const pipelines = ['pipeline-migration.json', 'pipeline-reopened-migrated.json'];
    expect(files).toEqual([...[...four, ...interviews, ...pipelines].sort(), ...four.map((f) => `design-1/${f}`)]);
  });

  test.each(files)('%s replays without a determinism error', async (file) => {
    const history = loadHistory(path.join(DIR, file));
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle, dataConverter }, history, workflowIdOf(history));
  });

  test('histories signed with another key do not replay: applications started under an old key must finish first', async () => {
    const history = loadHistory(path.join(DIR, 'hired.json'));
    await expect(
      Worker.runReplayHistory(
        { workflowBundle, dataConverter: createDataConverter('another-secret-key', { payloadKeys }) },
        history,
        workflowIdOf(history),
      ),
    ).rejects.toThrow();
  });

  test('after a change of SECRET_KEY, histories replay while the former key is among PREVIOUS_SECRET_KEYS', async () => {
    const history = loadHistory(path.join(DIR, 'hired.json'));
    const rotated = createDataConverter('a-new-secret-key', { previousSecretKeys: [TEST_SECRET_KEY], payloadKeys });
    await Worker.runReplayHistory({ workflowBundle, dataConverter: rotated }, history, workflowIdOf(history));
  });

  test('the histories are encrypted: without the payload key that wrote them they do not replay; with it, after a rotation, they do', async () => {
    const history = loadHistory(path.join(DIR, 'hired.json'));
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(Buffer.from(input?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    const otherKey = parsePayloadKeys(`other:${Buffer.alloc(32, 7).toString('base64')}`);
    await expect(
      Worker.runReplayHistory(
        { workflowBundle, dataConverter: createDataConverter(TEST_SECRET_KEY, { payloadKeys: otherKey }) },
        history,
        workflowIdOf(history),
      ),
    ).rejects.toThrow();
    // A new key active, the recorded one still listed.
    const rotated = parsePayloadKeys(`${TEST_PAYLOAD_KEYS},new:${Buffer.alloc(32, 9).toString('base64')}`, 'new');
    await Worker.runReplayHistory(
      { workflowBundle, dataConverter: createDataConverter(TEST_SECRET_KEY, { payloadKeys: rotated }) },
      history,
      workflowIdOf(history),
    );
  });

  test("a change to the workflow's commands is caught", async () => {
    // The same code, except that transitions no longer upsert search attributes: the recorded
    // history has those commands, so replay must fail with a determinism error.
    const history = loadHistory(path.join(DIR, 'hired.json'));
    const altered = {
      code: workflowBundle.code.replace(
        /\(0,\s*_temporalio_workflow__WEBPACK_IMPORTED_MODULE_\d+__\.upsertSearchAttributes\)\(/g,
        '((...ignored) => ignored)(',
      ),
    };
    expect(altered.code).not.toBe(workflowBundle.code);
    await expect(Worker.runReplayHistory({ workflowBundle: altered, dataConverter }, history, workflowIdOf(history))).rejects.toThrow(
      DeterminismViolationError,
    );
  });
});
