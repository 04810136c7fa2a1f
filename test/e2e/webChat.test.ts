import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { ACTIVITY, ARTIFACTS, botTexts, expectReply, launchChromium, pressAction, typeAction, type Chromium } from '../support/browser';

const type = typeAction;
const press = pressAction;

describe('Web Chat page in a real browser on the built-in Direct Line', () => {
  let running: RunningApp;
  let browser: Chromium;
  beforeAll(async () => {
    running = await startApp({ storage: 'services', env: { CHAT_ACCENT_COLOR: '#0B5FA5' } });
    browser = await launchChromium({ viewport: { width: 900, height: 1000 } });
  }, 60000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  async function openChat(query: string, transport: 'websocket' | 'polling' = 'websocket'): Promise<Page> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${running.baseUrl}/chat?${query}`);
    await page.waitForSelector(ACTIVITY, { timeout: 20000 });
    expect(errors).toEqual([]);
    expect(await page.evaluate('window.rapportTransport')).toBe(transport);
    return page;
  }

  test('When a client opens /chat?locale=zh-CN, asks about project financing, files a complaint and rates it on the card, then the answer, the CMP- reference and the thanks appear in Chinese', async () => {
    const page = await openChat('locale=zh-CN');
    expect(await page.locator('#bank-name').innerText()).toContain('融通银行');
    expect((await botTexts(page))[0]).toContain('融通银行');
    expect(await page.evaluate('getComputedStyle(document.querySelector("header")).backgroundColor')).toBe('rgb(11, 95, 165)');

    const answer = await expectReply(page, type(page, '项目融资是什么'), /现金流/);
    expect(answer).toMatch(/项目融资/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-zh-answer.png') });
    await expectReply(page, press(page, '是'), /.+/);

    await expectReply(page, type(page, '我要投诉'), /您要投诉哪一类问题/);
    await expectReply(page, press(page, '收费问题'), /请简要描述/);
    await expectReply(page, type(page, '上个月的账户管理费被重复扣了两次，请退还多收的部分'), /紧急程度/);
    await expectReply(page, press(page, '高'), /如何联系您/);
    await expectReply(page, type(page, '138 1234 5678'), /请确认您的投诉信息/);
    const filed = await expectReply(page, press(page, '确认提交'), /CMP-\d{8}-[0-9A-Z]{4}/);
    expect(filed).toMatch(/您的投诉已受理/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-zh-complaint.png') });

    // The satisfaction question comes as an Adaptive Card: choose 5 and submit it.
    const card = page.locator('.ac-adaptiveCard').last();
    await card.waitFor({ timeout: 15000 });
    await card.getByText('5', { exact: true }).click();
    const thanks = await expectReply(page, press(page, '提交'), /感谢您的评分/);
    expect(thanks).toContain('5/5');
    await page.close();
  }, 90000);

  test('When a client books a callback through the buttons in Chinese, then the booking is confirmed with a CBK- reference', async () => {
    const page = await openChat('locale=zh-CN');
    await expectReply(page, press(page, '预约回电'), /回电/);
    await expectReply(page, press(page, '贷款咨询'), /什么时候/);
    await expectReply(page, type(page, '下周二下午三点'), /号码/);
    const summary = await expectReply(page, type(page, '138 1234 5678'), /\+8613812345678/);
    expect(summary).toMatch(/贷款咨询/);
    const booked = await expectReply(page, press(page, '是'), /CBK-\d{8}-[0-9A-Z]{4}/);
    expect(booked).toMatch(/15:00/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-zh-callback.png') });
    await page.close();
  }, 90000);

  test('When a client opens /chat?locale=en on a network without WebSockets (polling), asks about project financing and files a complaint, then the answer and the CMP- reference appear in English', async () => {
    const page = await openChat('locale=en&transport=polling', 'polling');
    expect(await page.locator('#bank-name').innerText()).toContain('Rongtong Bank');
    await expectReply(page, type(page, 'What is project financing?'), /cash flow/i);
    await expectReply(page, press(page, 'Yes'), /.+/);
    await expectReply(page, type(page, 'I want to complain'), /What is your complaint about/);
    // Category titles longer than 20 characters make botbuilder's ChoicePrompt list them as numbered text, not buttons.
    await expectReply(page, type(page, '2'), /Please describe what happened/);
    await expectReply(page, type(page, 'The account management fee was taken twice last month, please refund it'), /How urgent is it/);
    await expectReply(page, press(page, 'High'), /How should we reach you/);
    await expectReply(page, type(page, 'li.wei@example.com'), /Please check your complaint/);
    const filed = await expectReply(page, press(page, 'Submit'), /CMP-\d{8}-[0-9A-Z]{4}/);
    expect(filed).toMatch(/Your complaint has been filed/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-en-complaint.png') });
    await page.close();
  }, 90000);
});
