import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob, type Actor } from '../support/applications';
import { CHROMIUM, launchChromium, seriousViolations, signIn as signInAs } from '../support/chromium';

const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the pipeline pages' browser test: ${CHROMIUM} does not exist (apt-get install chromium).`);

(hasChromium ? describe : describe.skip)('the pipeline editor, migrations, moves back, reopening and the reports in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];
  const axeFindings: Record<string, string[]> = {};

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => pageProblems.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/the server responded with a status of (409|422)/.test(msg.text())) pageProblems.push(msg.text());
    });
    return page;
  }
  const signIn = (page: Page, who: Actor) => signInAs(page, stack.url, who.user.email, who.password);
  async function axeScan(page: Page, name: string): Promise<void> {
    axeFindings[name] = await seriousViolations(page);
  }
  const stageOf = async (id: string, who: Actor) => (await stack.http('GET', `/api/applications/${id}`, { token: who.token })).body.stage;
  async function apply(jobId: string, fullName: string): Promise<string> {
    const applicant = await stack.user('candidate', { fullName });
    const res = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: applicant.token, body: {} });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  beforeAll(async () => {
    // A rejection stays reopenable for an hour, not the second the other tests give it.
    stack = await startStack({ REOPEN_WINDOW_SECONDS: '3600' }, { worker: { workflowBundle: await bundleWorkflows() } });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await stack?.close();
  });
  afterEach(() => {
    expect(pageProblems).toEqual([]);
    expect(axeFindings).toEqual(Object.fromEntries(Object.keys(axeFindings).map((k) => [k, []])));
  });

  test('the editor publishes a version with phone_screen and take_home, shows a broken rule at its stage, and the board follows it', async () => {
    const owner = await stack.user('recruiter');
    const job = await createJob(stack, owner.user.id);
    const page = await newPage();
    await signIn(page, owner);
    await page.goto(`${stack.url}/app/recruiter/jobs/${job.id}/pipeline`);
    await page.locator('[data-version="1"]').first().waitFor();
    const row = (i: number) => page.locator(`.stages > li[data-index="${i}"]`);
    await expect(page.locator('.stages > li').count()).resolves.toBe(5);

    // screening becomes phone_screen; a take_home stage goes in after it.
    await row(1).getByLabel('Id').fill('phone_screen');
    await row(1).getByLabel('Name').fill('Phone screen');
    await row(1).getByLabel('SLA in hours (optional)').fill('48');
    await page.getByRole('button', { name: 'Add a stage' }).click();
    await row(4).getByLabel('Id').fill('take_home');
    await row(4).getByLabel('Name').fill('Take-home exercise');
    // Up by keyboard, twice: from before hired to just after phone_screen.
    await row(4).getByRole('button', { name: 'Up (stage 5)' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect(row(2).getByLabel('Id').inputValue()).resolves.toBe('take_home');

    // A hired stage in the middle breaks a rule: the 422 shows at that stage, and nothing is published.
    await row(2).getByLabel('Kind').selectOption('hired');
    await page.getByRole('button', { name: 'Publish a new version' }).click();
    await expect(row(2).locator('.stage-error').innerText()).resolves.toBe('Only the last stage is of kind `hired`.');
    await expect(page.locator('.stage-error').count()).resolves.toBe(1);
    expect((await stack.http('GET', `/api/jobs/${job.id}/pipeline`, { token: owner.token })).body.version).toBe(1);
    await axeScan(page, 'pipeline editor with an error');

    await row(2).getByLabel('Kind').selectOption('interview');
    // The offer stage goes.
    await row(4).getByRole('button', { name: 'Remove stage 5' }).click();
    await page.getByRole('button', { name: 'Publish a new version' }).click();
    await page.getByRole('status').filter({ hasText: 'Published version 2.' }).waitFor();
    const published = (await stack.http('GET', `/api/jobs/${job.id}/pipeline`, { token: owner.token })).body;
    expect(published.version).toBe(2);
    expect(published.stages).toEqual([
      { id: 'applied', name: 'Applied', kind: 'applied', slaSeconds: null },
      { id: 'phone_screen', name: 'Phone screen', kind: 'screening', slaSeconds: 172_800 },
      { id: 'take_home', name: 'Take-home exercise', kind: 'interview', slaSeconds: null },
      { id: 'interview', name: 'Interview', kind: 'interview', slaSeconds: null },
      { id: 'hired', name: 'Hired', kind: 'hired', slaSeconds: null },
    ]);
    await page.locator('tr[data-version="2"]').waitFor();
    await expect(page.locator('tr[data-version] th').allTextContents()).resolves.toEqual(['2', '1']);
    await axeScan(page, 'pipeline editor');

    // A new application takes version 2, and the board shows its columns.
    const fresh = await apply(String(job.id), 'Nina New');
    await page.getByRole('link', { name: 'Board' }).click();
    await page.locator(`section[data-stage="applied"] [data-card="${fresh}"]`).waitFor();
    await expect(page.locator('section[data-stage] h2').allTextContents()).resolves.toEqual([
      'Applied (1)',
      'Phone screen (0)',
      'Take-home exercise (0)',
      'Interview (0)',
      'Hired (0)',
      'rejected (0)',
    ]);
    expect((await stack.http('GET', `/api/applications/${fresh}`, { token: owner.token })).body.pipelineVersion).toBe(2);
  });
  test('Move back needs a reason and goes to an earlier stage; Reopen undoes a rejection into a stage of the pinned version', async () => {
    const owner = await stack.user('recruiter');
    const job = await createJob(stack, owner.user.id);
    const id = await apply(String(job.id), 'Bob Back');
    const move = (body: object) => stack.http('PATCH', `/api/applications/${id}/stage`, { token: owner.token, body });
    expect((await move({ stage: 'screening' })).status).toBe(200);
    expect((await move({ stage: 'interview' })).status).toBe(200);
    const page = await newPage();
    await signIn(page, owner);
    // The board moves forward; back without a reason it says where to give one.
    await page.goto(`${stack.url}/app/recruiter/jobs/${job.id}/board`);
    const card = page.locator(`section[data-stage="interview"] [data-card="${id}"]`);
    await card.getByLabel('Move to').selectOption('screening');
    await card.getByRole('button', { name: 'Move' }).click();
    await expect(card.getByRole('alert').innerText()).resolves.toBe(
      'Moving back to screening needs a reason: give it under “Move back” on the application’s page.',
    );
    expect(await stageOf(id, owner)).toBe('interview');
    await card.getByRole('link', { name: 'Bob Back' }).click();
    const back = page.locator('form', { has: page.getByRole('heading', { name: 'Move back' }) });
    await back.waitFor();
    await expect(back.getByLabel('Back to stage').locator('option').allTextContents()).resolves.toEqual(['Applied', 'Screening']);
    await axeScan(page, 'application with Move back');
    await back.getByLabel('Back to stage').selectOption('screening');
    // The reason is required: without one the form is not sent.
    await back.getByRole('button', { name: 'Move back' }).click();
    expect(await stageOf(id, owner)).toBe('interview');
    await back.getByLabel('Why move it back').fill('The panel needs another screen first.');
    await back.getByRole('button', { name: 'Move back' }).click();
    await page.locator('strong.stage', { hasText: 'screening' }).or(back.getByRole('alert')).waitFor();
    await expect(back.getByRole('alert').allTextContents()).resolves.toEqual([]);
    const moved = (await stack.http('GET', `/api/applications/${id}`, { token: owner.token })).body;
    expect(moved.stage).toBe('screening');
    expect(moved.history.at(-1)).toMatchObject({ from: 'interview', to: 'screening', reason: 'The panel needs another screen first.' });
    // From screening only applied is earlier.
    await expect(back.getByLabel('Back to stage').locator('option').allTextContents()).resolves.toEqual(['Applied']);

    expect((await move({ stage: 'rejected', reason: 'Not this time' })).status).toBe(200);
    await page.reload();
    const reopen = page.locator('form', { has: page.getByRole('heading', { name: 'Reopen' }) });
    await reopen.waitFor();
    await expect(reopen.getByLabel('Into stage').locator('option').allTextContents()).resolves.toEqual([
      'Applied',
      'Screening',
      'Interview',
      'Offer',
    ]);
    await expect(page.getByRole('heading', { name: 'Move back' }).count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Reject' }).count()).resolves.toBe(0);
    await reopen.getByLabel('Into stage').selectOption('interview');
    await reopen.getByLabel('Why reopen it').fill('Rejected by mistake');
    await reopen.getByRole('button', { name: 'Reopen application' }).click();
    await page.locator('strong.stage', { hasText: 'interview' }).or(reopen.getByRole('alert')).waitFor();
    await expect(reopen.getByRole('alert').allTextContents()).resolves.toEqual([]);
    const reopened = (await stack.http('GET', `/api/applications/${id}`, { token: owner.token })).body;
    expect(reopened.stage).toBe('interview');
    expect(reopened.history.at(-1)).toMatchObject({ from: 'rejected', to: 'interview', reason: 'Rejected by mistake' });
    await axeScan(page, 'application after reopening');

    // A withdrawal is the candidate's: nothing to reopen.
    const leaver = await stack.user('candidate', { fullName: 'Wes Withdrawn' });
    const left = (await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: leaver.token, body: {} })).body.id as string;
    expect((await stack.http('POST', `/api/applications/${left}/withdraw`, { token: leaver.token })).status).toBe(200);
    await page.goto(`${stack.url}/app/applications/${left}`);
    await page.locator('strong.stage', { hasText: 'rejected' }).waitFor();
    await page.getByRole('heading', { name: 'Notes' }).waitFor();
    await expect(page.getByRole('heading', { name: 'Reopen' }).count()).resolves.toBe(0);

    // A hiring manager on the team reads the page without either form.
    const manager = await stack.user('hiring_manager');
    expect(
      (
        await stack.http('POST', `/api/jobs/${job.id}/team`, {
          token: owner.token,
          body: { userId: String(manager.user.id), teamRole: 'hiring_manager' },
        })
      ).status,
    ).toBe(201);
    const managerPage = await newPage();
    await signIn(managerPage, manager);
    await managerPage.goto(`${stack.url}/app/applications/${id}`);
    await managerPage.getByRole('heading', { name: 'History' }).waitFor();
    await managerPage.getByRole('heading', { name: 'Notes' }).waitFor();
    await expect(managerPage.getByRole('heading', { name: 'Move back' }).count()).resolves.toBe(0);
    // They read the pipeline and its versions, and the reports, but neither edit nor migrate.
    await managerPage.goto(`${stack.url}/app/recruiter/jobs/${job.id}/pipeline`);
    await managerPage.locator('tr[data-version="1"]').waitFor();
    await expect(managerPage.getByRole('button', { name: 'Publish a new version' }).count()).resolves.toBe(0);
    await expect(managerPage.getByRole('link', { name: 'Migrate applications' }).count()).resolves.toBe(0);
    await managerPage.getByRole('link', { name: 'Reports' }).click();
    await managerPage.locator('[data-report="funnel"] tr[data-kind="applied"]').waitFor();
    await axeScan(managerPage, 'reports for a hiring manager');
  });
  test('the reports page draws the funnel and the time in stage as SVG charts, with their numbers in tables', async () => {
    const owner = await stack.user('recruiter');
    const job = await createJob(stack, owner.user.id);
    const jobId = String(job.id);
    const [waiting, advancing, rejected] = [
      await apply(jobId, 'Wanda Waiting'),
      await apply(jobId, 'Ali Advancing'),
      await apply(jobId, 'Rita Rejected'),
    ];
    const move = async (id: string, stage: string, reason?: string) =>
      expect((await stack.http('PATCH', `/api/applications/${id}/stage`, { token: owner.token, body: { stage, reason } })).status).toBe(
        200,
      );
    await move(advancing, 'screening');
    await move(advancing, 'interview');
    await move(rejected, 'screening');
    await move(rejected, 'rejected', 'Not this time');
    // Four days in applied, past the default three-day SLA.
    const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000).toISOString();
    const em = stack.services.orm.em.fork();
    await em.execute('update stage_events set at = ? where application_id = ?', [fourDaysAgo, waiting], 'run');
    await em.execute('update applications set updated_at = ? where id = ?', [fourDaysAgo, waiting], 'run');

    const page = await newPage();
    await signIn(page, owner);
    await page.goto(`${stack.url}/app/recruiter/jobs/${jobId}/board`);
    await page.getByRole('link', { name: 'Reports' }).click();
    const funnel = page.locator('[data-report="funnel"]');
    await funnel.locator('tr[data-kind="applied"]').waitFor();
    const row = async (report: string, kind: string) =>
      (await page.locator(`[data-report="${report}"] tr[data-kind="${kind}"] > *`).allTextContents()).slice(1);
    // Kind: stage ids, entered, current, advanced, rejected, conversion.
    await expect(row('funnel', 'applied')).resolves.toEqual(['applied', '3', '1', '2', '0', '66.7%']);
    await expect(row('funnel', 'screening')).resolves.toEqual(['screening', '2', '0', '1', '1', '50%']);
    await expect(row('funnel', 'interview')).resolves.toEqual(['interview', '1', '1', '0', '0', '0%']);
    await expect(funnel.locator('[data-hires]').innerText()).resolves.toBe('0');
    const chart = funnel.getByRole('img', { name: 'Applications that entered each stage kind' });
    await expect(chart.locator('rect.bar').count()).resolves.toBe(await funnel.locator('tbody tr').count());
    await expect(
      chart.locator('rect.bar').evaluateAll((bars) => bars.slice(0, 3).map((b) => b.getAttribute('data-value'))),
    ).resolves.toEqual(['3', '2', '1']);

    // The funnel over a period: all three applied today; none from tomorrow on.
    const day = (plusDays: number) => new Date(Date.now() + plusDays * 86_400_000).toISOString().slice(0, 10);
    const period = page.getByRole('form', { name: 'Period of the funnel' });
    await period.getByLabel('Applied from').fill(day(1));
    await period.getByRole('button', { name: 'Show' }).click();
    await funnel.locator('tr[data-kind="applied"] td:nth-of-type(2)', { hasText: /^0$/ }).waitFor();
    await expect(row('funnel', 'applied')).resolves.toEqual(['', '0', '0', '0', '0', '0%']);
    await period.getByLabel('Applied from').fill(day(0));
    await period.getByLabel('through').fill(day(0));
    await period.getByRole('button', { name: 'Show' }).click();
    await funnel.locator('tr[data-kind="applied"] td:nth-of-type(2)', { hasText: /^3$/ }).waitFor();
    await expect(row('funnel', 'applied')).resolves.toEqual(['applied', '3', '1', '2', '0', '66.7%']);

    const time = page.locator('[data-report="time-in-stage"]');
    const timeChart = time.getByRole('img', { name: 'Median and 90th percentile time in each stage kind' });
    await expect(timeChart.locator('rect.bar').count()).resolves.toBe(2 * (await time.locator('tbody tr').count()));
    await expect(time.locator('tr[data-kind="applied"] th').innerText()).resolves.toBe('applied');

    const waits = page.locator('[data-report="waits"]');
    await waits.locator(`tr[data-application="${waiting}"]`).waitFor();
    // Running applications only, longest first: the one past its SLA is marked, in the chart too.
    await expect(waits.locator('tbody th').allTextContents()).resolves.toEqual(['Wanda Waiting', 'Ali Advancing']);
    await expect(waits.locator(`tr[data-application="${waiting}"] td`).last().innerText()).resolves.toBe('over SLA');
    await expect(waits.locator(`tr[data-application="${advancing}"] td`).last().innerText()).resolves.toBe('within');
    const waitChart = waits.getByRole('img');
    await expect(waitChart.locator('g.over-sla rect.bar').count()).resolves.toBe(1);
    await expect(waitChart.locator('g.over-sla text').last().textContent()).resolves.toBe('4.0 days in applied · over SLA');
    await axeScan(page, 'reports');
  });
  test('the migration screen maps the old stages onto the new version, counts them in a dry run, and follows the migration until it completes', async () => {
    const owner = await stack.user('recruiter');
    const job = await createJob(stack, owner.user.id);
    const jobId = String(job.id);
    const [early, screened, interviewed, closed] = [
      await apply(jobId, 'Early Applicant'),
      await apply(jobId, 'Sam Screened'),
      await apply(jobId, 'Ivy Interviewed'),
      await apply(jobId, 'Carl Closed'),
    ];
    const move = async (id: string, stage: string, reason?: string) =>
      expect((await stack.http('PATCH', `/api/applications/${id}/stage`, { token: owner.token, body: { stage, reason } })).status).toBe(
        200,
      );
    await move(screened, 'screening');
    await move(interviewed, 'screening');
    await move(interviewed, 'interview');
    await move(closed, 'rejected', 'Not this time');
    const published = await stack.http('PUT', `/api/jobs/${jobId}/pipeline`, {
      token: owner.token,
      body: {
        stages: [
          { id: 'applied', name: 'Applied', kind: 'applied' },
          { id: 'phone_screen', name: 'Phone screen', kind: 'screening' },
          { id: 'onsite', name: 'On-site', kind: 'interview' },
          { id: 'hired', name: 'Hired', kind: 'hired' },
        ],
      },
    });
    expect(published.body.version).toBe(2);

    const page = await newPage();
    await signIn(page, owner);
    await page.goto(`${stack.url}/app/recruiter/jobs/${jobId}/pipeline`);
    await page.getByRole('link', { name: 'Migrate applications' }).click();
    await page.getByLabel('From version').waitFor();
    await expect(page.getByLabel('From version').inputValue()).resolves.toBe('1');
    await expect(page.getByLabel('To version').inputValue()).resolves.toBe('2');
    const target = (stage: string) => page.locator(`label[data-from="${stage}"] select`);
    // Only the non-final stages of each: hired and rejected are no one's source or target.
    await expect(page.locator('label[data-from]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-from')))).resolves.toEqual([
      'applied',
      'screening',
      'interview',
      'offer',
    ]);
    await expect(target('applied').locator('option').allTextContents()).resolves.toEqual([
      'Applied (applied)',
      'Phone screen (phone_screen)',
      'On-site (onsite)',
    ]);
    // The same id, else the same kind: offer has neither, so it is chosen here.
    await expect(target('screening').inputValue()).resolves.toBe('phone_screen');
    await expect(target('interview').inputValue()).resolves.toBe('onsite');
    await target('offer').selectOption('onsite');
    await page.getByRole('button', { name: 'Dry run' }).click();
    const dry = page.locator('[data-section="dry-run"]');
    await dry.waitFor();
    await expect(dry.getByRole('status').innerText()).resolves.toBe('3 running applications of version 1 would move to version 2.');
    const counts = await dry.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(counts).toEqual([
      ['applied', 'applied', '1'],
      ['screening', 'phone_screen', '1'],
      ['interview', 'onsite', '1'],
      ['offer', 'onsite', '0'],
    ]);
    expect((await stack.http('GET', `/api/applications/${screened}`, { token: owner.token })).body.pipelineVersion).toBe(1);
    await axeScan(page, 'migration dry run');

    await page.getByRole('button', { name: 'Start the migration' }).click();
    await page.locator('[data-section="migration"][data-status="completed"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-progress]').innerText()).resolves.toBe('Completed: 3 of 3 moved, 0 failed.');
    const after = async (id: string) => {
      const { stage, pipelineVersion } = (await stack.http('GET', `/api/applications/${id}`, { token: owner.token })).body;
      return [stage, pipelineVersion];
    };
    await expect(after(early)).resolves.toEqual(['applied', 2]);
    await expect(after(screened)).resolves.toEqual(['phone_screen', 2]);
    await expect(after(interviewed)).resolves.toEqual(['onsite', 2]);
    await expect(after(closed)).resolves.toEqual(['rejected', 1]);
    await axeScan(page, 'migration completed');
    // The application's history says the migration moved it.
    await page.goto(`${stack.url}/app/applications/${screened}`);
    await page.locator('.history li', { hasText: 'screening → phone_screen' }).waitFor();
    await expect(page.locator('.history li .migrated').innerText()).resolves.toBe(' (migrated from pipeline version 1 to 2)');
  });
  test('a candidate hired into a pipeline whose last stage is not called hired is offered no withdrawal', async () => {
    const owner = await stack.user('recruiter');
    const custom = await createJob(stack, owner.user.id);
    const plain = await createJob(stack, owner.user.id);
    const stages = [
      { id: 'applied', name: 'Applied', kind: 'applied' },
      { id: 'signed', name: 'Contract signed', kind: 'hired' },
    ];
    expect((await stack.http('PUT', `/api/jobs/${custom.id}/pipeline`, { token: owner.token, body: { stages } })).status).toBe(200);
    const applicant = await stack.user('candidate', { fullName: 'Hana Hired' });
    const applyTo = async (jobId: number | string) =>
      (await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: applicant.token, body: {} })).body.id as string;
    const [hired, running] = [await applyTo(custom.id), await applyTo(plain.id)];
    expect((await stack.http('PATCH', `/api/applications/${hired}/stage`, { token: owner.token, body: { stage: 'signed' } })).status).toBe(
      200,
    );
    const page = await newPage();
    await signIn(page, applicant);
    await page.goto(`${stack.url}/app/my`);
    await page.locator(`[data-application="${running}"]`).getByRole('button', { name: 'Withdraw' }).waitFor();
    await expect(page.locator(`[data-application="${hired}"] [data-testid="stage"]`).innerText()).resolves.toBe('signed');
    await expect(page.locator(`[data-application="${hired}"]`).getByRole('button', { name: 'Withdraw' }).count()).resolves.toBe(0);
  });
});
