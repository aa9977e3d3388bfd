import { describeWithJaeger, startTracedSystem, tracedStageChange, waitForTrace, type TracedSystem } from '../support/traced-system';

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set, as `npm run dev -- --tracing` sets it): one stage
 * change is one trace in Jaeger, from the API's request through the Temporal update the workflow
 * handles to the notifier delivering the candidate's e-mail, and the API's log line names it.
 */
describeWithJaeger('tracing across the processes, in Jaeger', () => {
  let system: TracedSystem;
  beforeAll(async () => {
    system = await startTracedSystem();
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  }, 30_000);

  test('a stage change is one trace with spans of ats-api, ats-worker (the update) and ats-notifier (the e-mail)', async () => {
    const { requestId } = await tracedStageChange(system.api);
    const spans = await waitForTrace(system.jaeger, requestId, ['ats-api', 'ats-worker', 'ats-notifier']);
    const names = spans.map((s) => `${s.service} ${s.operationName}`);

    expect(new Set(spans.map((s) => s.traceID)).size).toBe(1);
    expect(names).toEqual(
      expect.arrayContaining([
        'ats-api PATCH /api/applications/:id/stage',
        'ats-api StartWorkflowUpdate:changeStage',
        'ats-worker HandleUpdate:changeStage',
        'ats-notifier notification.deliver',
      ]),
    );
    // Each hop is the child of the one before it: nothing starts a trace of its own.
    const byId = new Map(spans.map((s) => [s.spanID, s]));
    const root = spans.filter((s) => !s.parentSpanID || !byId.has(s.parentSpanID));
    expect(root.map((s) => `${s.service} ${s.operationName}`)).toEqual(['ats-api PATCH /api/applications/:id/stage']);
    const request = root[0];
    expect(request.tags).toEqual(expect.arrayContaining([{ key: 'ats.request_id', type: 'string', value: requestId }]));

    // No personal data or credentials in any span.
    const text = JSON.stringify(spans);
    for (const secret of ['candidate@example.com', 'recruiter@example.com', 'Bearer ', 'Demo Candidate'])
      expect(text).not.toContain(secret);

    // The API's log line for the request names the trace.
    const line = system
      .output()
      .split('\n')
      .find((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('"trace_id"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).trace_id).toBe(request.traceID);
  }, 90_000);
});

/** A collector that is down costs an export's timeout at most: every process still stops within 10 s of SIGTERM. */
describe('tracing on with the collector down', () => {
  let system: TracedSystem;
  beforeAll(async () => {
    system = await startTracedSystem({ collectorDown: true });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  }, 30_000);

  test('requests are served, and the api, worker and notifier exit cleanly within 10 s of SIGTERM', async () => {
    // Spans are waiting to be exported when the signal comes.
    await tracedStageChange(system.api);
    const exits = await system.terminate();
    expect(exits.map((e) => e.name).sort()).toEqual(['api', 'notifier', 'worker']);
    for (const e of exits) {
      expect([e.name, e.code]).toEqual([e.name, 0]);
      expect(e.ms).toBeLessThan(10_000);
    }
  }, 90_000);
});
