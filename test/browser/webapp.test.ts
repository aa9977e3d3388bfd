import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startStack, type TestStack } from '../support/stack';
import { addToTeam, bundleWorkflows, createJob } from '../support/applications';
import { CHROMIUM, launchChromium, seriousViolations, signIn as signInAs } from '../support/chromium';

// Set to a folder (e.g. docs) to write the README's screenshots there.
const SCREENSHOT_DIR = process.env.ATS_SCREENSHOT_DIR;
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the web app browser test: ${CHROMIUM} does not exist (apt-get install chromium).`);

(hasChromium ? describe : describe.skip)(
  `the web app at /app in headless Chromium${hasChromium ? '' : ' (skipped: no /usr/bin/chromium)'}`,
  () => {
    let stack: TestStack;
    let browser: Browser;
    let recruiter: Awaited<ReturnType<TestStack['user']>>;
    let admin: Awaited<ReturnType<TestStack['user']>>;
    let jobId: string;
    let title: string;
    let foreignTitle: string;
    let applicationId: string;
    const candidate = {
      email: `cand-${randomUUID().slice(0, 8)}@example.com`,
      password: 'candidate-password-1',
      fullName: 'Ada Candidate',
    };
    const contexts: BrowserContext[] = [];
    const foreignRequests: string[] = [];
    const pageProblems: string[] = [];
    const axeFindings: Record<string, string[]> = {};

    async function newPage(width = 1280, height = 900): Promise<Page> {
      const context = await browser.newContext({ viewport: { width, height } });
      contexts.push(context);
      const origin = new URL(stack.url).origin;
      context.on('request', (req) => {
        if (!req.url().startsWith('data:') && new URL(req.url()).origin !== origin) foreignRequests.push(req.url());
      });
      const page = await context.newPage();
      page.on('pageerror', (err) => pageProblems.push(err.message));
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !/the server responded with a status of (409|401)/.test(msg.text())) pageProblems.push(msg.text());
      });
      return page;
    }

    async function scan(page: Page, name: string): Promise<void> {
      axeFindings[name] = await seriousViolations(page);
    }

    const signIn = (page: Page, email: string, password: string) => signInAs(page, stack.url, email, password);

    beforeAll(async () => {
      stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
      browser = await launchChromium();
      const owner = await stack.user('recruiter');
      recruiter = await stack.user('recruiter');
      admin = await stack.user('admin');
      const job = await createJob(stack, owner.user.id);
      await addToTeam(stack, job, recruiter.user.id);
      jobId = String(job.id);
      title = `Platform Engineer ${randomUUID().slice(0, 8)}`;
      const renamed = await stack.http('PATCH', `/api/jobs/${jobId}`, {
        token: owner.token,
        body: { title, description: 'Build the pipeline.' },
      });
      expect(renamed.status).toBe(200);
      // A job whose team the recruiter is not on: "Manage jobs" must not offer it to them.
      foreignTitle = `Elsewhere ${randomUUID().slice(0, 8)}`;
      const foreign = await stack.http('POST', '/api/jobs', {
        token: owner.token,
        body: { title: foreignTitle, company: 'Elsewhere Ltd' },
      });
      expect(foreign.status).toBe(201);
    }, 120_000);
    afterAll(async () => {
      for (const context of contexts) await context.close();
      await browser?.close();
      await stack?.close();
    });

    test('serves the app with its CSP, its assets by type, and index.html for paths inside it', async () => {
      const index = await stack.http('GET', '/app/recruiter/jobs/1/board');
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(index.text).toContain('/app/app.js');
      const script = await stack.http('GET', '/app/app.js');
      expect(script.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      expect((await stack.http('GET', '/app/app.css')).headers.get('content-type')).toMatch(/^text\/css/);
      // Only built assets by plain name: anything else is the app's page, never a file from elsewhere.
      const escaped = await stack.http('GET', '/app/..%2Fpackage.json');
      expect(escaped.text).not.toContain('"ats-backend"');
    });

    test('a candidate signs up on the board and applies', async () => {
      const page = await newPage();
      await page.goto(`${stack.url}/app`);
      await page.getByRole('heading', { name: 'Open jobs' }).waitFor();
      await page.getByLabel('Search').fill(title);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: title }).waitFor();
      await scan(page, 'job board');

      await page.getByRole('link', { name: 'Sign up' }).click();
      await page.getByLabel('Full name').fill(candidate.fullName);
      await page.getByLabel('E-mail').fill(candidate.email);
      await page.getByLabel('Password').fill(candidate.password);
      await scan(page, 'sign-up');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();

      await page.getByLabel('Search').fill(title);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: title }).click();
      await page.getByRole('heading', { name: title }).waitFor();
      await page.getByLabel('Cover letter').fill('I build pipelines.');
      await page.getByLabel('Résumé URL').fill('https://example.com/ada.pdf');
      await scan(page, 'job page');
      await page.getByRole('button', { name: 'Send application' }).click();

      await page.getByRole('heading', { name: 'My applications' }).waitFor();
      const card = page.locator('.card', { hasText: title });
      await expect(card.getByTestId('stage').innerText()).resolves.toBe('applied');
      await scan(page, 'my applications');
      // The token lives in session storage and nowhere in the address.
      expect(await page.evaluate(() => sessionStorage.getItem('ats.token'))).toMatch(/^ey/);
      expect(page.url()).not.toMatch(/token|ey[A-Za-z0-9_-]{10,}/);

      const listed = await stack.http('GET', `/api/applications?jobId=${jobId}`, { token: recruiter.token });
      expect(listed.body.items).toHaveLength(1);
      expect(listed.body.items[0]).toMatchObject({
        stage: 'applied',
        coverLetter: 'I build pipelines.',
        resumeUrl: 'https://example.com/ada.pdf',
      });
      applicationId = listed.body.items[0].id;
    });

    test('a recruiter moves it to interview on the board, by keyboard and by "Move to"; the candidate sees the new stage', async () => {
      const page = await newPage();
      await signIn(page, recruiter.user.email, recruiter.password);
      await page.getByRole('link', { name: 'Manage jobs' }).click();
      await page.getByRole('heading', { name: title }).waitFor();
      // Only the jobs on their team, each with its running applications per stage.
      const counts = page.getByRole('list', { name: `Running applications of ${title}` });
      await expect(counts.locator('[data-stage="applied"]').innerText()).resolves.toBe('applied: 1');
      await expect(counts.locator('[data-stage="screening"]').innerText()).resolves.toBe('screening: 0');
      await expect(page.getByRole('heading', { name: foreignTitle }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: `Edit ${foreignTitle}` }).count()).resolves.toBe(0);
      await scan(page, 'recruiter jobs');
      await page.getByRole('link', { name: `Pipeline board for ${title}` }).click();
      const card = (stage: string) => page.locator(`section[data-stage="${stage}"] [data-card="${applicationId}"]`);
      await card('applied').waitFor();
      await expect(card('applied').getByRole('heading').innerText()).resolves.toBe(candidate.fullName);
      await scan(page, 'pipeline board');

      await card('applied').focus();
      await page.keyboard.press('ArrowRight');
      await card('screening').waitFor();
      // Focus follows the card to its new column, so the next key press moves it again.
      await page.waitForFunction(
        (id) =>
          (
            globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }
          ).document.activeElement?.getAttribute('data-card') === id,
        applicationId,
      );
      await card('screening').getByLabel('Move to').selectOption('interview');
      await card('screening').getByRole('button', { name: 'Move' }).click();
      await card('interview').waitFor();
      await expect(card('interview').getByRole('alert').innerText()).resolves.toBe('Moved from screening to interview.');
      if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'webapp-board.png'), fullPage: true });

      const app = await stack.http('GET', `/api/applications/${applicationId}`, { token: recruiter.token });
      expect(app.body.stage).toBe('interview');
      expect(app.body.history.map((h: { to: string }) => h.to)).toEqual(['applied', 'screening', 'interview']);

      const candidatePage = await newPage(390, 844);
      await signIn(candidatePage, candidate.email, candidate.password);
      await candidatePage.getByRole('link', { name: 'My applications' }).click();
      const mine = candidatePage.locator('.card', { hasText: title });
      await expect(mine.getByTestId('stage').innerText()).resolves.toBe('interview');
      await expect(mine.locator('.history li').count()).resolves.toBe(3);
      await expect(mine.locator('.history li').first().innerText()).resolves.toContain('by you');
      // Usable at a phone's width: nothing wider than the screen.
      expect(
        await candidatePage.evaluate(
          () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth,
        ),
      ).toBeLessThanOrEqual(390);
      if (SCREENSHOT_DIR) await candidatePage.screenshot({ path: path.join(SCREENSHOT_DIR, 'webapp-candidate.png'), fullPage: true });
    });

    test('an illegal move and a concurrent change are explained on the card, and the board refreshes', async () => {
      const page = await newPage();
      await signIn(page, recruiter.user.email, recruiter.password);
      await page.goto(`${stack.url}/app/recruiter/jobs/${jobId}/board`);
      const card = (stage: string) => page.locator(`section[data-stage="${stage}"] [data-card="${applicationId}"]`);
      await card('interview').waitFor();

      await card('interview').getByLabel('Move to').selectOption('hired');
      await card('interview').getByRole('button', { name: 'Move' }).click();
      await expect(card('interview').getByRole('alert').innerText()).resolves.toBe(
        'Cannot move from interview to hired: from interview it may move to offer, rejected.',
      );
      await scan(page, 'pipeline board with a refusal');

      // Someone else moves it while this board still shows interview.
      const moved = await stack.http('PATCH', `/api/applications/${applicationId}/stage`, {
        token: recruiter.token,
        body: { stage: 'offer' },
      });
      expect(moved.status).toBe(200);
      await card('interview').getByLabel('Move to').selectOption('rejected');
      await card('interview').getByRole('button', { name: 'Move' }).click();
      await card('offer').waitFor();
      await expect(card('offer').getByRole('alert').innerText()).resolves.toContain('someone else moved it to offer meanwhile');
      expect((await stack.http('GET', `/api/applications/${applicationId}`, { token: recruiter.token })).body.stage).toBe('offer');
    });

    test('the application page shows who moved it, links the workflow, and rejects with a reason', async () => {
      const page = await newPage();
      await signIn(page, recruiter.user.email, recruiter.password);
      await page.goto(`${stack.url}/app/recruiter/jobs/${jobId}/board`);
      await page.locator(`[data-card="${applicationId}"]`).getByRole('link').click();
      await page.getByRole('heading', { name: 'History' }).waitFor();
      const workflow = page.getByRole('link', { name: /Workflow in the Temporal Web UI/ });
      const api = (await stack.http('GET', `/api/applications/${applicationId}`, { token: recruiter.token })).body;
      expect(await workflow.getAttribute('href')).toBe(api.workflowUrl);
      await expect(page.locator('.history li').count()).resolves.toBe(4);
      await expect(page.locator('.history li').nth(1).innerText()).resolves.toContain(`applied → screening`);
      await expect(page.locator('.history li').nth(1).innerText()).resolves.toContain(`by ${recruiter.user.fullName}`);
      await expect(page.locator('h1').innerText()).resolves.toBe(`Application of ${candidate.fullName}`);
      await scan(page, 'application page');

      // Staff are told, before they write it, that the candidate reads the reason.
      const seen = await page.getByLabel('Reason').getAttribute('aria-describedby');
      await expect(page.locator(`#${seen}`).innerText()).resolves.toContain('The candidate sees this reason');
      await page.getByLabel('Reason').fill('Position filled internally');
      await page.getByRole('button', { name: 'Reject application' }).click();
      await page.locator('.history li', { hasText: 'Position filled internally' }).waitFor();
      const after = (await stack.http('GET', `/api/applications/${applicationId}`, { token: recruiter.token })).body;
      expect(after.stage).toBe('rejected');
      expect(after.history.at(-1)).toMatchObject({ from: 'offer', to: 'rejected', reason: 'Position filled internally' });
    });

    test('an admin creates a recruiter and deactivates it', async () => {
      const page = await newPage();
      await signIn(page, admin.user.email, admin.password);
      await page.getByRole('link', { name: 'Users' }).click();
      const email = `rec-${randomUUID().slice(0, 8)}@example.com`;
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password').fill('recruiter-password-1');
      await page.locator('form').getByLabel('Role').selectOption('recruiter');
      await page.getByRole('button', { name: 'Create user' }).click();
      const row = page.getByRole('row', { name: new RegExp(email) });
      await row.waitFor();
      await scan(page, 'users');
      await row.getByRole('button', { name: `Deactivate ${email}` }).click();
      await row.getByRole('button', { name: `Reactivate ${email}` }).waitFor();
      const users = (await stack.http('GET', '/api/users?limit=100', { token: admin.token })).body.items as {
        email: string;
        role: string;
        active: boolean;
      }[];
      expect(users.find((u) => u.email === email)).toMatchObject({ role: 'recruiter', active: false });
    });

    test('a recruiter creates a job, edits it and closes it', async () => {
      const page = await newPage();
      await signIn(page, recruiter.user.email, recruiter.password);
      await page.getByRole('link', { name: 'Manage jobs' }).click();
      await page.getByRole('button', { name: 'New job' }).click();
      const draft = `Data Engineer ${randomUUID().slice(0, 8)}`;
      await page.getByLabel('Title').fill(draft);
      await page.getByLabel('Company').fill('WebCo');
      await page.getByLabel('Location').fill('Lisbon');
      await page.getByRole('button', { name: 'Create job' }).click();
      await page.getByRole('heading', { name: draft }).waitFor();

      const edited = `${draft} II`;
      await page.getByRole('button', { name: `Edit ${draft}` }).click();
      await page.getByLabel('Title').fill(edited);
      await page.getByRole('button', { name: 'Save job' }).click();
      await page.getByRole('heading', { name: edited }).waitFor();
      await page.getByRole('button', { name: `Close ${edited}` }).click();
      await page.getByRole('button', { name: `Close ${edited}` }).waitFor({ state: 'detached' });

      const jobs = (await stack.http('GET', '/api/jobs?limit=100', { token: recruiter.token })).body.items as {
        title: string;
        company: string;
        location: string;
        status: string;
      }[];
      expect(jobs.find((j) => j.title === edited)).toMatchObject({ company: 'WebCo', location: 'Lisbon', status: 'closed' });
    });

    test('a double click on "Create job" creates one job', async () => {
      const page = await newPage();
      await signIn(page, recruiter.user.email, recruiter.password);
      await page.getByRole('link', { name: 'Manage jobs' }).click();
      await page.getByRole('button', { name: 'New job' }).click();
      const once = `Site Reliability Engineer ${randomUUID().slice(0, 8)}`;
      await page.getByLabel('Title').fill(once);
      await page.getByLabel('Company').fill('WebCo');
      await page.getByRole('button', { name: 'Create job' }).dblclick();
      await page.getByRole('heading', { name: once }).first().waitFor();
      // Both requests, had there been two, are answered by now.
      await page.waitForTimeout(1_000);
      const jobs = (await stack.http('GET', `/api/jobs?mine=true&limit=100&q=${encodeURIComponent(once)}`, { token: recruiter.token })).body
        .items;
      expect(jobs).toHaveLength(1);
      await expect(page.getByRole('heading', { name: once }).count()).resolves.toBe(1);
    });

    test('an account that cannot be created shows only why, and the accounts table fits a phone', async () => {
      const page = await newPage(390, 844);
      await signIn(page, admin.user.email, admin.password);
      await page.getByRole('link', { name: 'Users' }).click();
      const email = `hm-${randomUUID().slice(0, 8)}@example.com`;
      for (const attempt of [1, 2]) {
        await page.getByLabel('E-mail').fill(email);
        await page.getByLabel('Password').fill('manager-password-1');
        await page.locator('form').getByLabel('Role').selectOption('hiring_manager');
        await page.getByRole('button', { name: 'Create user' }).click();
        if (attempt === 1) await page.getByRole('row', { name: new RegExp(email) }).waitFor();
      }
      await page.getByText('An account with this e-mail already exists.').waitFor();
      await expect(page.locator('main .alert').allInnerTexts()).resolves.toEqual(['An account with this e-mail already exists.']);
      // The table scrolls inside its box; the page itself is no wider than the screen.
      expect(
        await page.evaluate(
          () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth,
        ),
      ).toBeLessThanOrEqual(390);
    });

    test('staff pages opened by their address show nothing to a candidate, and the users page nothing to a recruiter', async () => {
      const refused: string[] = [];
      const visit = async (page: Page, to: string) => {
        await page.goto(`${stack.url}/app${to}`);
        await page.getByRole('heading', { name: 'Not found' }).waitFor();
        // What the pages would have loaded is answered by now.
        await page.waitForTimeout(500);
      };
      const visitor = await stack.user('candidate');
      const page = await newPage();
      page.on('response', (r) => r.status() === 403 && refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`));
      await signIn(page, visitor.user.email, visitor.password);
      for (const to of [
        '/home',
        '/recruiter',
        '/interviews',
        `/recruiter/jobs/${jobId}/board`,
        `/recruiter/jobs/${jobId}/reports`,
        '/admin/users',
      ])
        await visit(page, to);
      await expect(page.getByRole('heading', { name: 'Today' }).count()).resolves.toBe(0);
      const staff = await newPage();
      staff.on('response', (r) => r.status() === 403 && refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`));
      await signIn(staff, recruiter.user.email, recruiter.password);
      await visit(staff, '/admin/users');
      await visit(staff, '/my');
      await expect(staff.getByRole('button', { name: 'Create user' }).count()).resolves.toBe(0);
      expect(refused).toEqual([]);
    });

    test('a candidate withdraws an application', async () => {
      const owner = await stack.user('recruiter');
      const job = await createJob(stack, owner.user.id);
      const login = await stack.http('POST', '/api/auth/login', { body: { email: candidate.email, password: candidate.password } });
      const applied = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: login.body.access_token, body: {} });
      expect(applied.status).toBe(201);

      const page = await newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await signIn(page, candidate.email, candidate.password);
      await page.getByRole('link', { name: 'My applications' }).click();
      const card = page.locator(`[data-application="${applied.body.id}"]`);
      await card.getByRole('button', { name: 'Withdraw' }).click();
      await card.locator('.history li', { hasText: 'withdrawn' }).waitFor();
      await expect(card.getByTestId('stage').innerText()).resolves.toBe('rejected');
      await expect(card.getByRole('button', { name: 'Withdraw' }).count()).resolves.toBe(0);
    });

    test('a session whose account is deactivated ends at the next call', async () => {
      const page = await newPage();
      await signIn(page, candidate.email, candidate.password);
      await page.getByRole('link', { name: 'My applications' }).click();
      await page.getByRole('heading', { name: 'My applications' }).waitFor();
      const me = (await stack.http('GET', '/api/users?limit=100', { token: admin.token })).body.items.find(
        (u: { email: string }) => u.email === candidate.email,
      );
      expect((await stack.http('PATCH', `/api/users/${me.id}`, { token: admin.token, body: { active: false } })).status).toBe(200);

      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('ats.token'))).toBeNull();
    });

    /** A fresh job of `owner`'s with one application from a new, named candidate. */
    async function jobWithApplicant(owner: Awaited<ReturnType<TestStack['user']>>, fullName: string) {
      const job = await createJob(stack, owner.user.id);
      const jobTitle = `Job ${randomUUID().slice(0, 8)}`;
      expect((await stack.http('PATCH', `/api/jobs/${job.id}`, { token: owner.token, body: { title: jobTitle } })).status).toBe(200);
      const applicant = await stack.user('candidate', { fullName });
      const applied = await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: applicant.token, body: {} });
      expect(applied.status).toBe(201);
      return { jobId: String(job.id), jobTitle, applicationId: applied.body.id as string, applicant };
    }

    test('staff land on Today after sign-in: their jobs with running applications per stage, and those waiting past their SLA', async () => {
      const owner = await stack.user('recruiter');
      const { jobTitle, applicationId: waiting } = await jobWithApplicant(owner, 'Grace Today');
      // Four days in its stage, past the default three-day SLA: as if it had applied then.
      const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000).toISOString();
      const em = stack.services.orm.em.fork();
      await em.execute('update stage_events set at = ? where application_id = ?', [fourDaysAgo, waiting], 'run');
      await em.execute('update applications set updated_at = ? where id = ?', [fourDaysAgo, waiting], 'run');
      const page = await newPage();
      await signIn(page, owner.user.email, owner.password);
      await page.getByRole('heading', { name: 'Today' }).waitFor();
      const counts = page.locator('[data-section="my-jobs"]').getByRole('list', { name: `Running applications of ${jobTitle}` });
      await expect(counts.locator('[data-stage="applied"]').innerText()).resolves.toBe('applied: 1');
      await expect(counts.locator('[data-stage="interview"]').innerText()).resolves.toBe('interview: 0');
      await expect(page.getByRole('link', { name: foreignTitle }).count()).resolves.toBe(0);
      await page.locator('[data-section="decisions"] h2').waitFor();
      await page
        .locator(`[data-section="over-sla"] [data-application="${waiting}"]`, { hasText: `Grace Today · ${jobTitle} · applied for 4 days` })
        .waitFor();
      await scan(page, 'today');
    });

    test('the board has the columns of the job’s own pipeline, and a card dragged onto one is there in the API', async () => {
      const owner = await stack.user('recruiter');
      const job = await createJob(stack, owner.user.id);
      const published = await stack.http('PUT', `/api/jobs/${job.id}/pipeline`, {
        token: owner.token,
        body: {
          stages: [
            { id: 'applied', name: 'Applied', kind: 'applied' },
            { id: 'tech-screen', name: 'Technical screen', kind: 'screening' },
            { id: 'onsite', name: 'On-site', kind: 'interview' },
            { id: 'hired', name: 'Hired', kind: 'hired' },
          ],
        },
      });
      expect(published.status).toBe(200);
      const applicant = await stack.user('candidate', { fullName: 'Dorothy Drag' });
      const dragged = (await stack.http('POST', `/api/jobs/${job.id}/apply`, { token: applicant.token, body: {} })).body.id as string;
      const page = await newPage();
      await signIn(page, owner.user.email, owner.password);
      await page.goto(`${stack.url}/app/recruiter/jobs/${job.id}/board`);
      const card = (stage: string) => page.locator(`section[data-stage="${stage}"] [data-card="${dragged}"]`);
      await expect(card('applied').getByRole('heading').innerText()).resolves.toBe('Dorothy Drag');
      await expect(page.locator('section[data-stage] h2').allTextContents()).resolves.toEqual([
        'Applied (1)',
        'Technical screen (0)',
        'On-site (0)',
        'Hired (0)',
        'rejected (0)',
      ]);
      await card('applied').dragTo(page.locator('section[data-stage="tech-screen"]'));
      await card('tech-screen').waitFor();
      await expect(card('tech-screen').getByRole('alert').innerText()).resolves.toBe('Moved from applied to tech-screen.');
      expect((await stack.http('GET', `/api/applications/${dragged}`, { token: owner.token })).body.stage).toBe('tech-screen');
      // → follows this pipeline too.
      await card('tech-screen').focus();
      await page.keyboard.press('ArrowRight');
      await card('onsite').waitFor();
      expect((await stack.http('GET', `/api/applications/${dragged}`, { token: owner.token })).body.stage).toBe('onsite');
      await scan(page, 'pipeline board of a custom pipeline');
    });

    test('the notes panel adds a note, and its author deletes it', async () => {
      const owner = await stack.user('recruiter');
      const { applicationId: noted } = await jobWithApplicant(owner, 'Nora Notes');
      const page = await newPage();
      await signIn(page, owner.user.email, owner.password);
      await page.goto(`${stack.url}/app/applications/${noted}`);
      await page.getByRole('heading', { name: 'Notes', exact: true }).waitFor();
      await page.getByLabel('New note').fill('Strong on system design.');
      await page.getByRole('button', { name: 'Add note' }).click();
      const note = page.locator('[data-note]', { hasText: 'Strong on system design.' });
      await note.waitFor();
      await expect(note.locator('.meta').innerText()).resolves.toMatch(/^You,/);
      await scan(page, 'application page with notes');
      const listed = await stack.http('GET', `/api/applications/${noted}/notes`, { token: owner.token });
      expect(listed.body.items).toMatchObject([{ body: 'Strong on system design.', author: { id: String(owner.user.id) } }]);

      await note.getByRole('button', { name: /Delete note/ }).click();
      await note.waitFor({ state: 'detached' });
      expect((await stack.http('GET', `/api/applications/${noted}/notes`, { token: owner.token })).body.items).toEqual([]);
    });

    test('a hiring manager on the team sees names and notes but no stage controls and no job edits', async () => {
      const owner = await stack.user('recruiter');
      const { jobId: hmJob, jobTitle, applicationId: judged } = await jobWithApplicant(owner, 'Hedy Manager');
      const manager = await stack.user('hiring_manager');
      const added = await stack.http('POST', `/api/jobs/${hmJob}/team`, {
        token: owner.token,
        body: { userId: manager.user.id, teamRole: 'hiring_manager' },
      });
      expect(added.status).toBe(201);
      const page = await newPage();
      await signIn(page, manager.user.email, manager.password);
      await page.getByRole('heading', { name: 'Today' }).waitFor();
      await page.getByRole('link', { name: 'Manage jobs' }).click();
      await page.getByRole('heading', { name: jobTitle }).waitFor();
      await expect(page.getByRole('button', { name: 'New job' }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: `Edit ${jobTitle}` }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: `Close ${jobTitle}` }).count()).resolves.toBe(0);

      await page.getByRole('link', { name: `Pipeline board for ${jobTitle}` }).click();
      const card = page.locator(`section[data-stage="applied"] [data-card="${judged}"]`);
      await expect(card.getByRole('heading').innerText()).resolves.toBe('Hedy Manager');
      await expect(card.getByLabel('Move to').count()).resolves.toBe(0);
      await expect(card.getAttribute('draggable')).resolves.not.toBe('true');
      await card.focus();
      await page.keyboard.press('ArrowRight');
      await scan(page, 'pipeline board for a hiring manager');

      await card.getByRole('link').click();
      await page.getByRole('heading', { name: 'Notes', exact: true }).waitFor();
      await expect(page.getByRole('button', { name: 'Reject application' }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Schedule interview' }).count()).resolves.toBe(0);
      expect((await stack.http('GET', `/api/applications/${judged}`, { token: owner.token })).body.stage).toBe('applied');
    });

    test('a recruiter puts a hiring manager on the hiring team from the board, by the id the Users page shows, and takes them off again', async () => {
      const owner = await stack.user('recruiter', { fullName: 'Owen Owner' });
      const { jobId: teamJob } = await jobWithApplicant(owner, 'Tina Team');
      const manager = await stack.user('hiring_manager', { fullName: 'Maya Manager' });
      const adminPage = await newPage();
      await signIn(adminPage, admin.user.email, admin.password);
      await adminPage.getByRole('link', { name: 'Users' }).click();
      await adminPage
        .getByRole('row', { name: new RegExp(manager.user.email) })
        .getByRole('cell', { name: String(manager.user.id), exact: true })
        .waitFor();

      const page = await newPage();
      await signIn(page, owner.user.email, owner.password);
      await page.goto(`${stack.url}/app/recruiter/jobs/${teamJob}/board`);
      const team = page.getByRole('list', { name: 'Hiring team' });
      await team.getByText('Owen Owner').waitFor();
      await expect(team.getByRole('button', { name: /Remove Owen Owner/ }).count()).resolves.toBe(0);
      await page.getByLabel('User id').fill(String(manager.user.id));
      await page.getByLabel('Team role').selectOption('hiring_manager');
      await page.getByRole('button', { name: 'Add to the team' }).click();
      await team.getByText('Maya Manager', { exact: false }).waitFor();
      await expect(page.locator('section[aria-labelledby="team"] [role="alert"]').count()).resolves.toBe(0);
      await scan(page, 'pipeline board with its hiring team');
      const members = async () =>
        (await stack.http('GET', `/api/jobs/${teamJob}/team`, { token: owner.token })).body.items.map(
          (m: { id: string; teamRole: string }) => `${m.id}:${m.teamRole}`,
        );
      await expect(members()).resolves.toContain(`${manager.user.id}:hiring_manager`);

      // The manager reads the team, and may change nothing on it.
      const managerPage = await newPage();
      await signIn(managerPage, manager.user.email, manager.password);
      await managerPage.goto(`${stack.url}/app/recruiter/jobs/${teamJob}/board`);
      await managerPage.getByRole('list', { name: 'Hiring team' }).getByText('Owen Owner').waitFor();
      await expect(managerPage.getByRole('button', { name: 'Add to the team' }).count()).resolves.toBe(0);
      await expect(managerPage.getByRole('button', { name: /^Remove/ }).count()).resolves.toBe(0);

      await team.getByRole('button', { name: 'Remove Maya Manager from the team' }).click();
      await team.getByText('Maya Manager').waitFor({ state: 'detached' });
      await expect(members()).resolves.not.toContain(`${manager.user.id}:hiring_manager`);
    });

    /** A `datetime-local` value for a time `hours` from now, on the hour (the browser and this process share a time zone). */
    function localInput(hours: number): string {
      const d = new Date(Date.now() + hours * 3_600_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:00`;
    }

    test('a recruiter schedules an interview from the application page with a teammate as interviewer; the candidate sees when and where; it is moved, then cancelled', async () => {
      const owner = await stack.user('recruiter');
      const { jobId: ivJob, applicationId: interviewed, applicant } = await jobWithApplicant(owner, 'Ida Interview');
      const manager = await stack.user('hiring_manager', { fullName: 'Hal Manager' });
      expect((await stack.http('POST', `/api/jobs/${ivJob}/team`, { token: owner.token, body: { userId: manager.user.id } })).status).toBe(
        201,
      );
      const page = await newPage();
      await signIn(page, owner.user.email, owner.password);
      await page.goto(`${stack.url}/app/applications/${interviewed}`);
      await page.getByRole('heading', { name: 'Schedule an interview' }).waitFor();
      const [startsAt, endsAt] = [localInput(26), localInput(27)];
      await page.getByLabel('Interview title').fill('System design');
      await page.getByLabel('Starts').fill(startsAt);
      await page.getByLabel('Ends').fill(endsAt);
      await page.getByLabel('Location').fill('Room 4');
      await page.getByRole('checkbox', { name: /Hal Manager/ }).check();
      await scan(page, 'scheduling an interview');
      await page.getByRole('button', { name: 'Schedule interview' }).click();
      const listed = page.locator('[data-interview]', { hasText: 'System design' });
      await expect(listed.getByTestId('interview-status').innerText()).resolves.toBe('scheduled');
      await expect(listed.innerText()).resolves.toContain('Hal Manager');

      const interviews = (await stack.http('GET', `/api/applications/${interviewed}/interviews`, { token: owner.token })).body.items;
      expect(interviews).toHaveLength(1);
      expect(interviews[0]).toMatchObject({ title: 'System design', location: 'Room 4', status: 'scheduled' });
      expect(Date.parse(interviews[0].startsAt)).toBe(new Date(startsAt).getTime());
      expect(Date.parse(interviews[0].endsAt)).toBe(new Date(endsAt).getTime());
      expect(interviews[0].interviewers.map((i: { id: string }) => String(i.id))).toEqual([String(manager.user.id)]);

      // The candidate sees when and where, not who.
      const candidatePage = await newPage();
      await signIn(candidatePage, applicant.user.email, applicant.password);
      await candidatePage.getByRole('link', { name: 'My applications' }).click();
      const theirs = candidatePage.locator(`[data-application="${interviewed}"] [data-interview]`);
      await expect(theirs.getByTestId('interview-status').innerText()).resolves.toBe('scheduled');
      await expect(theirs.innerText()).resolves.toContain('Room 4');
      await expect(theirs.innerText()).resolves.not.toContain('Hal Manager');
      await scan(candidatePage, 'my applications with an interview');

      // Moved a day on, then called off.
      const [movedStart, movedEnd] = [localInput(50), localInput(51)];
      await listed.getByRole('button', { name: 'Reschedule System design' }).click();
      await listed.getByLabel('New start').fill(movedStart);
      await listed.getByLabel('New end').fill(movedEnd);
      await scan(page, 'rescheduling an interview');
      await listed.getByRole('button', { name: 'Save new time' }).click();
      await page.getByText('Rescheduled System design.').waitFor();
      const moved = (await stack.http('GET', `/api/applications/${interviewed}/interviews`, { token: owner.token })).body.items[0];
      expect([Date.parse(moved.startsAt), Date.parse(moved.endsAt)]).toEqual([
        new Date(movedStart).getTime(),
        new Date(movedEnd).getTime(),
      ]);
      expect(moved.location).toBe('Room 4');
      await listed.getByRole('button', { name: 'Cancel interview System design' }).click();
      await page.getByText('Cancelled System design.').waitFor();
      await expect(listed.getByTestId('interview-status').innerText()).resolves.toBe('cancelled');
      await expect(listed.getByRole('button', { name: /Reschedule/ }).count()).resolves.toBe(0);
      expect((await stack.http('GET', `/api/applications/${interviewed}/interviews`, { token: owner.token })).body.items[0].status).toBe(
        'cancelled',
      );
    });

    test('scheduling an interview on the application page updates its evaluation and the interviewers to pick from', async () => {
      const owner = await stack.user('recruiter');
      const { applicationId: evaluated } = await jobWithApplicant(owner, 'Eve Evaluated');
      const outsider = await stack.user('hiring_manager', { fullName: 'Otto Outside' });
      const page = await newPage();
      await signIn(page, owner.user.email, owner.password);
      await page.goto(`${stack.url}/app/applications/${evaluated}`);
      const evaluation = page.getByTestId('evaluation');
      await expect(evaluation.locator('p').first().innerText()).resolves.toBe('0 interviews · 0 scorecards in · 0 due');
      await expect(page.getByRole('checkbox', { name: /Otto Outside/ }).count()).resolves.toBe(0);
      await page.getByLabel('Interview title').fill('Pairing');
      await page.getByLabel('Starts').fill(localInput(30));
      await page.getByLabel('Ends').fill(localInput(31));
      await page.getByLabel('Or add interviewers by user id').fill(String(outsider.user.id));
      await page.getByRole('button', { name: 'Schedule interview' }).click();
      await page.getByText('Scheduled Pairing.').waitFor();
      // What the API now says, without a reload: one interview, its scorecard due, the new interviewer on the team.
      await page.getByTestId('evaluation').getByText('1 interview · 0 scorecards in · 1 due').waitFor();
      await page.getByRole('checkbox', { name: 'Otto Outside (interviewer)' }).waitFor();
      expect((await stack.http('GET', `/api/applications/${evaluated}`, { token: owner.token })).body.evaluation).toMatchObject({
        interviews: 1,
        scorecardsDue: 1,
      });
    });

    // The application whose one interview the next test scores, for the test after it to decide.
    let scoredJob: Awaited<ReturnType<typeof jobWithApplicant>> & { owner: Awaited<ReturnType<TestStack['user']>> };

    test('an interviewer owes a scorecard on Today and submits it from My interviews', async () => {
      const owner = await stack.user('recruiter');
      scoredJob = { owner, ...(await jobWithApplicant(owner, 'Sam Scored')) };
      const scored = scoredJob.applicationId;
      const interviewer = await stack.user('hiring_manager', { fullName: 'Ivy Interviewer' });
      // It must start in the future when scheduled, and be over (a scorecard owed) when the interviewer looks.
      const soon = Date.now() + 4_000;
      const scheduled = await stack.http('POST', `/api/applications/${scored}/interviews`, {
        token: owner.token,
        body: {
          title: 'Pairing',
          startsAt: new Date(soon).toISOString(),
          endsAt: new Date(soon + 1_000).toISOString(),
          interviewerIds: [String(interviewer.user.id)],
        },
      });
      expect(scheduled.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, soon + 1_500 - Date.now())));

      const page = await newPage();
      await signIn(page, interviewer.user.email, interviewer.password);
      await page.locator('[data-section="owed"]').getByRole('link', { name: 'Pairing' }).click();
      const card = page.locator(`[data-interview="${scheduled.body.id}"]`);
      await card.getByRole('heading', { name: 'Pairing with Sam Scored' }).waitFor();
      await card.getByRole('radio', { name: 'Strong yes' }).check();
      await card.getByRole('button', { name: 'Add attribute' }).click();
      // The link-styled "Remove" reads on the white card: not in the white of the filled buttons.
      const removeColor = await card
        .getByRole('button', { name: 'Remove attribute 1' })
        .evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(b).color);
      expect(removeColor).not.toBe('rgb(255, 255, 255)');
      await card.getByLabel('Name').fill('Problem solving');
      await card.getByLabel('Rating (1–4)').selectOption('4');
      await card.getByLabel('Note', { exact: true }).fill('Clear and quick');
      await card.getByLabel('Notes').fill('Would hire.');
      await scan(page, 'my interviews');
      await card.getByRole('button', { name: 'Submit scorecard' }).click();
      await card.locator('[data-scorecard]', { hasText: 'You: Strong yes' }).waitFor();
      await scan(page, 'my interviews with scorecards');
      if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'webapp-interviews.png'), fullPage: true });

      const cards = (await stack.http('GET', `/api/applications/${scored}/scorecards`, { token: owner.token })).body.items;
      expect(cards).toMatchObject([
        {
          recommendation: 'strong_yes',
          attributes: [{ name: 'Problem solving', rating: 4, note: 'Clear and quick' }],
          notes: 'Would hire.',
          author: { id: String(interviewer.user.id) },
        },
      ]);

      // Changing it starts from the one sent, and replaces it.
      await card.getByRole('button', { name: /Change your scorecard/ }).click();
      await expect(card.getByRole('radio', { name: 'Strong yes' }).isChecked()).resolves.toBe(true);
      await expect(card.getByLabel('Name').inputValue()).resolves.toBe('Problem solving');
      await card.getByRole('radio', { name: 'Yes', exact: true }).check();
      await card.getByRole('button', { name: 'Submit scorecard' }).click();
      await card.locator('[data-scorecard]', { hasText: 'You: Yes' }).waitFor();
      const replaced = (await stack.http('GET', `/api/applications/${scored}/scorecards`, { token: owner.token })).body.items;
      expect(replaced).toMatchObject([
        { recommendation: 'yes', attributes: [{ name: 'Problem solving', rating: 4 }], notes: 'Would hire.' },
      ]);
    });

    test('a decision waits for the recruiter: on Today, in the evaluation, and under the board’s Needs decision filter', async () => {
      const { owner, jobId: scJob, jobTitle, applicationId: scored } = scoredJob;
      const recruiterPage = await newPage();
      await signIn(recruiterPage, owner.user.email, owner.password);
      const decision = recruiterPage.locator('[data-section="decisions"]').getByRole('link', { name: 'Sam Scored' });
      await decision.waitFor();
      if (SCREENSHOT_DIR) await recruiterPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'webapp-today.png'), fullPage: true });
      await decision.click();
      const evaluation = recruiterPage.getByTestId('evaluation');
      await expect(evaluation.locator('[data-recommendation="yes"]').innerText()).resolves.toBe('Yes: 1');
      await expect(evaluation.locator('[data-recommendation="strong_yes"]').innerText()).resolves.toBe('Strong yes: 0');
      await scan(recruiterPage, 'application page with its evaluation');
      if (SCREENSHOT_DIR) await recruiterPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'webapp-application.png'), fullPage: true });
      await expect(evaluation.innerText()).resolves.toContain('Needs decision');
      await recruiterPage.goto(`${stack.url}/app/recruiter/jobs/${scJob}/board`);
      await recruiterPage.getByRole('heading', { name: `Pipeline: ${jobTitle}` }).waitFor();
      await recruiterPage.getByLabel('Needs decision').check();
      await recruiterPage.locator(`[data-card="${scored}"]`, { hasText: 'Needs decision' }).waitFor();
    });

    test('no page made a third-party request, broke its CSP or threw, and axe found nothing serious', () => {
      expect(axeFindings).toEqual(Object.fromEntries(Object.keys(axeFindings).map((k) => [k, []])));
      expect(Object.keys(axeFindings).length).toBeGreaterThanOrEqual(8);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    });
  },
);
