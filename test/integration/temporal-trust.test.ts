import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, WithStartWorkflowOperation, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { findApplication } from '../../src/applications/application-repository';
import { PayloadEncryptionCodec } from '../../src/temporal/payload-encryption.codec';
import { dataConverterFor } from '../../src/temporal/data-converter';
import { applicationWorkflowId } from '../../src/domain/ids';
import { changeStageSignal, changeStageUpdate, submitUpdate, type ApplicationInput, type RejectedSignal } from '../../workflows/messages';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually, queryState } from '../support/applications';

type Actor = Awaited<ReturnType<TestStack['user']>>;
const run = promisify(execFile);

/**
 * Temporal is infrastructure: whoever reaches its frontend without the key the API and the workers
 * share (SECRET_KEY) cannot move an application, start one, or replay one application's signed
 * messages into another. The refusals are visible in the workflow's state.
 */
describe('messages sent straight to Temporal', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let jobId: string;
  /**
   * A client of the same server without the signing codec: what anyone on the network can build,
   * here even holding the payload encryption key (so it reads the refusals), but not SECRET_KEY.
   */
  let plain: Client;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    recruiter = await stack.user('recruiter');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
    plain = new Client({
      connection: stack.services.temporal.connection,
      namespace: stack.config.temporal.namespace,
      dataConverter: { payloadCodecs: [new PayloadEncryptionCodec(stack.config.auth.payloadKeys)] },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  async function apply(body: Record<string, unknown> = {}): Promise<{ id: string; body: any }> {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body });
    expect(res.status).toBe(201);
    return { id: res.body.id, body: res.body };
  }

  async function move(id: string, stage: string) {
    const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage } });
    expect(res.status).toBe(200);
    return res.body;
  }

  const sqlView = async (id: string) => {
    const record = await findApplication(stack.services.orm.em.fork(), id);
    return { stage: record?.stage, seq: record?.seq, history: record?.history.length };
  };

  /** Waits until the workflow has refused `count` signals, and returns them. */
  const refusedSignals = (id: string, count: number) =>
    eventually(
      async () => {
        const { rejectedSignals } = await queryState(stack, id);
        return rejectedSignals.length >= count ? rejectedSignals : undefined;
      },
      10_000,
      `${count} refused signals`,
    );

  const by = () => String(recruiter.user.id);
  const temporalCli = (...args: string[]) =>
    run(process.env.TEMPORAL_CLI ?? 'temporal', [
      ...args,
      '--address',
      process.env.ATS_TEST_TEMPORAL_ADDRESS!,
      '--namespace',
      stack.config.temporal.namespace,
    ]);

  test('a changeStage signal without the signature, from a plain client or the Temporal CLI, changes nothing and is recorded as refused', async () => {
    const { id } = await apply();
    await plain.workflow.getHandle(id).signal(changeStageSignal, { applicationId: id, stage: 'screening', by: by() });
    await temporalCli(
      'workflow',
      'signal',
      '--workflow-id',
      id,
      '--name',
      'changeStage',
      '--input',
      JSON.stringify({ applicationId: id, stage: 'screening', by: by() }),
    );

    const refused = await refusedSignals(id, 2);
    expect(refused).toEqual([
      expect.objectContaining<Partial<RejectedSignal>>({ code: 'untrusted', request: null }),
      expect.objectContaining<Partial<RejectedSignal>>({ code: 'untrusted', request: null }),
    ]);
    const state = await queryState(stack, id);
    expect({ stage: state.stage, seq: state.seq }).toEqual({ stage: 'applied', seq: 1 });
    expect(await sqlView(id)).toEqual({ stage: 'applied', seq: 1, history: 1 });
    // The application still moves when the API asks.
    expect((await move(id, 'screening')).stage).toBe('screening');
  });

  test('an update without the signature is refused before anything is written', async () => {
    const { id } = await apply();
    const events = await idleHistoryLength(id);
    const error = await plain.workflow
      .getHandle(id)
      .executeUpdate(changeStageUpdate, { args: [{ applicationId: id, stage: 'screening', by: by() }] })
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((error as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('untrusted');
    await expect(
      temporalCli(
        'workflow',
        'update',
        'execute',
        '--workflow-id',
        id,
        '--name',
        'changeStage',
        '--input',
        JSON.stringify({ applicationId: id, stage: 'screening', by: by() }),
      ),
    ).rejects.toThrow(/untrusted|not signed/);
    expect((await queryState(stack, id)).stage).toBe('applied');
    expect(await sqlView(id)).toEqual({ stage: 'applied', seq: 1, history: 1 });
    // A validator's refusal leaves no event behind.
    expect(await idleHistoryLength(id)).toBe(events);
  });

  test("a signed request copied from one application's history into another is refused", async () => {
    const a = await apply();
    const b = await apply();
    await move(a.id, 'screening');
    // The API's signed update to A, as it stands in A's history.
    const history = await stack.services.temporal.workflow.getHandle(a.id).fetchHistory();
    const accepted = history.events
      ?.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
      .find((update) => update?.acceptedRequest?.input?.name === 'changeStage');
    const signed = accepted?.acceptedRequest?.input?.args?.payloads?.[0] as Payload;
    expect(Object.keys(signed.metadata ?? {})).toEqual(expect.arrayContaining(['ats-signature', 'ats-key-id']));

    const { workflowService } = stack.services.temporal.connection;
    await workflowService.signalWorkflowExecution({
      namespace: stack.config.temporal.namespace,
      workflowExecution: { workflowId: b.id },
      signalName: 'changeStage',
      input: { payloads: [signed] },
    });
    const [refused] = await refusedSignals(b.id, 1);
    expect(refused).toMatchObject({ code: 'untrusted', request: { applicationId: a.id, stage: 'screening' } });
    expect((await queryState(stack, b.id)).stage).toBe('applied');
    expect(await sqlView(b.id)).toEqual({ stage: 'applied', seq: 1, history: 1 });
  });

  test("a start without the signature, or with another application's signed input, fails and writes nothing to SQL", async () => {
    const forged: ApplicationInput = {
      applicationId: `application-job${jobId}-candidate999999`,
      jobId,
      candidateId: '999999',
      coverLetter: null,
      resumeUrl: null,
      stageSlaSeconds: 60,
      offerExpirySeconds: 60,
    };
    const unsigned = await plain.workflow.start('applicationWorkflow', {
      workflowId: forged.applicationId,
      taskQueue: stack.config.temporal.taskQueue,
      args: [forged],
    });
    await expect(unsigned.result()).rejects.toThrow(WorkflowFailedError);
    expect(await untrustedFailureOf(unsigned.workflowId)).toBe('untrusted');

    const a = await apply();
    const started = (await stack.services.temporal.workflow.getHandle(a.id).fetchHistory()).events?.[0]
      .workflowExecutionStartedEventAttributes;
    const copiedId = `application-job${jobId}-candidate999998`;
    await stack.services.temporal.connection.workflowService.startWorkflowExecution({
      namespace: stack.config.temporal.namespace,
      workflowId: copiedId,
      workflowType: { name: 'applicationWorkflow' },
      taskQueue: { name: stack.config.temporal.taskQueue },
      input: started?.input,
      requestId: `copy-${copiedId}`,
    });
    await expect(stack.services.temporal.workflow.getHandle(copiedId).result()).rejects.toThrow(WorkflowFailedError);
    expect(await untrustedFailureOf(copiedId)).toBe('untrusted');
    expect(await sqlView(forged.applicationId)).toEqual({ stage: undefined, seq: undefined, history: undefined });
    expect(await sqlView(copiedId)).toEqual({ stage: undefined, seq: undefined, history: undefined });
  });

  /** What `/codec/encode` answers `actor` for `value`, as the payload the Web UI then sends to Temporal. */
  async function encodedThroughTheCodecServer(actor: Actor, value: unknown): Promise<Payload> {
    const res = await stack.http('POST', '/codec/encode', {
      token: actor.token,
      body: { payloads: [{ metadata: { encoding: base64('json/plain') }, data: base64(JSON.stringify(value)) }] },
    });
    expect(res.status).toBe(200);
    const [wire] = res.body.payloads as { metadata: Record<string, string>; data: string }[];
    return {
      metadata: Object.fromEntries(Object.entries(wire.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(wire.data, 'base64')),
    };
  }

  test('a stage change /codec/encode encoded for a recruiter off the team, sent as a signal and as an update, moves nothing and is listed as untrusted', async () => {
    const outsider = await stack.user('recruiter');
    const admin = await stack.user('admin');
    const { id } = await apply();
    const request = { applicationId: id, stage: 'screening', by: String(admin.user.id), reason: 'encoded by the codec server' };
    const encoded = await encodedThroughTheCodecServer(outsider, request);
    expect(Object.keys(encoded.metadata ?? {})).not.toContain('ats-signature');
    const { workflowService } = stack.services.temporal.connection;
    const namespace = stack.config.temporal.namespace;

    await workflowService.signalWorkflowExecution({
      namespace,
      workflowExecution: { workflowId: id },
      signalName: 'changeStage',
      input: { payloads: [encoded] },
    });
    const [refused] = await refusedSignals(id, 1);
    expect(refused).toMatchObject({ code: 'untrusted', request: null });

    const events = await idleHistoryLength(id);
    const update = {
      namespace,
      workflowExecution: { workflowId: id },
      waitPolicy: { lifecycleStage: UPDATE_COMPLETED },
      request: { meta: { updateId: `codec-${id}` }, input: { name: 'changeStage', args: { payloads: [encoded] } } },
    };
    let answer = await workflowService.updateWorkflowExecution(update);
    while ((answer.stage ?? 0) < UPDATE_COMPLETED) answer = await workflowService.updateWorkflowExecution(update);
    expect(answer.outcome?.failure?.applicationFailureInfo?.type).toBe('untrusted');

    const state = await queryState(stack, id);
    expect({ stage: state.stage, seq: state.seq, refused: state.rejectedSignals.length }).toEqual({ stage: 'applied', seq: 1, refused: 1 });
    expect(await sqlView(id)).toEqual({ stage: 'applied', seq: 1, history: 1 });
    expect(await idleHistoryLength(id)).toBe(events);
  });

  test('a start with an input /codec/encode encoded fails as untrusted and creates no application', async () => {
    const candidate = await stack.user('candidate');
    const input: ApplicationInput = {
      applicationId: applicationWorkflowId(jobId, String(candidate.user.id)),
      jobId,
      candidateId: String(candidate.user.id),
      coverLetter: 'encoded',
      resumeUrl: null,
      stageSlaSeconds: 60,
      offerExpirySeconds: 60,
      design: 2,
    };
    const encoded = await encodedThroughTheCodecServer(recruiter, input);
    await stack.services.temporal.connection.workflowService.startWorkflowExecution({
      namespace: stack.config.temporal.namespace,
      workflowId: input.applicationId,
      workflowType: { name: 'applicationWorkflow' },
      taskQueue: { name: stack.config.temporal.taskQueue },
      input: { payloads: [encoded] },
      requestId: `codec-${input.applicationId}`,
    });
    expect(await untrustedFailureOf(input.applicationId)).toBe('untrusted');
    expect(await sqlView(input.applicationId)).toEqual({ stage: undefined, seq: undefined, history: undefined });
    expect(
      (await stack.http('GET', '/api/applications', { token: recruiter.token })).body.items.map((a: { id: string }) => a.id),
    ).not.toContain(input.applicationId);
  });

  test("signals sent through the system's own client still move the application", async () => {
    const { id } = await apply();
    await stack.services.temporal.workflow
      .getHandle(id)
      .signal(changeStageSignal, { applicationId: id, stage: 'screening', by: by(), reason: 'by signal' });
    await eventually(async () => ((await sqlView(id)).stage === 'screening' ? true : undefined), 10_000, 'the signal to reach SQL');
    const state = await queryState(stack, id);
    expect(state).toMatchObject({ stage: 'screening', seq: 2, rejectedSignals: [] });
    expect(state.history[1]).toMatchObject({ from: 'applied', to: 'screening', by: by(), reason: 'by signal' });
  });

  test('the cover letter is kept once in the workflow history, and every API answer still carries it', async () => {
    const coverLetter = `I would like this job: ${Math.random().toString(36).slice(2)}`;
    const resumeUrl = 'https://example.com/cv-trust.pdf';
    const applied = await apply({ coverLetter, resumeUrl });
    expect(applied.body).toMatchObject({ coverLetter, resumeUrl });
    for (const stage of ['screening', 'interview', 'offer']) {
      expect(await move(applied.id, stage)).toMatchObject({ stage, coverLetter, resumeUrl });
    }
    // Every transition recorded: the activity inputs are in history too.
    await eventually(async () => ((await sqlView(applied.id)).seq === 4 ? true : undefined), 10_000, 'the recordings');
    await idleHistoryLength(applied.id);
    const handle = stack.services.temporal.workflow.getHandle(applied.id);

    const history = await handle.fetchHistory();
    // Stored encrypted; decoded, the start input alone holds it, sealed under the candidate's key.
    expect(await carrying(history.events ?? [], coverLetter, false)).toEqual([]);
    expect(await carrying(history.events ?? [], 'ats-pd:v1:', true)).toEqual([EVENT_WORKFLOW_EXECUTION_STARTED]);
    expect((await stack.http('GET', `/api/applications/${applied.id}`, { token: recruiter.token })).body).toMatchObject({
      stage: 'offer',
      coverLetter,
      resumeUrl,
    });
  });

  /** The event count once the workflow is idle (recorded, no task pending), so counts compare. */
  const idleHistoryLength = (id: string) =>
    eventually(
      async () => {
        const { raw, historyLength } = await stack.services.temporal.workflow.getHandle(id).describe();
        return raw.pendingActivities?.length || raw.pendingWorkflowTask ? undefined : historyLength;
      },
      10_000,
      `${id} to be idle`,
    );

  test('an application the API never wrote to SQL reaches it with its cover letter, sent to the recording once', async () => {
    // The API's update-with-start, without the API's SQL write (as if it had died right after).
    const candidate = await stack.user('candidate');
    const id = applicationWorkflowId(jobId, String(candidate.user.id));
    const coverLetter = `Written only by the workflow: ${Math.random().toString(36).slice(2)}`;
    const input: ApplicationInput = {
      applicationId: id,
      jobId,
      candidateId: String(candidate.user.id),
      coverLetter,
      resumeUrl: null,
      stageSlaSeconds: 3600,
      offerExpirySeconds: 3600,
    };
    await stack.services.temporal.workflow.executeUpdateWithStart(submitUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation('applicationWorkflow', {
        workflowId: id,
        taskQueue: stack.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
    const record = await eventually(
      () => findApplication(stack.services.orm.em.fork(), id).then((r) => r ?? undefined),
      15_000,
      'the recording activity to create the row',
    );
    expect(record).toMatchObject({ stage: 'applied', seq: 1, coverLetter });
    await idleHistoryLength(id);
    // The start input, and the one recording that had to create the row.
    const history = await stack.services.temporal.workflow.getHandle(id).fetchHistory();
    expect(await carrying(history.events ?? [], coverLetter, false)).toEqual([]);
    expect(await carrying(history.events ?? [], coverLetter, true)).toEqual([
      EVENT_WORKFLOW_EXECUTION_STARTED,
      temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    ]);
  });

  /** The types of the events with a payload holding `text`, as stored or as the system's codecs decode it. */
  async function carrying(events: temporal.api.history.v1.IHistoryEvent[], text: string, decoded: boolean) {
    const codecs = [...(dataConverterFor(stack.config.auth).payloadCodecs ?? [])].reverse();
    const found = [];
    for (const event of events) {
      let payloads = payloadsOf(event);
      if (decoded) for (const codec of codecs) payloads = await codec.decode(payloads);
      if (
        payloads.some((p) =>
          Buffer.from(p.data ?? [])
            .toString('utf8')
            .includes(text),
        )
      )
        found.push(event.eventType);
    }
    return found;
  }

  async function untrustedFailureOf(workflowId: string): Promise<string | null | undefined> {
    const error = await plain.workflow
      .getHandle(workflowId)
      .result()
      .then(
        () => null,
        (err: unknown) => err,
      );
    return ((error as WorkflowFailedError | null)?.cause as ApplicationFailure | undefined)?.type;
  }
});

const EVENT_WORKFLOW_EXECUTION_STARTED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED;
const UPDATE_COMPLETED = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Every payload anywhere in a history event. */
function payloadsOf(value: unknown, found: Payload[] = []): Payload[] {
  if (value === null || typeof value !== 'object') return found;
  if (value instanceof Uint8Array) return found;
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && record.metadata && typeof record.metadata === 'object') found.push(record as Payload);
  for (const child of Object.values(record)) payloadsOf(child, found);
  return found;
}
