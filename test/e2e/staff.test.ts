/**
 * The Staff tab in Chromium on the real app: the admin sees the accounts, adds an agent (the API's
 * 400/409 answers shown as words), links a Teams user to it and unlinks it (409 when another account
 * has that Teams user), deactivates and reactivates it; a name with markup shows as text. An agent has no tab, the address leads
 * back to the queue, and the API answers 403.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { ADMIN, ADMIN_ENV, AGENT, ConsoleClient, addStaff, signIn } from '../support/consoleClient';
import { ARTIFACTS, launchChromium, signInToConsole, type Chromium } from '../support/browser';

const WAIT = { timeout: 20000 };
const ADMIN_ACCOUNT = { ...ADMIN, displayName: 'Administrator' };
const NEW_AGENT = { displayName: 'Zhou <img src=x onerror="window.__xss=1">', email: 'zhou.min@rapport.test', password: 'Zhou-Quiet-Harbour-42' };
const TEAMS_ID = '7f3c9a2e-0b1d-4e5f-8a6b-2c4d6e8f0a1b';

describe('Staff page in a real browser', () => {
  let running: RunningApp;
  let browser: Chromium;
  let page: Page;

  beforeAll(async () => {
    running = await startApp({ storage: 'services', env: ADMIN_ENV });
    await addStaff(running.baseUrl, [AGENT]);
    browser = await launchChromium({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    page = browser.page;
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  const row = (email: string) => page.locator(`[data-testid=staff-table] tbody tr[data-email="${email}"]`);
  const fillAdd = async (values: { displayName: string; email: string; password: string }) => {
    await page.fill('#staff-add-name', values.displayName);
    await page.fill('#staff-add-email', values.email);
    await page.selectOption('#staff-add-role', 'agent');
    await page.fill('#staff-add-password', values.password);
    await page.click('[data-testid=staff-add-submit]');
  };

  test('When the admin opens Staff, then every account is listed with its e-mail, role and status', async () => {
    await signInToConsole(page, running.baseUrl, ADMIN_ACCOUNT, 'en');
    const tab = page.locator('#tabs a[data-tab=staff]');
    expect(await tab.isVisible()).toBe(true);
    await tab.click();
    await row(AGENT.email).waitFor(WAIT);
    expect(await page.locator('[data-testid=staff-table] tbody tr').count()).toBe(2);
    expect(await row(AGENT.email).innerText()).toMatch(/李娜[\s\S]*li\.na@rapport\.test[\s\S]*agent[\s\S]*Active/);
    expect(await row(ADMIN.email).innerText()).toMatch(/Administrator[\s\S]*admin/);
    expect(await row(AGENT.email).locator('td[data-field=teamsUserId]').textContent()).toBe('—');
  }, 60000);

  test('When the admin adds an account with a weak password or a taken e-mail, then the page says why in words; with a good one the agent is listed', async () => {
    // Long enough for the form's own check, but the API refuses it (too few different characters).
    await fillAdd({ ...NEW_AGENT, password: 'aaaaaaaaaaaaaaaa' });
    await page.locator('[data-testid=staff-add-error]:has-text("too weak")').waitFor(WAIT);

    await fillAdd({ displayName: 'Duplicate', email: AGENT.email, password: 'Another-Good-Passphrase-1' });
    await page.locator('[data-testid=staff-add-error]:has-text("already exists")').waitFor(WAIT);
    expect(await page.locator('[data-testid=staff-table] tbody tr').count()).toBe(2);

    await fillAdd(NEW_AGENT);
    await row(NEW_AGENT.email).waitFor(WAIT);
    expect(await page.locator('[data-testid=staff-add-error]').isHidden()).toBe(true);
    expect(await row(NEW_AGENT.email).locator('td').first().textContent()).toBe(NEW_AGENT.displayName);
    expect(await row(NEW_AGENT.email).innerText()).toMatch(/agent[\s\S]*Active/);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#staff-page img').count()).toBe(0);

    // The new account signs in with the password the admin set.
    expect((await new ConsoleClient(running.baseUrl).login(NEW_AGENT.email, NEW_AGENT.password)).status).toBe(200);
  }, 60000);

  test('When the admin links a Teams user to the new agent, then the list shows it and the API agrees; the same id on another account is refused in words; unlinking clears it', async () => {
    await row(NEW_AGENT.email).locator('[data-testid=staff-teams-input]').fill(TEAMS_ID);
    await row(NEW_AGENT.email).locator('[data-testid=staff-teams-link]').click();
    await row(NEW_AGENT.email).locator(`td[data-field=teamsUserId]:has-text("${TEAMS_ID}")`).waitFor(WAIT);
    expect(await page.locator('[data-testid=staff-notice]').textContent()).toContain('linked');

    const admin = await signIn(running.baseUrl, ADMIN);
    const listed = (await admin.call('GET', '/api/console/staff')).body.staff as Array<{ email: string; teamsUserId?: string }>;
    expect(listed.find((s) => s.email === NEW_AGENT.email)?.teamsUserId).toBe(TEAMS_ID);

    await row(AGENT.email).locator('[data-testid=staff-teams-input]').fill(TEAMS_ID.toUpperCase());
    await row(AGENT.email).locator('[data-testid=staff-teams-link]').click();
    await page.locator('[data-testid=staff-teams-error]:has-text("already linked")').waitFor(WAIT);
    expect(await row(AGENT.email).locator('td[data-field=teamsUserId]').textContent()).toBe('—');

    await page.reload();
    await row(NEW_AGENT.email).locator(`td[data-field=teamsUserId]:has-text("${TEAMS_ID}")`).waitFor(WAIT);
    await row(NEW_AGENT.email).locator('[data-testid=staff-teams-unlink]').click();
    await row(NEW_AGENT.email).locator('td[data-field=teamsUserId]:has-text("—")').waitFor(WAIT);
    const after = (await admin.call('GET', '/api/console/staff')).body.staff as Array<{ email: string; teamsUserId?: string }>;
    expect(after.find((s) => s.email === NEW_AGENT.email)?.teamsUserId).toBeUndefined();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-staff.png'), fullPage: true });
    expect(browser.pageErrors).toEqual([]);
  }, 60000);

  test('When the admin deactivates the new agent, then the row says so, the agent is signed out and cannot sign in; Reactivate lets them in again; the admin has no button on their own row', async () => {
    expect(await row(ADMIN.email).locator('[data-testid=staff-active-toggle]').count()).toBe(0);
    const agent = await signIn(running.baseUrl, NEW_AGENT);
    const toggle = row(NEW_AGENT.email).locator('[data-testid=staff-active-toggle]');
    expect(await toggle.textContent()).toBe('Deactivate');
    await toggle.click();
    await row(NEW_AGENT.email).locator('.badge[data-status=inactive]:has-text("Deactivated")').waitFor(WAIT);
    expect(await toggle.textContent()).toBe('Reactivate');
    expect(await page.locator('[data-testid=staff-notice]').textContent()).toContain('deactivated');
    expect((await agent.call('GET', '/api/console/queue')).status).toBe(401);
    expect((await new ConsoleClient(running.baseUrl).login(NEW_AGENT.email, NEW_AGENT.password)).status).toBe(401);

    await page.reload();
    await row(NEW_AGENT.email).locator('.badge[data-status=inactive]').waitFor(WAIT);
    await toggle.click();
    await row(NEW_AGENT.email).locator('.badge[data-status=active]:has-text("Active")').waitFor(WAIT);
    expect(await toggle.textContent()).toBe('Deactivate');
    expect((await new ConsoleClient(running.baseUrl).login(NEW_AGENT.email, NEW_AGENT.password)).status).toBe(200);
    expect(browser.pageErrors).toEqual([]);
  }, 60000);

    test('When an agent signs in, then there is no Staff tab, #/staff leads back to the queue, and the staff API answers 403', async () => {
    const agentBrowser = await launchChromium({ viewport: { width: 1280, height: 860 }, locale: 'en-US' });
    try {
      const agentPage = agentBrowser.page;
      await signInToConsole(agentPage, running.baseUrl, AGENT, 'en');
      expect(await agentPage.locator('#tabs a[data-tab=queue]').isVisible()).toBe(true);
      expect(await agentPage.locator('#tabs a[data-tab=staff]').isHidden()).toBe(true);
      await agentPage.goto(`${running.baseUrl}/console#/staff`);
      await agentPage.locator('[data-page=queue]').waitFor({ state: 'visible', ...WAIT });
      expect(await agentPage.locator('#staff-page').isHidden()).toBe(true);
      expect(await agentPage.locator('[data-testid=staff-table] tbody tr').count()).toBe(0);
    } finally {
      await agentBrowser.close();
    }
    const agent = await signIn(running.baseUrl, AGENT);
    expect((await agent.call('GET', '/api/console/staff')).status).toBe(403);
    expect((await agent.call('POST', '/api/console/staff', { ...NEW_AGENT, email: 'x@rapport.test' })).status).toBe(403);
    expect((await agent.call('PUT', '/api/console/staff/whoever/teams', { teamsUserId: TEAMS_ID })).status).toBe(403);
    expect((await agent.call('PUT', '/api/console/staff/whoever/active', { active: false })).status).toBe(403);
  }, 60000);
});
