/**
 * Handoff over real HTTP on Redis + the Mongo-wire server: the client queues, an agent (the
 * desk in app.parts.handoff, as the console calls it) claims, both sides talk (the client's
 * messages skip the dialogs and reach the desk as events; the agent's replies reach a stub
 * channel server as proactive messages), the agent ends and the client gets the CSAT question.
 */
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { eventually } from '../support/eventually';
import type { HandoffEvent, StaffRef } from '../../services/handoff/handoffDesk';
import type { HandoffService } from '../../services/handoff/handoffService';

const agent: StaffRef = { staffId: 'agent-li', displayName: '李敏', role: 'agent' };

describe('Handoff relay over HTTP (Redis + Mongo)', () => {
  let running: RunningApp;
  let channel: StubChannel;
  let desk: HandoffService;
  beforeAll(async () => {
    running = await startApp({ storage: 'services', env: { HANDOFF_STAFF_HOURS: 'always' } });
    channel = await startStubChannel();
    desk = running.app.parts.handoff as HandoffService;
  });
  afterAll(async () => { await running.stop(); await channel.close(); });

  const talk = async (id: string, text: string, locale = 'zh-CN') => (await send(running.baseUrl, messageActivity(id, text, { locale, serviceUrl: channel.url }))).replies;
  const texts = (replies: any[]) => replies.map((r) => r.text ?? '').join('\n');
  const delivered = (id: string) => channel.delivered(id).map((r) => r.body);
  const caseOf = async (id: string) => (await desk.openCaseFor('emulator', id))!;

  test('When a client asks for a person, is claimed, talks with the agent and is handed back, then both sides get every message and the client is offered the CSAT survey', async () => {
    const id = `handoff-${Date.now()}`;
    const events: HandoffEvent[] = [];
    const unsubscribe = desk.subscribe((e) => events.push(e));
    try {
      const queued = await talk(id, '转人工');
      expect(texts(queued)).toContain('您目前排在第');
      expect(queued.find((r) => r.type === 'event')).toMatchObject({ name: 'handoff.initiate', value: { reason: 'client_request' } });
      expect(texts(await talk(id, '还要等多久？'))).toContain('您仍在排队等待人工客服');
      await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();

      const handoffCase = await caseOf(id);
      await desk.claim(handoffCase.caseId, agent);
      await eventually(() => expect(delivered(id).map((b) => b.name ?? b.text)).toEqual(['handoff.status', '人工客服李敏已接入，请问有什么可以帮您？']));

      const relayed = await talk(id, '我的贷款还款日是哪天？');
      expect(relayed).toEqual([]);
      await eventually(() => expect(events).toContainEqual(expect.objectContaining({ type: 'message', message: expect.objectContaining({ from: 'client', text: '我的贷款还款日是哪天？' }) })));

      await desk.reply(handoffCase.caseId, agent, '您好，每月20日还款。');
      expect(delivered(id).at(-1)).toMatchObject({ type: 'message', text: '您好，每月20日还款。' });
      expect((await desk.messages(handoffCase.caseId)).map((m) => m.from)).toEqual(['client', 'staff']);

      await running.app.parts.transcriptLogger.flush(5000);
      const transcript = await running.app.parts.transcriptStore.getTranscriptActivities('emulator', id);
      const logged = transcript.items.map((a) => a.text);
      expect(logged).toEqual(expect.arrayContaining(['我的贷款还款日是哪天？', '您好，每月20日还款。']));

      await desk.end(handoffCase.caseId, agent, 'bot');
      await eventually(() => expect(delivered(id).map((b) => b.text ?? b.summary ?? b.name).slice(-2)).toEqual([
        '人工客服已结束本次服务，接下来由智能客服继续为您服务。', expect.stringContaining('本次办理是否方便'),
      ]));
      expect(texts(await talk(id, '5'))).toContain('感谢您的评分（5/5）');
      expect(await desk.openCaseFor('emulator', id)).toBeUndefined();
      await eventually(() => expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['queued', 'claimed', 'message', 'ended'])));
    } finally {
      unsubscribe();
    }
  });

  test('When a queued client types "cancel", then they leave the queue and the bot answers again', async () => {
    const id = `handoff-cancel-${Date.now()}`;
    expect(texts(await talk(id, 'I want to talk to a person', 'en'))).toContain('You are number');
    const left = await talk(id, 'cancel', 'en');
    expect(texts(left)).toContain("you've left the queue");
    expect(left.find((r) => r.type === 'event')).toMatchObject({ name: 'handoff.status', value: { status: 'bot' } });
    expect(await desk.openCaseFor('emulator', id)).toBeUndefined();
    expect(texts(await talk(id, 'What are your business hours?', 'en'))).not.toContain('queue');
  });

  test('When a client types "退订" while queued or talking with an agent, then they are opted out and told so, the agent still sees the message and the handoff goes on', async () => {
    const optOuts = running.app.parts.optOuts as { isChannelUserOptedOut(u: { channelId: string; userId: string }): Promise<boolean> };
    const queuedId = `handoff-optout-queued-${Date.now()}`;
    await talk(queuedId, '转人工');
    expect(await optOuts.isChannelUserOptedOut({ channelId: 'emulator', userId: `user-${queuedId}` })).toBe(false);
    expect(texts(await talk(queuedId, '退订'))).toContain('退订');
    expect(await optOuts.isChannelUserOptedOut({ channelId: 'emulator', userId: `user-${queuedId}` })).toBe(true);
    expect((await caseOf(queuedId)).status).toBe('queued');

    const staffId = `handoff-optout-staff-${Date.now()}`;
    await talk(staffId, 'I want to talk to a person', 'en');
    const handoffCase = await caseOf(staffId);
    await desk.claim(handoffCase.caseId, agent);
    const replies = await talk(staffId, 'unsubscribe', 'en');
    expect(texts(replies)).toMatch(/unsubscribed|no more/i);
    expect(await optOuts.isChannelUserOptedOut({ channelId: 'emulator', userId: `user-${staffId}` })).toBe(true);
    expect((await desk.messages(handoffCase.caseId)).map((m) => m.text)).toContain('unsubscribe');
    expect((await caseOf(staffId)).status).toBe('with_staff');
    await desk.end(handoffCase.caseId, agent, 'bot');
  });

  test('When two messages in a row are not understood and the client taps "Talk to a person", then they are queued', async () => {
    const id = `handoff-misses-${Date.now()}`;
    await talk(id, 'what is the weather like', 'en');
    const second = await talk(id, 'write me a poem about the sea', 'en');
    expect(second.flatMap((r) => r.suggestedActions?.actions?.map((a: any) => a.title) ?? [])).toContain('Talk to a person');
    expect(texts(await talk(id, 'Talk to a person', 'en'))).toContain('You are number');
    expect((await caseOf(id)).status).toBe('queued');
  });

  test('When a client sends three negative messages in a row, then a person is brought in with reason negative_sentiment', async () => {
    const id = `handoff-sentiment-${Date.now()}`;
    await talk(id, '你们的服务太差了');
    await talk(id, '真是浪费时间，答非所问');
    const third = await talk(id, '我很失望，很不满意');
    expect(texts(third)).toContain('很抱歉没能让您满意，我为您转接人工客服。');
    expect(texts(third)).toContain('您目前排在第');
    expect(third.find((r) => r.type === 'event')).toMatchObject({ name: 'handoff.initiate', value: { reason: 'negative_sentiment' } });
    expect((await caseOf(id)).reason).toBe('negative_sentiment');
  });

  test('When an English-speaking client reports matters that AFINN scores negative and then says "stop", then nobody is brought in and the client is opted out', async () => {
    const id = `handoff-matters-${Date.now()}`;
    await talk(id, 'I lost my token', 'en');
    await talk(id, 'where is my complaint?', 'en');
    const stop = await talk(id, 'stop', 'en');
    expect(texts(stop)).not.toContain("I'm sorry this hasn't gone well");
    expect(await desk.openCaseFor('emulator', id)).toBeUndefined();
    const optOuts = running.app.parts.optOuts as { isChannelUserOptedOut(u: { channelId: string; userId: string }): Promise<boolean> };
    expect(await optOuts.isChannelUserOptedOut({ channelId: 'emulator', userId: `user-${id}` })).toBe(true);
  });

  test('When an English-speaking client is angry three times in a row, then a person is brought in with reason negative_sentiment', async () => {
    const id = `handoff-sentiment-en-${Date.now()}`;
    await talk(id, 'What a horrible waste of my time', 'en');
    await talk(id, 'the transfer failed again, this is ridiculous', 'en');
    const third = await talk(id, 'not helpful at all', 'en');
    expect(texts(third)).toContain("I'm sorry this hasn't gone well");
    expect((await caseOf(id)).reason).toBe('negative_sentiment');
  });

  test('When a client vents while filing a complaint, then the complaint goes on to its reference and nobody is queued mid-complaint', async () => {
    const id = `handoff-vent-complaint-${Date.now()}`;
    expect(texts(await talk(id, '我要投诉'))).toContain('投诉哪一类');
    await talk(id, '收费问题');
    expect(texts(await talk(id, '太差了，气死我了'))).toMatch(/至少|10/);
    expect(texts(await talk(id, '你们乱收费太差了，很不满意，浪费时间，一直没人解释'))).toContain('紧急程度');
    expect(texts(await talk(id, '烦死了，太差了'))).toMatch(/“高”/);
    await talk(id, '高');
    await talk(id, '13812345678');
    const filed = texts(await talk(id, '确认提交'));
    expect(filed).toMatch(/CMP-\d{8}-[A-Z2-9]{4}/);
    expect(filed).not.toContain('为您转接人工客服');
    expect(await desk.openCaseFor('emulator', id)).toBeUndefined();
  });
});

describe('Handoff outside staff hours (embedded storage)', () => {
  let running: RunningApp;
  beforeAll(async () => { running = await startApp({ storage: 'embedded', env: { HANDOFF_STAFF_HOURS: 'never' } }); });
  afterAll(async () => { await running.stop(); });

  test('When a client asks for a person while no agent is on duty, then a callback is offered and nothing is queued', async () => {
    const id = `handoff-offhours-${Date.now()}`;
    const { replies } = await send(running.baseUrl, messageActivity(id, '转人工'));
    expect(replies.map((r) => r.text).join('\n')).toContain('现在不是人工客服的服务时间');
    expect(replies.flatMap((r) => r.suggestedActions?.actions?.map((a: any) => a.title) ?? [])).toContain('预约回电');
    expect(await (running.app.parts.handoff as HandoffService).listQueue()).toEqual([]);
  });
});
