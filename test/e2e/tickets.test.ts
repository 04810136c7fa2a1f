/**
 * The Complaints page in Chromium on the real app: an agent opens the tab, sees complaints
 * soonest due first with the overdue one highlighted, filters to overdue ones, opens one,
 * is stopped from resolving without a note, takes it, resolves it with a note and sees the
 * history (with "client not notified": this client's chat was never seen by the bot), then in
 * Chinese. Markup in the client's description is shown as text.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { AGENT } from '../support/consoleClient';
import { ARTIFACTS, launchChromium, signInToConsole, type Chromium } from '../support/browser';
import type { ConsoleParts } from '../../bot/console/consoleComposition';
import type { NewTicket, TicketRepository } from '../../services/tickets/ticketRepository';

const RISKY = 'Fee charged twice <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>';
const WAIT = { timeout: 20000 };
const DAY = 24 * 60 * 60 * 1000;

describe('Complaints page in a real browser', () => {
  let running: RunningApp;
  let browser: Chromium;
  let page: Page;
  const refs = { overdue: 'CMP-20261125-AAAA', due: 'CMP-20261128-BBBB', done: 'CMP-20261120-CCCC' };
  let dueAt: Date;

  beforeAll(async () => {
    running = await startApp({ storage: 'services' });
    await (running.app.parts.console as ConsoleParts).staffService.create(AGENT);
    const tickets = running.app.parts.tickets as TicketRepository;
    const now = Date.now();
    const ticket = (fields: Partial<NewTicket>): NewTicket => ({
      channelId: 'directline', userId: 'client-1', conversationId: 'never-seen', language: 'en', category: 'fees_charges', description: RISKY,
      severity: 'high', contact: { kind: 'email', value: 'finance@acme.example.com' }, status: 'open', createdAt: new Date(now - 3 * DAY), slaDueAt: new Date(now - DAY), ...fields,
    });
    await tickets.create(ticket({}), () => refs.overdue);
    dueAt = new Date(now + 2 * DAY);
    await tickets.create(ticket({ category: 'loan_delay', description: '流动资金贷款审批慢', severity: 'medium', language: 'zh-CN', slaDueAt: dueAt }), () => refs.due);
    await tickets.create(ticket({ category: 'other', severity: 'low', status: 'closed', slaDueAt: new Date(now + 5 * DAY) }), () => refs.done);

    browser = await launchChromium({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page = browser.page;
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const rows = () => page.locator('[data-testid=ticket-table] tbody tr');
  const references = async () => (await page.locator('[data-testid=ticket-table] tbody tr td:first-child').allTextContents()).map((s) => s.trim());

  test('When an agent opens Complaints, then complaints come soonest due first, the overdue one is highlighted, and filters narrow the list', async () => {
    await signInToConsole(page, running.baseUrl, AGENT, 'en');
    expect(await page.locator('#tabs a[data-tab=tickets]').textContent()).toBe('Complaints');

    await page.click('#tabs a[data-tab=tickets]');
    await rows().nth(2).waitFor(WAIT);
    expect(await references()).toEqual([refs.overdue, refs.due, refs.done]);
    expect(await rows().first().getAttribute('class')).toContain('overdue');
    expect(await rows().first().locator('.tag.overdue').textContent()).toBe('Overdue');
    expect((await rows().nth(1).getAttribute('class')) ?? '').not.toContain('overdue');
    expect(await rows().nth(1).locator('td').nth(1).textContent()).toBe('Loan delay');
    expect(await page.locator('[data-testid=ticket-range]').textContent()).toBe('1–3 of 3');

    await page.check('[data-testid=ticket-filter-overdue]');
    await page.locator('[data-testid=ticket-range]', { hasText: '1–1 of 1' }).waitFor(WAIT);
    expect(await references()).toEqual([refs.overdue]);
    await page.uncheck('[data-testid=ticket-filter-overdue]');
    await page.selectOption('[data-testid=ticket-filter-status]', 'closed');
    await page.locator('[data-testid=ticket-range]', { hasText: '1–1 of 1' }).waitFor(WAIT);
    expect(await references()).toEqual([refs.done]);
    await page.selectOption('[data-testid=ticket-filter-status]', '');
    await page.fill('[data-testid=ticket-search]', 'bbbb');
    await page.locator('[data-testid=ticket-table] tbody tr:first-child td:first-child', { hasText: refs.due }).waitFor(WAIT);
    await page.locator('[data-testid=ticket-range]', { hasText: '1–1 of 1' }).waitFor(WAIT);
    expect(await references()).toEqual([refs.due]);
    expect(browser.pageErrors).toEqual([]);
  }, 60000);

  test('When the agent takes the overdue complaint and resolves it with a note, then the history shows both steps and that the client could not be notified', async () => {
    await page.goto(`${running.baseUrl}/console#/tickets/${refs.overdue}`);
    await page.locator('[data-testid=ticket-title]', { hasText: refs.overdue }).waitFor(WAIT);
    expect(await page.locator('[data-testid=ticket-description]').textContent()).toBe(RISKY);
    expect(await page.locator('[data-testid=ticket-fields] dd[data-field=contact]').textContent()).toBe('finance@acme.example.com');
    expect(await page.locator('[data-testid=ticket-fields] dd[data-field=slaDueAt] .tag.overdue').count()).toBe(1);
    expect(await page.locator('#ticket-history-empty').isVisible()).toBe(true);
    const buttons = () => page.locator('#ticket-buttons button').allTextContents();
    expect(await buttons()).toEqual(['Assign to me', 'Resolve']);

    // Resolving without a note is stopped before anything is sent.
    await page.click('[data-testid=ticket-move-resolved]');
    await page.locator('[data-testid=ticket-action-error]', { hasText: 'Write the resolution' }).waitFor(WAIT);

    await page.click('[data-testid=ticket-move-in_progress]');
    await page.locator('[data-testid=ticket-history] li').first().waitFor(WAIT);
    expect(await page.locator('[data-testid=ticket-status]').textContent()).toBe('In progress');
    expect(await page.locator('[data-testid=ticket-fields] dd[data-field=assignee]').textContent()).toBe('李娜');
    expect(await buttons()).toEqual(['Resolve']);
    expect(await page.locator('[data-testid=ticket-action-error]').isVisible()).toBe(false);

    const note = 'We refunded the second fee today <b>and</b> apologise.';
    await page.fill('[data-testid=ticket-note]', note);
    await page.click('[data-testid=ticket-move-resolved]');
    await page.locator('[data-testid=ticket-history] li').nth(1).waitFor(WAIT);
    expect(await page.locator('[data-testid=ticket-status]').textContent()).toBe('Resolved');
    expect(await page.locator('[data-testid=ticket-action-done]').textContent()).toContain('could not be reached');
    const history = await page.locator('[data-testid=ticket-history] li').allInnerTexts();
    expect(history[0]).toMatch(/李娜: Open → In progress/);
    expect(history[1]).toMatch(/李娜: In progress → Resolved/);
    expect(history[1]).toContain(note);
    expect(history[1]).toContain('Client not notified: their chat can no longer be reached');
    expect(await page.locator('[data-testid=ticket-fields] dd[data-field=resolutionNote]').textContent()).toBe(note);
    expect(await buttons()).toEqual(['Close', 'Reopen']);
    expect(await page.locator('[data-testid=ticket-note]').inputValue()).toBe('');
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-ticket-resolved.png'), fullPage: true });

    const stored = await (running.app.parts.tickets as TicketRepository).get(refs.overdue);
    expect(stored).toMatchObject({ status: 'resolved', resolutionNote: note, assignee: { displayName: '李娜' } });

    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#tickets-page img, #tickets-page script, #tickets-page b').count()).toBe(0);
    expect(browser.pageErrors).toEqual([]);
  }, 60000);

  test('When the agent switches to Chinese and closes the complaint, then the page and the history read in Chinese and no more moves are offered', async () => {
    await page.selectOption('#language', 'zh-CN');
    await page.locator('#tabs a[data-tab=tickets]', { hasText: '投诉工单' }).waitFor(WAIT);
    expect(await page.locator('[data-testid=ticket-status]').textContent()).toBe('已解决');
    await page.click('[data-testid=ticket-move-closed]');
    await page.locator('[data-testid=ticket-history] li').nth(2).waitFor(WAIT);
    expect(await page.locator('[data-testid=ticket-status]').textContent()).toBe('已关闭');
    const history = await page.locator('[data-testid=ticket-history] li').allInnerTexts();
    expect(history[1]).toContain('未能通知客户：客户的会话已无法联系');
    expect(history[2]).toMatch(/李娜：已解决 → 已关闭/);
    expect(await page.locator('#ticket-buttons button').count()).toBe(0);
    expect(await page.locator('#ticket-none-allowed').textContent()).toBe('已关闭的投诉不能再更改。');
    await page.click('#ticket-detail-view a[href="#/tickets"]');
    await page.locator('[data-testid=ticket-table] tbody tr').first().waitFor(WAIT);
    expect(await page.locator('[data-testid=ticket-table] thead th').first().textContent()).toBe('受理编号');
    expect(browser.pageErrors).toEqual([]);
  }, 60000);

  test('When a staff member\'s browser is set to another time zone, then due times still read in the bank\'s time (Beijing), as the client was told', async () => {
    const abroad = await launchChromium({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'America/New_York' });
    try {
      await signInToConsole(abroad.page, running.baseUrl, AGENT, 'en');
      await abroad.page.click('#tabs a[data-tab=tickets]');
      const row = abroad.page.locator('[data-testid=ticket-table] tbody tr', { hasText: refs.due });
      await row.waitFor(WAIT);
      const shown = (await row.locator('td').nth(5).textContent())!.replace(/\s+/g, ' ').trim();
      const inBeijing = dueAt.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).replace(/\s+/g, ' ');
      const inNewYork = dueAt.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/New_York' }).replace(/\s+/g, ' ');
      expect(inBeijing).not.toBe(inNewYork);
      expect(shown).toBe(inBeijing);
      expect(abroad.pageErrors).toEqual([]);
    } finally {
      await abroad.close();
    }
  }, 60000);
});
