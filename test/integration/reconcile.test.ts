import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflows, createJob, eventually, expectSqlMatchesWorkflow, queryState } from '../support/applications';
import { startStack, testEnv, type TestStack } from '../support/stack';
import { applicationWorkflowsQuery, reconcileApplications } from '../../src/applications/reconcile';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/src/main/cli.js');

/** `cli reconcile` as built, against a stack whose projection the test damages behind its back. */
describe('cli reconcile', () => {
  let stack: TestStack;
  let ids: string[];

  const cli = async (...args: string[]) => {
    const env = testEnv(stack.dir, { DATABASE_URL: stack.config.database.url, TEMPORAL_TASK_QUEUE: stack.config.temporal.taskQueue });
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, 'reconcile', ...args], {
        cwd: stack.dir,
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      return { code: 0, out: stdout, err: stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout, err: e.stderr };
    }
  };
  const sql = (statement: string, params: unknown[] = []) => stack.services.orm.em.fork().execute(statement, params, 'run');
  const snapshot = async () => ({
    applications: await stack.services.orm.em.fork().execute('select * from applications order by id', [], 'all'),
    events: await stack.services.orm.em
      .fork()
      .execute(
        'select application_id, seq, from_stage, to_stage, at, actor, reason from stage_events order by application_id, seq',
        [],
        'all',
      ),
  });
  const differences = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.includes('\t'))
      .map((l) => l.split('\t').slice(0, 2).join(' '))
      .sort();

  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run the build (npm test does)`);
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    const recruiter = await stack.user('recruiter');
    const job = await createJob(stack, recruiter.user.id);
    ids = [];
    for (let i = 0; i < 4; i++) {
      const candidate = await stack.user('candidate');
      const res = await stack.http('POST', `/api/jobs/${job.id}/apply`, {
        token: candidate.token,
        body: { coverLetter: `Letter ${i}`, resumeUrl: `https://example.com/cv-${i}.pdf` },
      });
      expect(res.status).toBe(201);
      ids.push((res.body as { id: string }).id);
    }
    for (const id of ids.slice(1)) {
      const res = await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage: 'screening' } });
      expect(res.status).toBe(200);
    }
    for (const id of ids) await eventually(async () => ((await queryState(stack, id)).seq === (id === ids[0] ? 1 : 2) ? true : undefined));
    for (const id of ids) await expectSqlMatchesWorkflow(stack, id);
    // Visibility is eventually consistent: reconcile can only see what the list shows.
    await eventually(
      async () => {
        const listed: string[] = [];
        for await (const w of stack.services.temporal.workflow.list({ query: applicationWorkflowsQuery(stack.config.temporal.taskQueue) }))
          listed.push(w.workflowId);
        return listed.length === ids.length ? true : undefined;
      },
      30_000,
      'the workflows to be listed',
    );
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  test('finds nothing while the projection matches', async () => {
    const res = await cli('--dry-run');
    expect(res).toMatchObject({ code: 0 });
    expect(differences(res.out)).toEqual([]);
    expect(res.out).toContain(`${ids.length} applications checked, 0 differences`);
  });

  test('pages through visibility: every application is checked with one per page', async () => {
    const report = await reconcileApplications(
      {
        orm: stack.services.orm,
        temporal: stack.services.temporal,
        taskQueue: stack.config.temporal.taskQueue,
        payloadKeys: stack.config.auth.payloadKeys,
      },
      { dryRun: true, pageSize: 1 },
    );
    expect(report).toEqual({ checked: ids.length, differences: [], repaired: 0, unreadable: [], unclaimed: [] });
  });

  test('a dry run lists exactly the damage and writes nothing; reconcile repairs it; a second run finds nothing', async () => {
    const [untouched, deleted, corrupted, gap] = ids;
    // A row gone with its history; a stage rewritten with a version newer than the workflow's; one event gone.
    await sql('delete from stage_events where application_id = ?', [deleted]);
    await sql('delete from application_stays where application_id = ?', [deleted]);
    await sql('delete from applications where id = ?', [deleted]);
    await sql("update applications set stage = 'offer', seq = 7, updated_at = '2099-01-01T00:00:00.000Z' where id = ?", [corrupted]);
    await sql('delete from stage_events where application_id = ? and seq = 1', [gap]);
    const damaged = await snapshot();

    const dry = await cli('--dry-run');
    expect(dry.code).toBe(0);
    expect(differences(dry.out)).toEqual([`${corrupted} row`, `${deleted} missing_row`, `${gap} history`].sort());
    expect(dry.out).toContain('4 applications checked, 3 differences (dry run: nothing written)');
    expect(dry.out).toMatch(new RegExp(`${corrupted}\\trow\\tstage: offer → screening, seq: 7 → 2`));
    expect(await snapshot()).toEqual(damaged);

    const fix = await cli();
    expect(fix.code).toBe(0);
    expect(fix.out).toContain('4 applications checked, 3 differences, 3 applications repaired');
    for (const id of [untouched, deleted, corrupted, gap]) await expectSqlMatchesWorkflow(stack, id);
    // The recreated row has what the candidate sent, which only the workflow's state carries.
    const [row] = await stack.services.orm.em
      .fork()
      .execute<{ cover_letter: string; resume_url: string }[]>(
        'select cover_letter, resume_url from applications where id = ?',
        [deleted],
        'all',
      );
    expect(row).toEqual({ cover_letter: 'Letter 1', resume_url: 'https://example.com/cv-1.pdf' });

    const repaired = await snapshot();
    const again = await cli();
    expect(differences(again.out)).toEqual([]);
    expect(again.out).toContain('4 applications checked, 0 differences, 0 applications repaired');
    expect(await snapshot()).toEqual(repaired);
  });

  test("a workflow that no claim or row of this database names (an earlier database's) is listed by id and left as it is", async () => {
    const [foreign] = ids;
    const [claim] = await stack.services.orm.em
      .fork()
      .execute<object[]>(
        'select job_id, candidate_id, workflow_id, created_at from application_claims where workflow_id = ?',
        [foreign],
        'all',
      );
    await sql('delete from stage_events where application_id = ?', [foreign]);
    await sql('delete from application_stays where application_id = ?', [foreign]);
    await sql('delete from applications where id = ?', [foreign]);
    await sql('delete from application_claims where workflow_id = ?', [foreign]);
    const before = await snapshot();

    const res = await cli();
    expect(res.code).toBe(0);
    expect(differences(res.out)).toEqual([`${foreign} unclaimed`]);
    expect(res.out).toContain(
      `${ids.length - 1} applications checked, 0 differences, 0 applications repaired, 1 workflows no application here claims (left unchanged)`,
    );
    expect(await snapshot()).toEqual(before);
    expect((await queryState(stack, foreign)).seq).toBe(1);

    // Claimed again, it is this database's: its missing row is rebuilt from the workflow.
    await sql('insert into application_claims (job_id, candidate_id, workflow_id, created_at) values (?, ?, ?, ?)', Object.values(claim));
    expect((await cli()).out).toContain(`${ids.length} applications checked, 1 differences, 1 applications repaired`);
    await expectSqlMatchesWorkflow(stack, foreign);
  });
});
