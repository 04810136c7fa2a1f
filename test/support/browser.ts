/**
 * Chromium for the end-to-end tests (playwright-core on the system's browser, CHROMIUM_PATH or
 * /usr/bin/chromium): a context on a fresh profile, the staff console's sign-in, and reading
 * the bot's side of the Web Chat page.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where the e2e tests leave screenshots: test-artifacts/ at the repo root (made by launchChromium). */
export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/** One rendered activity of the Web Chat page (a bubble or a card, the client's or the bot's). */
export const ACTIVITY = '.webchat__stacked-layout__content';

export interface Chromium {
  context: BrowserContext;
  /** The context's first page. */
  page: Page;
  /** The profile folder, removed by close() (a place for downloads too). */
  profile: string;
  /** Uncaught errors thrown in the first page's scripts, in order: a console test expects none. */
  pageErrors: string[];
  close(): Promise<void>;
}

type ContextOptions = Omit<NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>, 'executablePath' | 'headless' | 'args'>;

/** Headless Chromium on a new profile folder, with the flags the tests run it with (no sandbox, no GPU, no background traffic). */
export async function launchChromium(options: ContextOptions = {}): Promise<Chromium> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-chromium-'));
  const removeProfile = () => fs.rmSync(profile, { recursive: true, force: true });
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, ...options });
  } catch (error) {
    removeProfile();
    throw error;
  }
  const page = context.pages()[0] ?? await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    context, page, profile, pageErrors,
    close: async () => {
      await context.close();
      removeProfile();
    },
  };
}

/** Opens /console, picks the language, signs in and waits until the page greets the staff member by name. */
export async function signInToConsole(page: Page, baseUrl: string, staff: { email: string; password: string; displayName: string }, language: 'zh-CN' | 'en'): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.selectOption('#language', language);
  await page.fill('#email', staff.email);
  await page.fill('#password', staff.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector(`[data-testid=signed-in]:has-text("${staff.displayName}")`);
}

/** The text of every activity the bot sent on the Web Chat page (bubbles and cards), in order. */
export const botTexts = (page: Page): Promise<string[]> => page.$$eval(ACTIVITY, (nodes) => nodes
  .filter((n) => !n.closest('.webchat__stacked-layout--from-user'))
  .map((n) => (n as unknown as { innerText: string }).innerText));

/** Waits for a bot activity after the first `after` ones whose text matches, and returns its text. */
export async function waitForBotText(page: Page, pattern: RegExp, after: number, timeoutMs = 15000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await botTexts(page)).slice(after).find((t) => pattern.test(t));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no bot text matching ${pattern}; got ${JSON.stringify((await botTexts(page)).slice(after))}`);
    await page.waitForTimeout(100);
  }
}

/** Types a message into the Web Chat send box and sends it; returns how many bot activities there were before. */
export async function typeInChat(page: Page, text: string): Promise<number> {
  const before = (await botTexts(page)).length;
  await page.fill('[data-id="webchat-sendbox-input"]', text);
  await page.press('[data-id="webchat-sendbox-input"]', 'Enter');
  return before;
}

/** Runs the action, then waits for an activity rendered after it whose text matches. */
export async function expectReply(page: Page, action: () => Promise<unknown>, pattern: RegExp, timeoutMs = 15000): Promise<string> {
  const before = (await botTexts(page)).length;
  await action();
  return waitForBotText(page, pattern, before, timeoutMs);
}

/** An action that types a message into the chat. */
export const typeAction = (page: Page, text: string) => () => typeInChat(page, text);

/** An action that clicks a suggested action (or a button of a card) by its title; a miss saves a screenshot and lists the buttons offered. */
export const pressAction = (page: Page, title: string) => async () => {
  const button = page.locator('.webchat__suggested-action, .ac-pushButton', { hasText: title }).first();
  try {
    await button.click({ timeout: 10000 });
  } catch (error) {
    await page.screenshot({ path: path.join(ARTIFACTS, `webchat-failed-${Date.now()}.png`) });
    const offered = await page.$$eval('.webchat__suggested-action, .ac-pushButton', (nodes) => nodes.map((n) => (n as unknown as { innerText: string }).innerText));
    throw new Error(`no button "${title}"; offered ${JSON.stringify(offered)}: ${(error as Error).message.split('\n')[0]}`);
  }
};
