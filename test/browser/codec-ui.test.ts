import type { Browser } from 'playwright-core';
import { startStack, type TestStack } from '../support/stack';
import { bundleWorkflows, createJob } from '../support/applications';
import { CODEC_COOKIE } from '../../src/http/routes/codec.routes';
import { launchChromium } from '../support/chromium';

/**
 * A recruiter reads an application's input in the Temporal Web UI through the API's codec endpoint:
 * the UI's codec setting points at the API, cross-origin credentials on, and the session cookie of
 * `POST /codec/session` authenticates the UI's `/decode` calls.
 */
describe('the Temporal Web UI through the codec endpoint', () => {
  let stack: TestStack;
  let browser: Browser;
  let workflowUrl: string;
  let coverLetter: string;
  let sessionCookie: string;

  beforeAll(async () => {
    stack = await startStack({}, { worker: { workflowBundle: await bundleWorkflows() } });
    browser = await launchChromium();
    const recruiter = await stack.user('recruiter');
    const candidate = await stack.user('candidate');
    const jobId = String((await createJob(stack, recruiter.user.id)).id);
    coverLetter = `Readable only through the codec ${Math.random().toString(36).slice(2)}`;
    const applied = await stack.http('POST', `/api/jobs/${jobId}/apply`, { token: candidate.token, body: { coverLetter } });
    expect(applied.status).toBe(201);
    workflowUrl = applied.body.workflowUrl;
    const session = await stack.http('POST', '/codec/session', { token: recruiter.token });
    expect(session.status).toBe(204);
    sessionCookie = /ats_codec_session=([^;]+)/.exec(session.headers.get('set-cookie') ?? '')![1];
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function inputShown(withSession: boolean): Promise<string> {
    const context = await browser.newContext();
    try {
      if (withSession) await context.addCookies([{ name: CODEC_COOKIE, value: sessionCookie, url: `${stack.url}/codec` }]);
      // The UI's own codec settings, as a recruiter sets them in its "Codec Server" dialog.
      const endpoint = `${stack.url}/codec`;
      await context.addInitScript((url) => {
        localStorage.setItem('endpoint', JSON.stringify(url));
        localStorage.setItem('includeCredentials', 'true');
        localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
      }, endpoint);
      const page = await context.newPage();
      const decodes: number[] = [];
      page.on('response', (res) => {
        if (res.url().startsWith(`${endpoint}/decode`)) decodes.push(res.status());
      });
      await page.goto(workflowUrl);
      await page.getByText('Input', { exact: true }).first().waitFor({ state: 'attached', timeout: 20_000 });
      // The input section (collapsed or not) holds the decoded value once the UI's decode calls returned.
      const deadline = Date.now() + 15_000;
      let text = '';
      while (Date.now() < deadline) {
        text = (await page.locator('body').textContent()) ?? '';
        if (text.includes(coverLetter) || decodes.length) break;
        await page.waitForTimeout(250);
      }
      await page.waitForTimeout(1000);
      text = (await page.locator('body').textContent()) ?? '';
      return `${text}\n[decode statuses: ${decodes.join(',')}]`;
    } finally {
      await context.close();
    }
  }

  test("with a recruiter's session the workflow's input shows the cover letter; without one it does not", async () => {
    const signedIn = await inputShown(true);
    expect(signedIn).toContain(coverLetter);
    const anonymous = await inputShown(false);
    expect(anonymous).not.toContain(coverLetter);
    expect(anonymous).toContain('[decode statuses: 401');
  }, 90_000);
});
