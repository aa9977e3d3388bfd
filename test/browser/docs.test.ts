import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { seedSampleData } from '../../src/accounts/seed';
import { startStack, type TestStack } from '../support/stack';
import { CHROMIUM, launchChromium } from '../support/chromium';

const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`Skipping the Swagger UI browser test: ${CHROMIUM} does not exist (apt-get install chromium).`);

(hasChromium ? describe : describe.skip)(
  `Swagger UI at /docs in headless Chromium${hasChromium ? '' : ' (skipped: no /usr/bin/chromium)'}`,
  () => {
    let stack: TestStack;
    let browser: Browser;
    let title: string;
    let recruiter: { email: string; password: string };

    beforeAll(async () => {
      stack = await startStack();
      ({ recruiter } = await seedSampleData(stack.services));
      const login = await stack.http('POST', '/api/auth/login', { body: recruiter });
      title = `Docs Engineer ${randomUUID().slice(0, 8)}`;
      // A draft: the public job board does not show it, so only a signed-in recruiter sees it.
      const created = await stack.http('POST', '/api/jobs', {
        token: login.body.access_token,
        body: { title, company: 'SwaggerCo', status: 'draft' },
      });
      expect(created.status).toBe(201);
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    test('authorize through the dialog, then try GET /api/jobs: the draft job appears only once signed in', async () => {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(`${stack.url}/docs`);

      // Anonymous first: the public job board answers, without the draft, so seeing it below is the dialog's doing.
      const jobs = page.locator('#operations-Jobs-get_api_jobs');
      await jobs.locator('.opblock-summary-control').click();
      await jobs.getByRole('button', { name: 'Try it out' }).click();
      await jobs.getByRole('button', { name: 'Execute' }).click();
      const status = jobs.locator('.live-responses-table .response .response-col_status');
      await status.first().waitFor();
      expect((await status.first().innerText()).trim()).toBe('200');
      const anonymous = await jobs.locator('.live-responses-table .response-col_description pre').first().innerText();
      expect(anonymous).toContain('Backend Developer');
      expect(anonymous).not.toContain(title);

      // The OAuth2 password flow: Swagger UI posts the form to /api/auth/login and keeps the token.
      await page.locator('.scheme-container button.authorize').click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('#oauth_username').fill(recruiter.email);
      await dialog.locator('#oauth_password').fill(recruiter.password);
      await dialog.locator('.auth-btn-wrapper button.authorize').click();
      await dialog.locator('button', { hasText: 'Logout' }).waitFor();
      await dialog.locator('button.btn-done').click();

      await jobs.getByRole('button', { name: 'Execute' }).click();
      await jobs.locator('.live-responses-table .response-col_description pre', { hasText: title }).waitFor();
      const body = await jobs.locator('.live-responses-table .response-col_description pre').first().innerText();
      expect(body).toContain(title);
      expect(body).toContain('Backend Developer');
      expect(pageErrors).toEqual([]);
    });
  },
);
