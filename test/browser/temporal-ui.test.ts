import type { Browser } from 'playwright-core';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, eventually } from '../support/applications';
import { launchChromium } from '../support/chromium';

/**
 * A recruiter can find any application in the Temporal Web UI: its `workflowUrl` opens the workflow
 * with its stage changes, and the ApplicationStage search attribute finds applications by stage.
 */
describe('applications in the Temporal Web UI', () => {
  let stack: TestStack;
  let browser: Browser;
  let id: string;
  let jobId: string;
  let workflowUrl: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    browser = await launchChromium();
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    jobId = String((await createJob(stack, recruiter.user.id)).id);
    const applied = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: {} });
    expect(applied.status).toBe(201);
    ({ id, workflowUrl } = applied.body);
    expect(
      (await stack.http('PATCH', `/api/applications/${id}/stage`, { token: recruiter.token, body: { stage: 'screening' } })).status,
    ).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  test('workflowUrl opens the workflow, showing its id and its stage-change updates', async () => {
    expect(workflowUrl.startsWith(stack.config.temporal.uiUrl)).toBe(true);
    const page = await browser.newPage();
    try {
      await page.goto(workflowUrl);
      await page.getByRole('heading', { name: id }).waitFor({ timeout: 20_000 });
      // The event history lists the submission and the stage change as accepted, completed updates.
      await page.getByText('Workflow Execution Update Accepted').first().waitFor({ timeout: 20_000 });
      const events = await page.locator('body').innerText();
      expect(events.match(/Workflow Execution Update Accepted/g)).toHaveLength(2);
      expect(events.match(/Workflow Execution Update Completed/g)).toHaveLength(2);
      expect(events).toContain('changeStage');
      expect(events).toContain('submit');
    } finally {
      await page.close();
    }
  }, 60_000);

  test('the visibility store finds the application by stage and job', async () => {
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const w of stack.services.temporal.workflow.list({ query })) found.push(w.workflowId);
      return found;
    };
    const query = `ApplicationStage='screening' AND JobId='${jobId}'`;
    // Visibility is eventually consistent: poll.
    await eventually(async () => ((await ids(query)).includes(id) ? true : undefined), 20_000, 'the application in the stage list');
    expect(await ids(`ApplicationStage='applied' AND JobId='${jobId}'`)).not.toContain(id);

    // The Web UI's workflow list answers the same query.
    const page = await browser.newPage();
    try {
      await page.goto(`${stack.config.temporal.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
      await page.getByRole('link', { name: id }).first().waitFor({ timeout: 20_000 });
    } finally {
      await page.close();
    }
  }, 60_000);
});
