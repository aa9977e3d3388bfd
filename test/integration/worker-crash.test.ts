import type { ChildProcess } from 'node:child_process';
import type { TestStack } from '../support/stack';
import { startWorkerProcessStack, type WorkerProcessStack } from '../support/worker-process';
import { createJob, expectLegalHistory, expectSqlMatchesWorkflow, sqlHistory } from '../support/applications';

const APPLICATIONS = 10;
const PIPELINE = ['screening', 'interview', 'offer', 'hired'] as const;
/** Transitions accepted before the first worker is killed: well inside the burst of 40. */
const KILL_AFTER = 12;

interface Outcome {
  id: string;
  stage: string;
  status: number;
  code?: string;
  entry?: { from: string; to: string; at: string; by: string };
}

/**
 * The built worker process is SIGKILLed in the middle of a burst of stage changes and replaced by a
 * new one. Nothing accepted may be lost or applied twice, and SQL must end equal to every workflow.
 */
describe('a worker killed mid-burst', () => {
  let world: WorkerProcessStack;
  let stack: TestStack;
  beforeAll(async () => {
    world = await startWorkerProcessStack();
    stack = world.stack;
  }, 60_000);
  afterAll(() => world?.close());
  const startWorkerProcess = () => world.start();

  test('every accepted transition is in SQL exactly once, and SQL equals each workflow', async () => {
    const first = await startWorkerProcess();
    const recruiter = await stack.user('recruiter');
    const job = await createJob(stack, recruiter.user.id);
    const ids: string[] = [];
    for (let i = 0; i < APPLICATIONS; i++) {
      const candidate = await stack.user('candidate');
      const res = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: candidate.token, body: {} });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }

    // Kill the first worker, without warning, once KILL_AFTER transitions have been answered 200.
    let accepted = 0;
    let replaced: Promise<ChildProcess> | undefined;
    const onAccepted = () => {
      if (++accepted !== KILL_AFTER) return;
      first.kill('SIGKILL');
      replaced = new Promise((r) => setTimeout(r, 300)).then(startWorkerProcess);
    };

    // Each application walks the pipeline; each step names the stage it expects to leave.
    const outcomes: Outcome[] = [];
    await Promise.all(
      ids.map(async (id) => {
        let from = 'applied';
        for (const stage of PIPELINE) {
          const res = await stack.http('PATCH', `/api/applications/${id}/stage`, {
            token: recruiter.token,
            body: { stage, fromStage: from },
          });
          outcomes.push({
            id,
            stage,
            status: res.status,
            code: res.body?.code,
            entry: res.status === 200 ? res.body.history.at(-1) : undefined,
          });
          if (res.status !== 200) break;
          onAccepted();
          from = stage;
        }
      }),
    );
    expect(first.signalCode).toBe('SIGKILL');
    expect(replaced).toBeDefined();
    const second = await replaced!;

    const ok = outcomes.filter((o) => o.status === 200);
    expect(ok.length).toBeGreaterThan(KILL_AFTER);
    for (const id of ids) {
      const state = await expectSqlMatchesWorkflow(stack, id);
      expectLegalHistory(state.history);
      const sql = await sqlHistory(stack, id);
      // Each 200 is in SQL exactly once, with the time and actor the response reported.
      for (const o of ok.filter((x) => x.id === id)) {
        expect(sql.filter((h) => h.to === o.stage)).toEqual([
          expect.objectContaining({ from: o.entry!.from, to: o.stage, at: o.entry!.at, by: o.entry!.by }),
        ]);
      }
      // And SQL holds no transition whose request was refused.
      for (const o of outcomes.filter((x) => x.id === id && x.status === 409)) {
        expect(sql.map((h) => h.to)).not.toContain(o.stage);
      }
    }

    // The replacement stops cleanly on SIGTERM, as under a process manager.
    const exited = new Promise<number | null>((resolve) => second.once('exit', (code) => resolve(code)));
    second.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
