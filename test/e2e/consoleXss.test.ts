import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { ConsoleClient } from '../support/consoleClient';
import { allHoursDesk, type AllHoursDesk } from '../support/allHoursDesk';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADMIN = { email: 'admin@rapport.test', password: 'Adm1n-Correct-Horse' };
const AGENT = { email: 'li.na@rapport.test', password: 'Agent-Battery-Staple-7', displayName: '李娜', role: 'agent' };
const PAYLOADS = ['<img src=x onerror="window.__xss=1">', '<script>window.__xss=2</script>', '<svg onload="window.__xss=3">'];

describe('Staff console in a real browser: client text is shown as text', () => {
  let running: RunningApp;
  let desking: AllHoursDesk;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    running = await startApp({ storage: 'services', env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
    desking = allHoursDesk(running.app.parts.mongo as Connection);
    running.app.parts.handoff = desking.desk;
    const admin = new ConsoleClient(running.baseUrl);
    await admin.login(ADMIN.email, ADMIN.password);
    expect((await admin.call('POST', '/api/console/staff', AGENT)).status).toBe(201);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = context.pages()[0] ?? await context.newPage();
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
  }, 60000);
  afterAll(async () => {
    await context?.close();
    await desking?.close();
    await running?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  test('When a client sends <img src=x onerror=...> and other markup, then the console shows it literally and no script runs', async () => {
    await page.goto(`${running.baseUrl}/console`);
    await page.selectOption('#language', 'en');
    await page.fill('#email', AGENT.email);
    await page.fill('#password', AGENT.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('[data-testid=signed-in]:has-text("李娜")');

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
