import path from 'node:path';
import { startApp, type RunningApp } from '../support/appHarness';
import { ADMIN_ENV, AGENT, addStaff } from '../support/consoleClient';
import { ACTIVITY, ARTIFACTS, botTexts, launchChromium, signInToConsole, typeInChat, waitForBotText, type Chromium } from '../support/browser';

describe('Staff console end to end: a client on /chat asks for a person, an agent takes the case in /console', () => {
  let running: RunningApp;
  let agentBrowser: Chromium;
  let clientBrowser: Chromium;

  beforeAll(async () => {
    running = await startApp({
      storage: 'services',
      // Staff on duty around the clock, so the escalation is queued (not offered a callback) whenever the test runs.
      env: { ...ADMIN_ENV, HANDOFF_STAFF_HOURS: 'always' },
    });
    await addStaff(running.baseUrl, [AGENT]);
    const launch = () => launchChromium({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    [agentBrowser, clientBrowser] = await Promise.all([launch(), launch()]);
  }, 90000);
  afterAll(async () => {
    await Promise.all([agentBrowser?.close(), clientBrowser?.close()]);
    await running?.stop();
  });

  test('When a client asks 转人工, then the agent sees the case, claims it, they exchange messages, the agent ends it and the client is offered the CSAT survey', async () => {
    const console_ = agentBrowser.page;
    await signInToConsole(console_, running.baseUrl, AGENT, 'zh-CN');

    const chat = await clientBrowser.context.newPage();
    await chat.goto(`${running.baseUrl}/chat?locale=zh-CN`);
    await chat.waitForSelector(ACTIVITY, { timeout: 20000 });
    const queued = await waitForBotText(chat, /排在第\d+位/, await typeInChat(chat, '转人工'));
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
    await typeInChat(chat, '我的跨境汇款三天了还没到账');
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
    expect(agentBrowser.pageErrors).toEqual([]);
  }, 120000);
});
