import { projectApplication, type ApplicationFacts, type ProjectApplicationInput } from '../../src/applications/application-projection';
import { findApplication } from '../../src/applications/application-repository';
import { applicationWorkflowId } from '../../src/domain/ids';
import type { HistoryEntry } from '../../workflows/messages';
import { startStack, type TestStack } from '../support/stack';
import { createJob } from '../support/applications';

/**
 * The projection (the API's and the recording activity's one write) against real SQLite with the real migrations, fed
 * the workflow's snapshots.
 */
describe('the application projection', () => {
  let stack: TestStack;
  let project: (input: ProjectApplicationInput) => Promise<boolean>;

  beforeAll(async () => {
    stack = await startStack();
    project = (input) => projectApplication(stack.services.orm, input);
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function facts(): Promise<ApplicationFacts> {
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const job = await createJob(stack, recruiter.user.id);
    return {
      id: applicationWorkflowId(String(job.id), String(candidate.user.id)),
      jobId: String(job.id),
      candidateId: String(candidate.user.id),
      coverLetter: null,
      resumeUrl: null,
      createdAt: T(0),
    };
  }

  const T = (ms: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0, ms)).toISOString();
  const entry = (
    seq: number,
    from: HistoryEntry['from'],
    to: HistoryEntry['to'],
    at: string,
    reason: string | null = null,
  ): HistoryEntry => ({ seq, from, to, at, by: '1', reason });
  const read = async (id: string) => {
    const r = await findApplication(stack.services.orm.em.fork(), id);
    return {
      stage: r!.stage,
      seq: r!.seq,
      updatedAt: r!.updatedAt,
      history: r!.history.map(({ seq, from, to, at, reason }) => ({ seq, from, to, at, reason })),
    };
  };
  const applied = (at = T(0)) => entry(1, null, 'applied', at);

  test('writing the same snapshot again changes nothing', async () => {
    const a = await facts();
    const history = [applied(), entry(2, 'applied', 'screening', T(10))];
    expect(await project({ application: a, history })).toBe(true);
    const once = await read(a.id);
    // Whichever of the API and the recording activity comes second writes nothing.
    expect(await project({ application: a, history })).toBe(false);
    expect(await project({ application: a, history: history.slice(0, 1) })).toBe(false);
    expect(await read(a.id)).toEqual(once);
    expect(once).toMatchObject({ stage: 'screening', seq: 2, updatedAt: T(10) });
    expect(once.history).toHaveLength(2);
  });

  test('transitions of one task may land in any order; the highest seq wins', async () => {
    const a = await facts();
    const history = [applied(), entry(2, 'applied', 'screening', T(10)), entry(3, 'screening', 'rejected', T(10), 'late')];
    await project({ application: a, history });
    await project({ application: a, history: history.slice(0, 2) });
    expect(await read(a.id)).toMatchObject({
      stage: 'rejected',
      seq: 3,
      history: history.map(({ seq, from, to, at, reason }) => ({ seq, from, to, at, reason })),
    });
  });

  test("a lost task's transitions are replaced by the retried task's decision, made later", async () => {
    const a = await facts();
    await project({ application: a, history: [applied()] });
    // The lost task accepted screening then interview; SQL saw it before the task was dropped.
    await project({
      application: a,
      history: [applied(), entry(2, 'applied', 'screening', T(20)), entry(3, 'screening', 'interview', T(20))],
    });
    // The retried task, later, accepted a rejection first: seq 2 means something else now, and there is no seq 3.
    await project({ application: a, history: [applied(), entry(2, 'applied', 'rejected', T(35), 'race')] });
    expect(await read(a.id)).toEqual({
      stage: 'rejected',
      seq: 2,
      updatedAt: T(35),
      history: [
        { seq: 1, from: null, to: 'applied', at: T(0), reason: null },
        { seq: 2, from: 'applied', to: 'rejected', at: T(35), reason: 'race' },
      ],
    });
  });

  test('a retried task that makes the same decision later moves its time', async () => {
    const a = await facts();
    await project({ application: a, history: [applied(), entry(2, 'applied', 'screening', T(40))] });
    await project({ application: a, history: [applied(), entry(2, 'applied', 'screening', T(55))] });
    expect(await read(a.id)).toMatchObject({
      seq: 2,
      updatedAt: T(55),
      history: [expect.anything(), expect.objectContaining({ at: T(55) })],
    });
  });

  test('a snapshot older than what SQL holds is ignored', async () => {
    const a = await facts();
    await project({ application: a, history: [applied(), entry(2, 'applied', 'rejected', T(60))] });
    await project({
      application: a,
      history: [applied(), entry(2, 'applied', 'screening', T(50)), entry(3, 'screening', 'interview', T(50))],
    });
    expect(await read(a.id)).toMatchObject({ stage: 'rejected', seq: 2, updatedAt: T(60) });
    expect((await read(a.id)).history).toHaveLength(2);
  });
});
