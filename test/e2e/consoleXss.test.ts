import path from 'node:path';
import type { Connection } from 'mongoose';
import { startApp, type RunningApp } from '../support/appHarness';
import { ADMIN_ENV, AGENT, addStaff } from '../support/consoleClient';
import { ARTIFACTS, launchChromium, signInToConsole, type Chromium } from '../support/browser';
import { allHoursDesk, type AllHoursDesk } from '../support/allHoursDesk';

const PAYLOADS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>', '<svg onload="window.__xss=3">'];

describe('Staff console in a real browser: client text is shown as text', () => {
  let running: RunningApp;
  let desking: AllHoursDesk;
  let browser: Chromium;
  const dialogs: string[] = [];

  beforeAll(async () => {
    running = await startApp({ storage: 'services', env: ADMIN_ENV });
    desking = allHoursDesk(running.app.parts.mongo as Connection);
    running.app.parts.handoff = desking.desk;
    await addStaff(running.baseUrl, [AGENT]);
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    browser.page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
  }, 60000);
  afterAll(async () => {
    await browser?.close();
    await desking?.close();
    await running?.stop();
  });

  test('When a client sends <img src=x onerror=...> and other markup, then the console shows it literally and no script runs', async () => {
    const { page } = browser;
    await signInToConsole(page, running.baseUrl, AGENT, 'en');

    const request = await desking.desk.requestHandoff({ channelId: 'directline', conversationId: `xss-${Date.now()}`, userId: 'u-xss', language: 'en', reason: 'client_request', detail: PAYLOADS[0] });
    expect(request.queued).toBe(true);
    const claim = page.locator('[data-testid=queue] tbody tr [data-testid=claim]').first();
    await claim.click({ timeout: 10000 });
    await page.waitForSelector('[data-testid=reply-text]', { state: 'visible' });
    const caseId = (await desking.desk.listActive()).at(0)!.caseId;
    for (const payload of PAYLOADS) await desking.desk.recordClientMessage(caseId, payload);

    const transcript = page.locator('[data-testid=transcript] li.client .text');
    await transcript.nth(PAYLOADS.length - 1).waitFor({ timeout: 10000 });
    expect(await transcript.allTextContents()).toEqual(PAYLOADS);
    expect(await page.locator('[data-testid=case-summary]').textContent()).toContain(PAYLOADS[0]);
    // Give any injected handler (image error, svg load) time to fire, then check nothing did.
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('[data-testid=conversation] img, [data-testid=conversation] svg, [data-testid=conversation] script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-xss.png'), fullPage: true });
  }, 60000);
});
