import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { describeWithJaegerUi, startTracedSystem, tracedStageChange, waitForTrace, type TracedSystem } from '../support/traced-system';

/** In Jaeger's UI, a stage change's trace shows its spans in the API, the worker and the notifier. */
describeWithJaegerUi('a stage change in the Jaeger UI', () => {
  let system: TracedSystem;
  let browser: Browser;
  beforeAll(async () => {
    system = await startTracedSystem();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  }, 30_000);

  test('the trace page lists ats-api, ats-worker and ats-notifier, and the request span by its route', async () => {
    const { requestId } = await tracedStageChange(system.api);
    const spans = await waitForTrace(system.jaeger, requestId, ['ats-api', 'ats-worker', 'ats-notifier']);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['ats-api', 'ats-worker', 'ats-notifier']));
    const page = await browser.newPage();
    try {
      await page.goto(`${system.jaeger}/trace/${spans[0].traceID}`);
      for (const service of ['ats-api', 'ats-worker', 'ats-notifier'])
        await page.getByText(service, { exact: true }).first().waitFor({ timeout: 20_000 });
      await page.getByText('PATCH /api/applications/:id/stage').first().waitFor({ timeout: 5_000 });
      await page.getByText('HandleUpdate:changeStage').first().waitFor({ timeout: 5_000 });
    } finally {
      await page.close();
    }
  }, 90_000);
});
