import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Client } from '@temporalio/client';
import { changeStageSignal } from '../../workflows/messages';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually } from '../support/applications';

/**
 * Records the event histories the replay test checks the workflow code against. Not part of the
 * normal run; after a deliberate, compatible change to the workflow, record afresh and commit:
 *
 *   ATS_SKIP_BUILD=1 bash scripts/test.sh --testMatch '**\/test/replay/record-histories.ts'
 */
const OUT = path.join(__dirname, 'histories');

type Actor = Awaited<ReturnType<TestStack['user']>>;

describe('record workflow histories for replay', () => {
  let stack: TestStack;
  let recruiter: Actor;
  let jobId: string;

  beforeAll(async () => {
    // Short clocks, so the expiry and reminder paths land in the histories within seconds.
    stack = await startStack(
      {
        STAGE_SLA_SECONDS: '1',
        OFFER_EXPIRY_SECONDS: '2',
        SCORECARD_REMINDER_SECONDS: '1',
        SCORECARD_ESCALATION_SECONDS: '2',
        REOPEN_WINDOW_SECONDS: '3',
      },
      { worker: { workflowBundle: await bundleWorkflows() } },
    );
    recruiter = await stack.user('recruiter');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  async function apply(): Promise<{ id: string; candidate: Actor }> {
    const candidate = await stack.user('candidate');
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter: 'Hello' } });
    expect(res.status).toBe(201);
    return { id: res.body.id, candidate };
  }

  async function move(id: string, stage: string, extra: Record<string, unknown> = {}) {
    const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage, ...extra } });
    expect(res.status).toBe(200);
  }

  async function save(name: string, id: string) {
    await saveWorkflow(name, id);
  }

  async function saveWorkflow(name: string, id: string) {
    const handle = stack.services.temporal.workflow.getHandle(id);
    await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), 20_000, `${name} to complete`);
    // The CLI's export is the canonical JSON form of a history (what `historyFromJSON` reads).
    const json = execFileSync(
      process.env.TEMPORAL_CLI ?? 'temporal',
      [
        'workflow',
        'show',
        '--workflow-id',
        id,
        '--address',
        stack.config.temporal.address,
        '--namespace',
        stack.config.temporal.namespace,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
  }

  test('happy path to hired', async () => {
    const { id } = await apply();
    for (const stage of ['screening', 'interview', 'offer', 'hired']) await move(id, stage);
    await save('hired', id);
  });

  test('rejection with a reason, after an illegal update was refused', async () => {
    const { id } = await apply();
    await move(id, 'screening');
    expect((await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage: 'hired' } })).status).toBe(
      409,
    );
    await move(id, 'rejected', { reason: 'Position filled', fromStage: 'screening' });
    await save('rejected-with-reason', id);
  });

  test('an SLA reminder, then an offer that expires', async () => {
    const { id } = await apply();
    await new Promise((r) => setTimeout(r, 1_500));
    for (const stage of ['screening', 'interview', 'offer']) await move(id, stage);
    await save('offer-expired', id);
  });

  test('an unsigned signal and an illegal one ignored, a legal one applied, then a withdrawal', async () => {
    const { id, candidate } = await apply();
    const handle = stack.services.temporal.workflow.getHandle(id);
    // Straight to Temporal without the signing codec, as anyone who reaches the frontend could.
    const unsigned = new Client({ connection: stack.services.temporal.connection, namespace: stack.config.temporal.namespace });
    await unsigned.workflow
      .getHandle(id)
      .signal(changeStageSignal, { applicationId: id, stage: 'screening', by: String(recruiter.user.id) });
    await handle.signal(changeStageSignal, { applicationId: id, stage: 'offer', by: String(recruiter.user.id) });
    await handle.signal(changeStageSignal, { applicationId: id, stage: 'screening', by: String(recruiter.user.id), reason: 'by signal' });
    await eventually(
      async () =>
        (await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token })).body.stage === 'screening' ? true : undefined,
      10_000,
      'the signal',
    );
    expect((await stack.http('POST', `/api/applications/${id}/withdraw`, { token: candidate.token })).status).toBe(200);
    await save('signal-ignored-then-withdrawn', id);
  });

  test('interviews: one complete after a reminder and an escalation, one rescheduled, one called off by the hiring', async () => {
    const { id } = await apply();
    const [first, second] = [await stack.user('recruiter'), await stack.user('hiring_manager')];
    const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    const schedule = async (body: Record<string, unknown>) => {
      const res = await stack.http('POST', `/api/applications/${id}/interviews`, { token: recruiter.token, body });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const done = await schedule({ title: 'Panel', startsAt: at(1), endsAt: at(2), interviewerIds: [first.user.id, second.user.id] });
    const ahead = await schedule({ title: 'Final', startsAt: at(3600), endsAt: at(5400), interviewerIds: [second.user.id] });
    const moved = await stack.http('PATCH', `/api/interviews/${ahead}`, { token: recruiter.token, body: { location: 'Room 2' } });
    expect(moved.status).toBe(200);
    // Past its end, a reminder and an escalation for the missing scorecard, then both scorecards.
    await new Promise((r) => setTimeout(r, 4_500));
    for (const who of [first, second])
      expect(
        (await stack.http('PUT', `/api/interviews/${done}/scorecard`, { token: who.token, body: { recommendation: 'yes' } })).status,
      ).toBe(200);
    for (const stage of ['screening', 'interview', 'offer', 'hired']) await move(id, stage);
    await save('interviews', id);
    await saveWorkflow('interview-complete', `${id}.${done}`);
    await saveWorkflow('interview-cancelled', `${id}.${ahead}`);
  });

  test('pipelines: pinned to a version of its own, moved back, rejected and reopened, migrated, then closed at the end of its window', async () => {
    const job = await stack.http('POST', '/api/jobs', {
      token: recruiter.token,
      body: { title: 'Replay Pipelines', company: 'Replay Co' },
    });
    expect(job.status).toBe(201);
    const stages = (extra: Array<{ id: string; name: string; kind: string }>) => ({
      stages: [
        { id: 'applied', name: 'Applied', kind: 'applied' },
        { id: 'phone_screen', name: 'Phone screen', kind: 'screening', slaSeconds: 60 },
        ...extra,
        { id: 'offer', name: 'Offer', kind: 'offer' },
        { id: 'hired', name: 'Hired', kind: 'hired' },
      ],
    });
    const put = async (body: unknown) =>
      expect((await stack.http('PUT', `/api/jobs/${job.body.id}/pipeline`, { token: recruiter.token, body })).status).toBe(200);
    await put(stages([{ id: 'take_home', name: 'Take-home', kind: 'interview' }]));
    const candidate = await stack.user('candidate');
    const applied = await stack.http('POST', `/api/jobs/${job.body.id}/apply`, { token: candidate.token, body: { coverLetter: 'Hello' } });
    expect(applied.status).toBe(201);
    const id = applied.body.id as string;
    const patch = async (body: unknown) =>
      expect((await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body })).status).toBe(200);
    await patch({ stage: 'phone_screen' });
    await patch({ stage: 'take_home' });
    await patch({ stage: 'phone_screen', reason: 'Redo the screen' });
    await patch({ stage: 'rejected', reason: 'Not now' });
    const reopened = await stack.http('POST', `/api/applications/${id}/reopen`, {
      token: recruiter.token,
      body: { stage: 'phone_screen', reason: 'Rejected by mistake' },
    });
    expect(reopened.status).toBe(200);
    await put(stages([{ id: 'portfolio', name: 'Portfolio', kind: 'interview' }]));
    const stageMap = { applied: 'applied', phone_screen: 'portfolio', take_home: 'portfolio', offer: 'offer' };
    const migration = await stack.http('POST', `/api/jobs/${job.body.id}/pipeline/migrations`, {
      token: recruiter.token,
      body: { fromVersion: 2, toVersion: 3, stageMap },
    });
    expect(migration.status).toBe(202);
    await eventually(async () => {
      const res = await stack.http('GET', `/api/applications/${id}`, { token: recruiter.token });
      return res.body.pipelineVersion === 3 ? true : undefined;
    });
    await patch({ stage: 'rejected', reason: 'Position filled' });
    // The window (3 s here) passes, and the workflow closes.
    await saveWorkflow('pipeline-reopened-migrated', id);
    await saveWorkflow('pipeline-migration', migration.body.id);
  }, 60_000);
});
