/**
 * The Callbacks tab in Chromium on the real app: an agent sees today's callbacks by slot in the
 * bank's time zone, the started ones highlighted, takes one and records it done with a note,
 * records another missed (the client has no chat conversation, so the page says they could not
 * be told), and a client's markup in a topic shows as text.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { AGENT } from '../support/consoleClient';
import { ARTIFACTS, launchChromium, signInToConsole, type Chromium } from '../support/browser';
import type { ConsoleParts } from '../../bot/console/consoleComposition';
import type { CallbackDeskRepository, CallbackRepository } from '../../services/callbacks/callbackRepository';

const RISKY_TOPIC = 'Rates <img src=x onerror="window.__xss=1">';
const WAIT = { timeout: 20000 };
const SLOT_MS = 30 * 60_000;

describe('Callbacks page in a real browser', () => {
  let running: RunningApp;
  let browser: Chromium;
  let page: Page;
  let repository: CallbackRepository & CallbackDeskRepository;
  const refs = { started: 'CBK-20261129-A2AA', risky: 'CBK-20261129-B2AA', cancelled: 'CBK-20261129-C2AA' };

  beforeAll(async () => {
    running = await startApp({ storage: 'services' });
    await (running.app.parts.console as ConsoleParts).staffService.create(AGENT);
    repository = running.app.parts.callbackRepository as CallbackRepository & CallbackDeskRepository;
    // The slot the clock is in now (Shanghai is a whole number of hours from UTC, so slots line up): it has started, so it is due.
    const slotStart = new Date(Math.floor(Date.now() / SLOT_MS) * SLOT_MS);
    const seed = (reference: string, extra: { topic: string; language: 'zh-CN' | 'en'; phone: string }) => repository.book({
      reference, channelId: 'directline', userId: `u-${reference}`, conversationId: `c-${reference}`, slotStart,
      createdAt: new Date(slotStart.getTime() - 86_400_000), reminderDueAt: new Date(slotStart.getTime() - SLOT_MS), ...extra,
    }, 5);
    await seed(refs.started, { topic: 'repayment', language: 'zh-CN', phone: '+8613812345678' });
    await seed(refs.risky, { topic: RISKY_TOPIC, language: 'en', phone: '+8613900001111' });
    await seed(refs.cancelled, { topic: 'other', language: 'zh-CN', phone: '+8613700002222' });
    await repository.cancel(refs.cancelled, new Date());

    browser = await launchChromium({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    page = browser.page;
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const row = (reference: string) => page.locator(`[data-testid=callback-table] tbody tr[data-reference="${reference}"]`);

  test('When an agent opens Callbacks, then today\'s calls show by slot with phone and language, the started ones highlighted, client text as text', async () => {
    await signInToConsole(page, running.baseUrl, AGENT, 'en');
    await page.click('#tabs a[data-tab=callbacks]');
    await row(refs.cancelled).waitFor(WAIT);
    expect(await page.locator('[data-testid=callback-table] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid=callback-zone]').textContent()).toContain('Asia/Shanghai');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect(await page.inputValue('[data-testid=callback-day]')).toBe(today);

    const started = row(refs.started);
    expect(await started.getAttribute('class')).toContain('due-now');
    expect(await started.innerText()).toMatch(/Repayment[\s\S]*\+8613812345678[\s\S]*Chinese[\s\S]*Booked[\s\S]*Due now[\s\S]*Nobody yet/);
    expect(await row(refs.risky).locator('td').nth(2).textContent()).toBe(RISKY_TOPIC);
    expect(await row(refs.risky).innerText()).toContain('English');
    expect((await row(refs.cancelled).getAttribute('class')) ?? '').not.toContain('due-now');
    expect(await row(refs.cancelled).innerText()).toContain('Cancelled by the client');
    expect(await row(refs.cancelled).locator('button').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#callbacks-page img').count()).toBe(0);
  }, 60000);

  test('When the agent takes a callback and records it done with a note, then the row says done by them and the store agrees', async () => {
    await row(refs.started).locator('[data-testid=callback-take]').click();
    await row(refs.started).locator('td', { hasText: 'You (李娜)' }).waitFor(WAIT);
    expect(await page.locator('[data-testid=callback-notice]').textContent()).toContain(refs.started);
    expect(await row(refs.started).locator('[data-testid=callback-take]').count()).toBe(0);

    await row(refs.started).locator('[data-testid=callback-done]').click();
    await page.fill('[data-testid=callback-note]', 'Agreed the new repayment plan <b>today</b>');
    await page.click('[data-testid=callback-confirm]');
    await page.locator(`[data-testid=callback-table] tbody tr[data-reference="${refs.started}"][data-status=done]`).waitFor(WAIT);
    expect(await row(refs.started).innerText()).toContain('Agreed the new repayment plan <b>today</b>');
    expect((await row(refs.started).getAttribute('class')) ?? '').not.toContain('due-now');
    expect(await page.locator('[data-testid=callback-notice]').textContent()).toBe(`Callback ${refs.started} is recorded as done.`);
    const stored = await repository.findByReference(refs.started);
    expect(stored).toMatchObject({ status: 'done', assignee: { displayName: '李娜' }, outcome: { outcome: 'done', note: 'Agreed the new repayment plan <b>today</b>', by: { displayName: '李娜' } } });
  }, 60000);

  test('When the agent records a missed call without a note, then the page asks why; with one, it is missed and says the client could not be told by chat', async () => {
    await row(refs.risky).locator('[data-testid=callback-missed]').click();
    await page.click('[data-testid=callback-confirm]');
    expect(await row(refs.risky).getAttribute('data-status')).toBe('booked');
    await page.fill('[data-testid=callback-note]', 'No answer twice');
    await page.click('[data-testid=callback-confirm]');
    await page.locator(`[data-testid=callback-table] tbody tr[data-reference="${refs.risky}"][data-status=missed]`).waitFor(WAIT);
    expect(await page.locator('[data-testid=callback-notice]').textContent()).toContain('could not be reached');
    expect((await repository.findByReference(refs.risky))?.outcome).toMatchObject({ outcome: 'missed', note: 'No answer twice' });

    await page.check('[data-testid=callback-due]');
    await page.locator('#callback-empty').waitFor({ state: 'visible', ...WAIT });
    await page.selectOption('#language', 'zh-CN');
    await page.uncheck('[data-testid=callback-due]');
    await row(refs.started).locator('td', { hasText: '已回电' }).waitFor(WAIT);
    expect(await page.locator('#tabs a[data-tab=callbacks]').textContent()).toBe('预约回电');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-callbacks.png'), fullPage: true });
    expect(browser.pageErrors).toEqual([]);
  }, 60000);
});
