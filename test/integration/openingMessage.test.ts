/**
 * The whole app with the shipped model: what a client says in the message that starts a task is
 * not asked again. A complaint told in full is kept as the description with the one category it
 * names, so urgency is the first question; a callback request with a free time and a topic goes
 * straight to the phone number.
 */
import { createLocalizer } from '../support/dialogHarness';
import { DateTime } from 'luxon';
import { messageActivity, send, startApp, type RunningApp } from '../support/appHarness';
import type { BusinessCalendar } from '../../services/calendar/businessCalendar';

const localizer = createLocalizer();

describe('What the first message already says, through the app', () => {
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

  test.each([
    ['zh-CN', '我想预约下周二上午10点回电，聊一下还款的事', 'callback.topic_repayment'],
    ['en', 'Could you call me back next Tuesday at 10am about repayment?', 'callback.topic_repayment'],
  ] as const)('When a client in %s asks for a callback next Tuesday 10:00 about repayment, then the topic is not asked, and the time is not either when that Tuesday is a working day', async (locale, request, topicKey) => {
    const conversation = `callback-opening-${locale}`;
    const say = async (text: string) => (await send(running.baseUrl, messageActivity(conversation, text, { locale }))).replies.map((r) => r.text ?? '').join('\n');
    // "下周二" / "next Tuesday" is the Tuesday of next week (the dialog tests pin this on a fixed clock).
    const nextTuesday = DateTime.now().setZone('Asia/Shanghai').startOf('week').plus({ weeks: 1 }).set({ weekday: 2 });
    const working = (running.app.parts.calendar as BusinessCalendar).isWorkingDay(nextTuesday.set({ hour: 10 }).toJSDate());
    const first = await say(request);
    expect(first).not.toContain(localizer.t(locale, 'callback.topicPrompt'));
    expect(first).toContain(localizer.t(locale, working ? 'callback.phonePrompt' : 'callback.dateTimePrompt').slice(0, 12));
    if (!working) return; // a holiday: the time question explains; the dialog tests cover the rest
    const summary = await say(locale === 'en' ? '+86 138 1234 5678' : '13812345678');
    expect(summary).toContain(localizer.t(locale, topicKey));
    expect(summary).toContain('10:00');
  });
});
