/**
 * The whole app with the shipped model: with NLU_CLARIFY_MARGIN at 1 every message whose two most
 * likely intents both lead to a dialog is asked about, so a callback request gets "which do you
 * mean?" with the shipped model's top intent first; tapping it starts that dialog. At 0 the same
 * message goes straight to the booking dialog. (The default, 0.3, asks only on near ties.)
 */
import { createLocalizer } from '../support/dialogHarness';
import { messageActivity, send, startApp, type RunningApp } from '../support/appHarness';

const localizer = createLocalizer();
const REQUEST = '我想预约客户经理给我回个电话';

describe('Asking which intent the client means, through the app', () => {
  let always: RunningApp;
  let never: RunningApp;

  beforeAll(async () => {
    always = await startApp({ storage: 'embedded', env: { NLU_CLARIFY_MARGIN: '1' } });
    never = await startApp({ storage: 'embedded', env: { NLU_CLARIFY_MARGIN: '0' } });
  });
  afterAll(async () => {
    await always?.stop();
    await never?.stop();
  });

  test('When every close call is asked about, then a callback request gets the question with booking first, and tapping it starts the booking', async () => {
    const { status, replies } = await send(always.baseUrl, messageActivity('clarify-1', REQUEST));
    expect(status).toBe(200);
    const question = replies.find((r) => typeof r.text === 'string' && r.text.includes(localizer.t('zh-CN', 'main.clarifyQuestion')));
    expect(question).toBeDefined();
    const titles = (question.suggestedActions?.actions ?? []).map((a: { title: string }) => a.title);
    expect(titles[0]).toBe(localizer.t('zh-CN', 'main.intentNames.callback_book'));
    expect(titles).toHaveLength(3);
    expect(titles[2]).toBe(localizer.t('zh-CN', 'main.clarifyNeither'));
    const next = await send(always.baseUrl, messageActivity('clarify-1', titles[0]));
    expect(next.replies.map((r) => r.text).join('\n')).toContain(localizer.t('zh-CN', 'callback.topicPrompt'));
  });

  test('When asking is off, then the same request starts the booking at once', async () => {
    const { replies } = await send(never.baseUrl, messageActivity('clarify-2', REQUEST));
    const texts = replies.map((r) => r.text).join('\n');
    expect(texts).toContain(localizer.t('zh-CN', 'callback.topicPrompt'));
    expect(texts).not.toContain(localizer.t('zh-CN', 'main.clarifyQuestion'));
  });
});
