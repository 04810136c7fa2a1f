/**
 * The customers page in Chromium on the real app: an agent sees the list by churn risk (highest
 * first, on a colour band), sorts it, opens a profile with the score's signals in words, links a
 * chat user, and is told when that chat user belongs to someone else. Agents get no campaign or
 * dashboard tab. Markup in a customer's data is shown as text.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { AGENT } from '../support/consoleClient';
import { ARTIFACTS, launchChromium, signInToConsole, type Chromium } from '../support/browser';
import { eventually } from '../support/eventually';
import type { ConsoleParts } from '../../bot/console/consoleComposition';
import type { CustomerRepository } from '../../services/customers/customerRepository';

const RISKY_NAME = 'Ada <img src=x onerror="window.__xss=1">';
const WAIT = { timeout: 20000 };

describe('Customers page in a real browser', () => {
  let running: RunningApp;
  let browser: Chromium;
  let page: Page;
  let riskyId: string;

  beforeAll(async () => {
    running = await startApp({ storage: 'services' });
    await (running.app.parts.console as ConsoleParts).staffService.create(AGENT);
    const customers = running.app.parts.customers as CustomerRepository;
    const computedAt = new Date();
    const seed = async (name: string, company: string, score: number | undefined, signals: Array<{ code: string; points: number; detail: string }> = []) => {
      const customer = await customers.create({ name, company, tier: 'standard', consent: { surveys: true, marketing: false }, tags: [] });
      if (score !== undefined) await customers.update(customer.id, { churnRisk: { score, signals, computedAt } });
      return customer;
    };
    riskyId = (await seed(RISKY_NAME, 'Zeta Logistics', 80, [
      { code: 'open_complaints', points: 20, detail: '2 open: CMP-20261120-AB2C, CMP-20261121-XY3Z' },
      { code: 'low_satisfaction', points: 30, detail: 'CSAT 1 on 2026-11-20' },
      { code: 'negative_tone', points: 15, detail: '5 negative messages in 30 days' },
      { code: 'missed_callbacks', points: 15, detail: '1 missed: CBK-20261101-QW2E' },
    ])).id;
    await seed('Bea', 'Alpha Trading', 45, [{ code: 'overdue_complaints', points: 45, detail: '3 past SLA' }]);
    await seed('Cal', 'Midway Foods', 10, [{ code: 'fewer_contacts', points: 10, detail: '1 contact in 30 days, usually 4' }]);
    const other = await seed('Dee', 'Omega Steel', undefined);
    await customers.linkChannelUser(other.id, { channelId: 'msteams', userId: 'dee-teams' });

    browser = await launchChromium({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    page = browser.page;
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const names = async () => (await page.locator('[data-testid=customer-table] tbody tr td:first-child').allTextContents()).map((s) => s.trim());

  test('When an agent opens Customers, then the riskiest client is first on a red band, columns sort, and there is no campaign or dashboard tab', async () => {
    await signInToConsole(page, running.baseUrl, AGENT, 'en');
    expect(await page.locator('#tabs a[data-tab=campaigns]').isVisible()).toBe(false);
    expect(await page.locator('#tabs a[data-tab=dashboard]').isVisible()).toBe(false);
    // Typing a supervisor page's address leads back to the queue.
    await page.goto(`${running.baseUrl}/console#/campaigns`);
    await page.locator('[data-testid=queue]').waitFor(WAIT);
    expect(await page.locator('#campaigns-page').isVisible()).toBe(false);

    await page.click('#tabs a[data-tab=customers]');
    await page.locator('[data-testid=customer-table] tbody tr').nth(3).waitFor(WAIT);
    expect(await names()).toEqual([RISKY_NAME, 'Bea', 'Cal', 'Dee']);
    const firstBadge = page.locator('[data-testid=customer-table] tbody tr').first().locator('.churn');
    expect(await firstBadge.textContent()).toBe('80');
    expect(await firstBadge.getAttribute('data-band')).toBe('high');
    expect(await page.locator('[data-testid=customer-table] tbody tr').nth(1).locator('.churn').getAttribute('data-band')).toBe('medium');
    expect(await page.locator('th[data-sort=churnRisk]').getAttribute('aria-sort')).toBe('descending');

    await page.click('th[data-sort=company] button');
    expect(await page.locator('th[data-sort=company]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('[data-testid=customer-table] tbody tr:first-child td:first-child', { hasText: 'Bea' }).waitFor(WAIT);
    expect(await names()).toEqual(['Bea', 'Cal', 'Dee', RISKY_NAME]);
    await page.click('th[data-sort=company] button');
    await page.locator('[data-testid=customer-table] tbody tr:first-child td:first-child', { hasText: 'Ada' }).waitFor(WAIT);
    expect(await names()).toEqual([RISKY_NAME, 'Dee', 'Cal', 'Bea']);

    await page.fill('[data-testid=customer-search]', 'Midway');
    await page.locator('[data-testid=customer-table] tbody tr:first-child td:first-child', { hasText: 'Cal' }).waitFor(WAIT);
    // The list re-renders after a debounced search.
    await eventually(async () => expect((await names()).join(',')).toBe('Cal'), { timeoutMs: 10000, intervalMs: 100 });
  }, 60000);

  test('When the console\'s scripts are fetched, then each is JavaScript under the console\'s CSP, and Chart.js comes from this server, cached for a day', async () => {
    for (const file of ['console.js', 'common.js', 'charts.js', 'queue.js', 'customers.js', 'campaigns.js', 'campaignForm.js', 'campaignResults.js', 'dashboard.js', 'vendor/chart.umd.js']) {
      const res = await fetch(`${running.baseUrl}/console/${file}`);
      expect([file, res.status, res.headers.get('content-type'), res.headers.get('x-content-type-options')]).toEqual([file, 200, 'text/javascript; charset=utf-8', 'nosniff']);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const body = await res.text();
      if (file.startsWith('vendor/')) {
        expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
        expect(body).toMatch(/Chart\.js v4\./);
      } else expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    expect((await fetch(`${running.baseUrl}/console/../package.json`)).status).not.toBe(200);
  });

  test('When the agent opens a profile and links chat users, then the signals read in words, a new link shows and a taken one is refused', async () => {
    await page.goto(`${running.baseUrl}/console#/customers/${encodeURIComponent(riskyId)}`);
    await page.locator('[data-testid=churn-signals] tbody tr').nth(3).waitFor(WAIT);
    expect(await page.locator('[data-testid=customer-title]').textContent()).toContain(RISKY_NAME);
    const signals = await page.locator('[data-testid=churn-signals] tbody tr').allInnerTexts();
    expect(signals[0]).toMatch(/Open complaints\s+\+20\s+2 open: CMP-20261120-AB2C/);
    expect(signals.join('\n')).toContain('Low CSAT or NPS (90 days)');
    expect(await page.locator('[data-testid=churn-summary] .churn').textContent()).toBe('80');
    expect(await page.locator('[data-testid=customer-fields] dd[data-field=consent]').textContent()).toBe('surveys');

    await page.fill('#link-channel', 'directline');
    await page.fill('#link-user', 'ada-web-1');
    await page.click('#link-form button[type=submit]');
    await page.locator('[data-testid=customer-links] li', { hasText: 'ada-web-1' }).waitFor(WAIT);
    expect(await page.locator('[data-testid=link-error]').isVisible()).toBe(false);

    await page.fill('#link-channel', 'msteams');
    await page.fill('#link-user', 'dee-teams');
    await page.click('#link-form button[type=submit]');
    await page.locator('[data-testid=link-error]').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('[data-testid=link-error]').textContent()).toContain('already linked to another customer');
    expect(await page.locator('[data-testid=customer-links] li').count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-customer-profile.png'), fullPage: true });

    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#customers-page img').count()).toBe(0);
    expect(browser.pageErrors).toEqual([]);
  }, 60000);

  test('When there are more customers than fit a page, then Next and Previous page through them and the range says where the agent is', async () => {
    const customers = running.app.parts.customers as CustomerRepository;
    for (let i = 0; i < 24; i += 1) await customers.create({ name: `Quiet ${String(i).padStart(2, '0')}`, company: 'Quiet Co', tier: 'standard', tags: [] });
    await page.goto(`${running.baseUrl}/console#/customers`);
    await page.reload(); // a fresh list: no search, default order (churn risk first)
    await page.locator('[data-testid=customer-range]', { hasText: '1–25 of 28' }).waitFor(WAIT);
    expect(await page.locator('[data-testid=customer-table] tbody tr').count()).toBe(25);
    expect(await page.locator('#customer-prev').isDisabled()).toBe(true);
    await page.click('#customer-next');
    await page.locator('[data-testid=customer-range]', { hasText: '26–28 of 28' }).waitFor(WAIT);
    expect(await page.locator('[data-testid=customer-table] tbody tr').count()).toBe(3);
    expect(await page.locator('#customer-next').isDisabled()).toBe(true);
    await page.click('#customer-prev');
    await page.locator('[data-testid=customer-range]', { hasText: '1–25 of 28' }).waitFor(WAIT);
    expect((await names())[0]).toBe(RISKY_NAME);
    expect(browser.pageErrors).toEqual([]);
  }, 60000);
});
