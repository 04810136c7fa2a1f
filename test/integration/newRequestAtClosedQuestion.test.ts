/**
 * The whole app with the shipped model: where the bot waits for a closed answer (the 1-5 rating
 * right after a booking, "did this answer your question?"), a client who types a new request gets
 * it handled in the same turn, not "that is not a score" or "please reply yes or no"; a reply that
 * is neither an answer nor a request is still asked again.
 */
import { createLocalizer } from '../support/dialogHarness';
import { messageActivity, send, startApp, type RunningApp } from '../support/appHarness';
import type { FollowUpService } from '../../services/followups/followUpService';

const localizer = createLocalizer();
const CBK = /CBK-\d{8}-[A-Z2-9]{4}/;

describe('A new request typed where the bot waits for a closed answer, through the app', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ storage: 'embedded' });
  });
  afterAll(async () => {
    await running?.stop();
  });

  /** Books next Tuesday 10:00 (or the first time offered) and returns the reference; the rating question is then open. */
  async function book(conversationId: string, locale: 'zh-CN' | 'en'): Promise<{ reference: string; say: (text: string) => Promise<string> }> {
    const say = async (text: string) => {
      const { status, replies } = await send(running.baseUrl, messageActivity(conversationId, text, { locale }));
      expect(status).toBe(200);
      return replies.map((r) => [r.text ?? '', ...(r.suggestedActions?.actions ?? []).map((a: { title: string }) => `[${a.title}]`)].join(' ')).join('\n');
    };
    const script = locale === 'en' ? ["I'd like a callback", 'Repayment', 'next Tuesday 10:00'] : ['预约回电', '还款', '下周二上午10点'];
    let last = '';
    for (const line of script) last = await say(line);
    if (!last.includes(localizer.t(locale, 'callback.phonePrompt').slice(0, 8))) {
      // Next Tuesday is not open (a holiday): take the first time offered.
      const offered = /\[([^\]]+)\]/.exec(last)?.[1];
      if (!offered) throw new Error(`no time offered: ${last}`);
      await say(offered);
    }
    await say(locale === 'en' ? '+86 138 1234 5678' : '13812345678');
    const booked = await say(locale === 'en' ? 'yes' : '是');
    const reference = CBK.exec(booked)?.[0];
    if (!reference) throw new Error(`not booked: ${booked}`);
    return { reference, say };
  }

  test('When a client types "查看我的预约" instead of a rating, then the bookings are listed at once and no score is asked for', async () => {
    const { reference, say } = await book('new-request-zh', 'zh-CN');
    const reply = await say('查看我的预约');
    expect(reply).toContain(localizer.t('zh-CN', 'callback.listHeader'));
    expect(reply).toContain(reference);
    expect(reply).not.toContain('没能识别这个分数');
  });

  test('When a client asks about branch hours instead of a rating, then the answer comes at once and no score is asked for', async () => {
    const { say } = await book('new-request-en', 'en');
    const reply = await say('what are your branch opening hours?');
    expect(reply.toLowerCase()).toContain('opening hours');
    expect(reply).not.toContain("couldn't read that as a score");
  });

  test('When a client answers "hmm", then the rating is asked again; a score after it is thanked', async () => {
    const { say } = await book('new-request-vague', 'en');
    const vague = await say('hmm');
    expect(vague).toContain("couldn't read that as a score");
    const rated = await say('4');
    expect(rated).toContain('4/5');
  });

  test.each([
    ['zh-CN', '网银怎么开通', '那手续费怎么收', '请回复“是”或“否”'],
    ['en', 'how do I open online banking?', 'and what are your fees?', 'Please reply "yes" or "no"'],
  ] as const)('When a client in %s asks a follow-up question instead of saying whether the answer helped, then the follow-up is answered at once', async (locale, question, followUp, reask) => {
    const conversation = `new-request-inquiry-${locale}`;
    const say = async (text: string) => (await send(running.baseUrl, messageActivity(conversation, text, { locale }))).replies.map((r) => r.text ?? '').join('\n');
    expect(await say(question)).toContain(localizer.t(locale, 'inquiry.helpfulQuestion'));
    const reply = await say(followUp);
    expect(reply).not.toContain(reask);
    expect(reply).toContain(localizer.t(locale, 'inquiry.helpfulQuestion'));
    expect(reply).toMatch(locale === 'en' ? /fee/i : /费/);
  });

  test.each([
    ['zh-CN', '2', '查看我的预约'],
    ['en', '2', 'show my callbacks'],
  ] as const)('When a client in %s rates the booking poorly and answers the callback offer with a request, then the request is handled and the manager\'s task stays open', async (locale, score, request) => {
    const { reference, say } = await book(`new-request-offer-${locale}`, locale);
    const offer = await say(score);
    expect(offer).toContain(localizer.t(locale, 'campaign.followUpYes'));
    const reply = await say(request);
    expect(reply).toContain(localizer.t(locale, 'callback.listHeader'));
    expect(reply).toContain(reference);
    expect(reply).not.toContain(localizer.t(locale, 'campaign.followUpYes'));
    const tasks = await (running.app.parts.followUps as FollowUpService).listOpen();
    expect(tasks.filter((task) => task.userId === `user-new-request-offer-${locale}`)).toMatchObject([{ reason: 'low_csat', score: 2, status: 'open' }]);
  });

  test.each([
    ['zh-CN', '预约回电', '还款', '查看我的预约'],
    ['en', "I'd like a callback", 'Repayment', 'show my callbacks'],
  ] as const)('When a client in %s asks for their bookings where the booking asks for a time, then they are listed and nothing more is booked', async (locale, start, topic, request) => {
    const { reference, say } = await book(`new-request-time-${locale}`, locale);
    await say('5');
    await say(start);
    expect(await say(topic)).toContain(localizer.t(locale, 'callback.dateTimePrompt').slice(0, 8));
    const reply = await say(request);
    expect(reply).toContain(localizer.t(locale, 'callback.listHeader'));
    expect(reply).toContain(reference);
    expect((reply.match(/CBK-\d{8}-[A-Z2-9]{4}/g) ?? []).every((r) => r === reference)).toBe(true);
  });
});
