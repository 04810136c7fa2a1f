import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { ConsoleClient } from '../support/consoleClient';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ACTIVITY = '.webchat__stacked-layout__content';
const ADMIN = { email: 'admin@rapport.test', password: 'Adm1n-Correct-Horse' };
const AGENT = { email: 'li.na@rapport.test', password: 'Agent-Battery-Staple-7', displayName: '李娜', role: 'agent' };

/** Text of every bot activity in the Web Chat page, in order. */
const botTexts = (page: Page) => page.$$eval(ACTIVITY, (nodes) => nodes
  .filter((n) => !n.closest('.webchat__stacked-layout--from-user'))
  .map((n) => (n as unknown as { innerText: string }).innerText));

async function waitForBotText(page: Page, pattern: RegExp, after: number, timeoutMs = 15000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await botTexts(page)).slice(after).find((t) => pattern.test(t));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no bot text matching ${pattern}; got ${JSON.stringify((await botTexts(page)).slice(after))}`);
    await page.waitForTimeout(100);
  }
}

async function clientSays(page: Page, text: string): Promise<number> {
  const before = (await botTexts(page)).length;
  await page.fill('[data-id="webchat-sendbox-input"]', text);
  await page.press('[data-id="webchat-sendbox-input"]', 'Enter');
  return before;
}

describe('Staff console end to end: a client on /chat asks for a person, an agent takes the case in /console', () => {
  let running: RunningApp;
  let agentContext: BrowserContext;
  let clientContext: BrowserContext;
  const profiles: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    running = await startApp({
      storage: 'services',
      // Staff on duty around the clock, so the escalation is queued (not offered a callback) whenever the test runs.
      env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, HANDOFF_STAFF_HOURS: 'always' },
    });
    const admin = new ConsoleClient(running.baseUrl);
    await admin.login(ADMIN.email, ADMIN.password);
    expect((await admin.call('POST', '/api/console/staff', AGENT)).status).toBe(201);
    const launch = async () => {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-chromium-'));
      profiles.push(profile);
      return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    };
    [agentContext, clientContext] = await Promise.all([launch(), launch()]);
  }, 90000);
  afterAll(async () => {
    await Promise.all([agentContext?.close(), clientContext?.close()]);
    await running?.stop();
    for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
  });

  test('When a client asks 转人工, then the agent sees the case, claims it, they exchange messages, the agent ends it and the client is offered the CSAT survey', async () => {
    const console_ = agentContext.pages()[0] ?? await agentContext.newPage();
    const consoleErrors: string[] = [];
    console_.on('pageerror', (error) => consoleErrors.push(error.message));
    await console_.goto(`${running.baseUrl}/console`);
    await console_.selectOption('#language', 'zh-CN');
    await console_.fill('#email', AGENT.email);
    await console_.fill('#password', AGENT.password);
    await console_.click('#login-form button[type=submit]');
    await console_.waitForSelector('[data-testid=signed-in]:has-text("李娜")');

    const chat = await clientContext.newPage();
    await chat.goto(`${running.baseUrl}/chat?locale=zh-CN`);
    await chat.waitForSelector(ACTIVITY, { timeout: 20000 });
    const queued = await waitForBotText(chat, /排在第\d+位/, await clientSays(chat, '转人工'));
    expect(queued).toMatch(/预计等待/);

    // The escalation arrives in the console over SSE, with its reason.
    const row = console_.locator('[data-testid=queue] tbody tr').first();
    await row.waitFor({ timeout: 10000 });
    expect(await row.innerText()).toContain('客户要求转人工');
    await console_.screenshot({ path: path.join(ARTIFACTS, 'console-queue.png') });
    const beforeClaim = (await botTexts(chat)).length;
    await row.locator('[data-testid=claim]').click();
    await console_.waitForSelector('[data-testid=reply-text]', { state: 'visible' });
    await waitForBotText(chat, /人工客服李娜已接入/, beforeClaim);
    expect(await console_.locator('[data-testid=profile]').innerText()).toMatch(/未结投诉[\s\S]*近期满意度/);

    // Client → agent, in real time.
    await clientSays(chat, '我的跨境汇款三天了还没到账');
    await console_.locator('[data-testid=transcript] li.client', { hasText: '我的跨境汇款三天了还没到账' }).waitFor({ timeout: 10000 });

    // Agent → client, through a proactive message.
    const beforeReply = (await botTexts(chat)).length;
    await console_.fill('[data-testid=reply-text]', '您好，我来帮您查询这笔汇款，请稍等。');
    await console_.click('[data-testid=reply-send]');
    await waitForBotText(chat, /我来帮您查询这笔汇款/, beforeReply);
    await console_.locator('[data-testid=transcript] li.staff', { hasText: '我来帮您查询这笔汇款' }).waitFor({ timeout: 10000 });
    await console_.screenshot({ path: path.join(ARTIFACTS, 'console-conversation.png') });

    // The agent ends: the client is back with the bot and asked to rate the service.
    const beforeEnd = (await botTexts(chat)).length;
    await console_.click('[data-testid=end]');
    await waitForBotText(chat, /人工客服已结束本次服务/, beforeEnd);
    const csat = await waitForBotText(chat, /1 到 5 分/, beforeEnd);
    expect(csat).toMatch(/本次办理是否方便/);
    await chat.screenshot({ path: path.join(ARTIFACTS, 'console-client-csat.png') });
    await console_.locator('#case-ended').waitFor({ state: 'visible', timeout: 10000 });
    expect(consoleErrors).toEqual([]);
  }, 120000);
});
