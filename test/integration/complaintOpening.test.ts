/**
 * The whole app with the shipped model: a client who opens with the whole complaint is not asked
 * to describe it again. The router hands the message to the complaint dialog, which keeps it as
 * the description and takes the one category it names, so urgency is the first question.
 */
import { createLocalizer } from '../support/dialogHarness';
import { messageActivity, send, startApp, type RunningApp } from '../support/appHarness';

const localizer = createLocalizer();

describe('A complaint told in the first message, through the app', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ storage: 'embedded' });
  });
  afterAll(async () => {
    await running?.stop();
  });

  test.each([
    ['zh-CN', '我要投诉，你们的网银转账总是失败，已经三天了，影响我们给供应商付款', '13812345678'],
    ['en', 'I want to complain: your online banking transfers have failed for three days and we cannot pay our suppliers', 'li.wei@example.com'],
  ] as const)('When a client opens in %s with the whole story, then urgency is asked first and the summary holds their words and the category', async (locale, story, contact) => {
    const conversation = `complaint-opening-${locale}`;
    const say = async (text: string) => {
      const { status, replies } = await send(running.baseUrl, messageActivity(conversation, text, { locale }));
      expect(status).toBe(200);
      return replies.map((r) => r.text ?? '').join('\n');
    };
    const first = await say(story);
    expect(first).toContain(localizer.list(locale, 'complaint.askSeverity')[0]);
    expect(first).not.toContain(localizer.t(locale, 'complaint.askCategory'));
    await say(localizer.t(locale, 'complaint.severity.high'));
    const summary = await say(contact);
    expect(summary).toContain(story);
    expect(summary).toContain(localizer.t(locale, 'complaint.category.online_banking'));
  });
});
