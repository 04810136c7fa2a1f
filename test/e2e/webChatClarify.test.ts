/**
 * "Which did you mean?" on the Web Chat page in a real browser: the question comes with the two
 * intents and "something else" as buttons (every title fits Web Chat's 20-character limit for
 * suggested actions, so none falls back to a numbered list), and a click starts the chosen dialog.
 * NLU_CLARIFY_MARGIN=1 makes the app ask whenever both likeliest intents lead to a dialog, so the
 * question does not depend on how close the shipped model's two scores happen to be.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../support/appHarness';
import { createLocalizer } from '../support/dialogHarness';
import { ACTIVITY, ARTIFACTS, expectReply, launchChromium, pressAction, typeAction, type Chromium } from '../support/browser';
import type { Language } from '../../services/i18n/localizer';

const localizer = createLocalizer();
const escape = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

describe('Asking which intent the client means, on the Web Chat page', () => {
  let running: RunningApp;
  let browser: Chromium;
  beforeAll(async () => {
    running = await startApp({ storage: 'embedded', env: { NLU_CLARIFY_MARGIN: '1' } });
    browser = await launchChromium({ viewport: { width: 900, height: 1000 } });
  }, 60000);
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  async function openChat(language: Language): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${running.baseUrl}/chat?locale=${language}`);
    await page.waitForSelector(ACTIVITY, { timeout: 20000 });
    return page;
  }

  const buttonTitles = (page: Page) => page.$$eval('.webchat__suggested-action', (nodes) => nodes.map((n) => (n as unknown as { innerText: string }).innerText.trim()));

  test('When an English client asks for a call back, then the question offers booking first as a button, and clicking it starts the booking', async () => {
    const page = await openChat('en');
    const t = (key: string) => localizer.t('en', key);
    await expectReply(page, typeAction(page, 'Please have my relationship manager call me back tomorrow afternoon'), escape(t('main.clarifyQuestion')));
    const titles = await buttonTitles(page);
    expect(titles[0]).toBe(t('main.intentNames.callback_book'));
    expect(titles).toHaveLength(3);
    expect(titles[2]).toBe(t('main.clarifyNeither'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'webchat-en-clarify.png') });
    await expectReply(page, pressAction(page, t('main.intentNames.callback_book')), escape(t('callback.topicPrompt')));
    await page.close();
  }, 60000);

  test('When a Chinese client picks "something else", then nothing starts and the not-understood menu comes', async () => {
    const page = await openChat('zh-CN');
    const t = (key: string) => localizer.t('zh-CN', key);
    await expectReply(page, typeAction(page, '我想请客户经理明天下午给我回个电话'), escape(t('main.clarifyQuestion')));
    expect(await buttonTitles(page)).toContain(t('main.clarifyNeither'));
    await expectReply(page, pressAction(page, t('main.clarifyNeither')), escape(t('main.notUnderstood')));
    await page.close();
  }, 60000);
});
