/**
 * Campaigns end to end in Chromium on the real app (Redis + the Mongo-wire server): a supervisor
 * creates a survey campaign in /console, previews its audience, launches it; the sender delivers
 * it to clients' chat conversations (a stub channel on loopback); one client answers over
 * /api/messages and the results page shows the answer live; the CSV export downloads.
 * Names carrying markup (a campaign's, a customer's) are shown as text and never run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { eventually } from '../support/eventually';
import { ADMIN_ENV, SUPERVISOR } from '../support/consoleClient';
import { ARTIFACTS, launchChromium, signInToConsole, type Chromium } from '../support/browser';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { ConsoleParts } from '../../bot/console/consoleComposition';

const CAMPAIGN_NAME = '四季度满意度回访 <img src=x onerror="window.__xss=1">';
const CUSTOMER_NAME = '<script>window.__xss=2</script>陈先生';
const WAIT = { timeout: 30000 };

/** Opens a new campaign draft and fills a message campaign's name, Chinese text and audience tags. */
async function startMessageCampaign(page: Page, fields: { name: string; zh: string; tags: string }): Promise<void> {
  await page.click('#tabs a[data-tab=campaigns]');
  await page.click('[data-testid=campaign-new]');
  await page.waitForSelector('[data-testid=cf-name]:visible', WAIT);
  await page.fill('[data-testid=cf-name]', fields.name);
  await page.check('[data-testid=cf-kind-message]');
  await page.fill('[data-testid=cf-message-zh]', fields.zh);
  await page.fill('#cf-tags', fields.tags);
}

interface SeededClient { customerId: string; conversationId: string; userId: string }

describe('Campaigns in the console, end to end in a real browser', () => {
  let running: RunningApp;
  let stub: StubChannel;
  let browser: Chromium;
  let page: Page;
  const dialogs: string[] = [];
  const tag = `e2e-${Date.now().toString(36)}`;
  const reachable: SeededClient[] = [];

  /** A client's chat turn on the stub channel (so its conversation reference points there). */
  const clientSays = async (client: SeededClient, text: string) =>
    (await send(running.baseUrl, messageActivity(client.conversationId, text, { locale: 'zh-CN', serviceUrl: stub.url, from: { id: client.userId, name: 'Client' } }))).replies.map((r) => String(r.text ?? ''));

  beforeAll(async () => {
    stub = await startStubChannel();
    running = await startApp({ storage: 'services', env: { ...ADMIN_ENV, CAMPAIGN_POLL_MS: '300' } });
    await (running.app.parts.console as ConsoleParts).staffService.create(SUPERVISOR);

    // Audience (all tagged): 3 reachable clients (survey consent + a chat conversation), one with a
    // conversation but no consent, one with consent but no conversation. Untagged noise must not count.
    const customers = running.app.parts.customers as CustomerRepository;
    const seed = async (i: number, fields: { name?: string; consent: boolean; talks: boolean; tags?: string[] }) => {
      const customer = await customers.create({
        name: fields.name ?? `客户${i}`, company: `测试贸易有限公司${i}`, tier: 'priority', relationshipManager: '王经理', language: 'zh-CN',
        tags: fields.tags ?? [tag], consent: { surveys: fields.consent, marketing: fields.consent },
      });
      const client = { customerId: customer.id, conversationId: `${tag}-conv-${i}`, userId: `${tag}-user-${i}` };
      await customers.linkChannelUser(customer.id, { channelId: 'emulator', userId: client.userId });
      if (fields.talks) await clientSays(client, '你好');
      return client;
    };
    reachable.push(await seed(0, { name: CUSTOMER_NAME, consent: true, talks: true }));
    reachable.push(await seed(1, { consent: true, talks: true }));
    reachable.push(await seed(2, { consent: true, talks: true }));
    await seed(3, { consent: false, talks: true });
    await seed(4, { consent: true, talks: false });
    await seed(5, { consent: true, talks: true, tags: ['someone-else'] });
    await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();

    browser = await launchChromium({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    page = browser.page;
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
  }, 120000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await stub?.close();
  });

  test('When a supervisor creates, previews and launches a survey campaign and a client answers, then the results page shows the answer live and the CSV downloads', async () => {
    await signInToConsole(page, running.baseUrl, SUPERVISOR, 'zh-CN');
    await page.waitForSelector('#tabs a[data-tab=campaigns]:visible');

    // Create: a survey to the tagged clients, no quiet hours (the test runs at any hour).
    await page.click('#tabs a[data-tab=campaigns]');
    await page.click('[data-testid=campaign-new]');
    await page.waitForSelector('[data-testid=cf-survey] option[value="service-satisfaction"]', { state: 'attached', ...WAIT });
    await page.fill('[data-testid=cf-name]', CAMPAIGN_NAME);
    await page.check('[data-testid=cf-kind-survey]');
    await page.selectOption('[data-testid=cf-survey]', 'service-satisfaction');
    await page.fill('#cf-tags', tag);
    await page.fill('#cf-quiet-start', '00:00');
    await page.fill('#cf-quiet-end', '00:00');
    await page.fill('#cf-rate', '20');

    // Preview before launch: 5 tagged, 3 reachable, 1 without consent, 1 without a conversation.
    await page.click('[data-testid=campaign-preview]');
    await page.locator('[data-testid=preview-reachable]').waitFor(WAIT);
    const figure = async (key: string) => (await page.locator(`[data-testid=preview-${key}]`).textContent())?.trim();
    expect(await figure('reachable')).toBe(String(reachable.length));
    expect(await figure('matching')).toBe('5');
    expect(await figure('noConsent')).toBe('1');
    expect(await figure('noConversation')).toBe('1');
    expect(await figure('frequencyCapped')).toBe('0');

    // Launch, after the confirm dialog (which names the reachable count).
    await page.click('[data-testid=campaign-launch]');
    await page.locator('[data-testid=confirm-dialog]').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('#confirm-text').textContent()).toContain(`${reachable.length}`);
    await page.click('[data-testid=confirm-ok]');
    // Running, or already completed: a campaign completes as soon as nothing is left to send.
    await page.locator('[data-testid=campaign-status]:is([data-status=running], [data-status=completed])').waitFor(WAIT);
    expect(await page.locator('[data-testid=campaign-title]').textContent()).toBe(CAMPAIGN_NAME);

    // The sender delivers to each reachable client's conversation on the stub channel.
    const sender = running.app.parts.campaignSender as { runOnce?: (now: Date) => Promise<unknown> } | undefined;
    await eventually(async () => {
      if (sender?.runOnce) await sender.runOnce(new Date());
      return reachable.every((c) => stub.delivered(c.conversationId).length > 0);
    }, { timeoutMs: 60000, intervalMs: 200, what: 'the survey delivered to every reachable client' });

    // Nobody has answered yet: what the page shows next comes from its own polling (no reload).
    expect(await page.locator('[data-testid=tile-responded]').textContent()).toBe('0');

    // One client answers the survey: overall 5, would recommend 9, channel, skip the rest.
    const answering = reachable[1];
    for (const answer of ['5', '9', '网银', '跳过', '跳过']) await clientSays(answering, answer);

    // The results page catches up by itself (polling while running) and shows the answer.
    await page.locator('[data-testid=tile-responded]', { hasText: /^1$/ }).waitFor({ timeout: 45000 });
    await page.locator('[data-testid=csat-summary]', { hasText: '5.00' }).waitFor(WAIT);
    await page.locator('[data-testid=nps-summary]', { hasText: 'NPS 100' }).waitFor(WAIT);
    // Delivered is counted from the sender's writes, which can land after the refresh that showed the answer: wait for the page's next polls.
    await eventually(async () => expect(await page.locator('[data-testid=tile-delivered]').textContent()).toBe(String(reachable.length)), { timeoutMs: 30000, intervalMs: 200 });
    // Chart.js (served from /console/vendor under the console's CSP) drew the CSAT and NPS charts.
    expect(await page.evaluate(() => {
      const chartOf = (globalThis as unknown as { Chart?: { getChart(id: string): { data: { datasets: Array<{ data: number[] }> } } | undefined } }).Chart?.getChart;
      return ['csat-chart', 'nps-chart'].map((id) => chartOf?.(id)?.data.datasets[0].data);
    })).toEqual([[0, 0, 0, 0, 1], [1, 0, 0]]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-campaign-results.png'), fullPage: true });

    // Switching the language redraws the page in English, figures unchanged.
    await page.selectOption('#language', 'en');
    await page.locator('[data-testid=csat-summary]', { hasText: 'Mean 5.00 of 5 (1 answers)' }).waitFor(WAIT);
    expect(await page.locator('[data-testid=campaign-status]').textContent()).toMatch(/^(Running|Completed)$/);
    await page.selectOption('#language', 'zh-CN');
    await page.locator('[data-testid=csat-summary]', { hasText: '平均 5.00 分' }).waitFor(WAIT);

    // CSV export: a download that starts with the UTF-8 BOM.
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('[data-testid=campaign-csv]')]);
    const saved = path.join(browser.profile, 'responses.csv');
    await download.saveAs(saved);
    const csv = fs.readFileSync(saved);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.toString('utf8').split(/\r?\n/).filter(Boolean).length).toBe(2); // header + the one client who answered

    // The customer list shows the marked-up name as text too.
    await page.click('#tabs a[data-tab=customers]');
    await page.fill('[data-testid=customer-search]', '陈先生');
    const customerLink = page.locator('[data-testid=customer-table] tbody tr a', { hasText: '陈先生' });
    await customerLink.waitFor(WAIT);
    expect(await customerLink.textContent()).toBe(CUSTOMER_NAME);

    // The dashboard counts the answer in this week's CSAT and NPS.
    await page.click('#tabs a[data-tab=dashboard]');
    await page.locator('[data-testid=dash-csat]', { hasText: '5.00' }).waitFor(WAIT);
    await page.locator('[data-testid=dash-nps]', { hasText: 'NPS 100' }).waitFor(WAIT);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-dashboard.png'), fullPage: true });

    // Markup in names stayed text: nothing ran, no element was made from it.
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#campaigns-page img, #customers-page img, #campaigns-page script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  }, 240000);

  test('When a supervisor saves a message campaign missing its English text, then the problem shows at the field; fixed and launched for tomorrow, it is paused, resumed and cancelled with the buttons its status offers', async () => {
    await startMessageCampaign(page, { name: '元旦问候', zh: '新年快乐！感谢您一直以来的支持。', tags: tag });
    await page.click('[data-testid=campaign-save]');

    // The server's 400 names message.en: the English box is marked and the list says which field.
    await page.locator('[data-testid=campaign-form-errors]').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('[data-testid=cf-message-en]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-testid=cf-message-zh]').getAttribute('aria-invalid')).toBeNull();
    expect(await page.locator('#campaign-form-error-list').textContent()).toContain('内容（英文）');

    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    await page.fill('[data-testid=cf-message-en]', 'Happy New Year, and thank you for banking with us.');
    await page.fill('#cf-start', `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T10:00`);
    await page.click('[data-testid=campaign-save]');
    await page.locator('[data-testid=campaign-form-saved]').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('[data-testid=campaign-form-errors]').isVisible()).toBe(false);
    // A saved draft has its own address (a reload keeps it).
    await eventually(() => /#\/campaigns\/(?!new$)[^/]+$/.test(page.url()), { timeoutMs: 30000, intervalMs: 200, what: 'the draft\'s address' });

    // Launch (it starts tomorrow, so it stays running with nothing sent), then pause, resume, cancel.
    await page.click('[data-testid=campaign-launch]');
    await page.click('[data-testid=confirm-ok]');
    const status = page.locator('[data-testid=campaign-status]');
    await page.locator('[data-testid=campaign-status][data-status=running]').waitFor(WAIT);
    expect(await page.locator('#campaign-actions button').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')))).toEqual(['campaign-pause', 'campaign-cancel']);
    await page.click('[data-testid=campaign-pause]');
    await page.locator('[data-testid=campaign-status][data-status=paused]').waitFor(WAIT);
    expect(await status.textContent()).toBe('已暂停');
    await page.click('[data-testid=campaign-resume]');
    await page.locator('[data-testid=campaign-status][data-status=running]').waitFor(WAIT);
    await page.click('[data-testid=campaign-cancel]');
    await page.click('[data-testid=confirm-ok]');
    await page.locator('[data-testid=campaign-status][data-status=cancelled]').waitFor(WAIT);
    expect(await page.locator('#campaign-actions button').count()).toBe(0);
    expect(stub.received.filter((r) => JSON.stringify(r.body ?? {}).includes('新年快乐'))).toEqual([]);

    // The list shows both campaigns with their status.
    await page.click('#campaign-detail-view > a');
    await page.locator('[data-testid=campaign-table] tbody tr').nth(1).waitFor(WAIT);
    const rows = await page.locator('[data-testid=campaign-table] tbody tr').allInnerTexts();
    expect(rows.some((r) => r.includes('元旦问候') && r.includes('已取消'))).toBe(true);
    expect(rows.some((r) => r.includes('四季度满意度回访') && /已完成|进行中/.test(r))).toBe(true);
    expect(browser.pageErrors).toEqual([]);
  }, 120000);

  test('When a supervisor whose browser is on New York time schedules a campaign for 09:00, then it starts at 09:00 Beijing time and the form and the list read 09:00', async () => {
    const abroad = await launchChromium({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'America/New_York' });
    try {
      const p = abroad.page;
      await signInToConsole(p, running.baseUrl, SUPERVISOR, 'en');
      await startMessageCampaign(p, { name: 'Spring greeting', zh: '春节快乐！', tags: `${tag}-abroad` });
      await p.fill('[data-testid=cf-message-en]', 'Happy Spring Festival!');
      await p.fill('#cf-start', '2027-02-08T09:00');
      await p.click('[data-testid=campaign-save]');
      await p.locator('[data-testid=campaign-form-saved]').waitFor({ state: 'visible', ...WAIT });
      const stored = (await (running.app.parts.campaignService as { list(): Promise<Array<{ name: string; startAt?: Date | null }>> }).list())
        .find((c) => c.name === 'Spring greeting');
      expect(stored?.startAt?.toISOString()).toBe('2027-02-08T01:00:00.000Z');
      await p.reload();
      await p.waitForSelector('#cf-start:visible', WAIT);
      await eventually(async () => (await p.inputValue('#cf-start')) === '2027-02-08T09:00', { timeoutMs: 15000, intervalMs: 200, what: 'the form to read 09:00' });
      await p.goto(`${running.baseUrl}/console#/campaigns`);
      const row = p.locator('[data-testid=campaign-table] tbody tr', { hasText: 'Spring greeting' });
      await row.waitFor(WAIT);
      expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/Feb 8, 2027,? 9:00\sAM/);
      // The dashboard's default range ends today in Beijing, whatever the day is in New York.
      await p.click('#tabs a[data-tab=dashboard]');
      const beijingToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      await eventually(async () => (await p.inputValue('#dash-to')) === beijingToday, { timeoutMs: 15000, intervalMs: 200, what: 'the range to end today in Beijing' });
      expect(abroad.pageErrors).toEqual([]);
    } finally {
      await abroad.close();
    }
  }, 120000);
});
