/**
 * Teams over real HTTP, on embedded storage and on Redis + Mongo, with activities shaped as Teams sends them (test/fixtures/teams, after
 * the payloads in Microsoft's Teams bot documentation). Two ways of delivery: expectReplies
 * (the replies come back in the HTTP body), and Teams' own, where the bot POSTs its replies to
 * the Bot Connector at the activity's serviceUrl — here a local HTTP server that records them —
 * and an invoke's response is the HTTP body.
 */
import personalConversationUpdate from '../fixtures/teams/personalConversationUpdate.json';
import channelConversationUpdate from '../fixtures/teams/channelConversationUpdate.json';
import channelMessageWithMention from '../fixtures/teams/channelMessageWithMention.json';
import adaptiveCardAction from '../fixtures/teams/adaptiveCardAction.json';
import { startApp, send, type RunningApp } from '../support/appHarness';
import { startStubChannel, type StubChannel } from '../support/stubChannel';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const SURVEY_ID = 'service-satisfaction';
const BOT_ID = personalConversationUpdate.recipient.id;

/** A fixture with its conversation made unique to the test (storage is shared by the file). */
function teamsActivity<T extends { conversation: { id: string } }>(fixture: T, conversationId: string, extra: Record<string, unknown> = {}): T & Record<string, unknown> {
  const activity = structuredClone(fixture) as T & Record<string, unknown>;
  activity.conversation.id = conversationId;
  return Object.assign(activity, extra);
}

/** A personal-chat message from the same client as the install fixture. */
function personalMessage(conversationId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message', id: `${Date.now()}${Math.floor(Math.random() * 1000)}`, text, textFormat: 'plain', locale: 'zh-CN',
    channelId: 'msteams', serviceUrl: adaptiveCardAction.serviceUrl, timestamp: new Date().toISOString(),
    from: adaptiveCardAction.from, recipient: adaptiveCardAction.recipient,
    conversation: { ...adaptiveCardAction.conversation, id: conversationId },
    channelData: { tenant: adaptiveCardAction.channelData.tenant },
    deliveryMode: 'expectReplies',
    ...extra,
  };
}

/** The Action.Execute invoke for a survey question, as Teams posts it when the client presses Submit. */
function surveyAction(conversationId: string, questionId: string, answer: string, extra: Record<string, unknown> = {}) {
  const invoke = teamsActivity(adaptiveCardAction, conversationId, extra);
  invoke.value.action.data = { rapportSurvey: { surveyId: SURVEY_ID, questionId }, answer };
  return invoke;
}

function cardOf(activity: any): any {
  return activity?.attachments?.find((a: any) => a.contentType === ADAPTIVE_CARD)?.content;
}

function questionIdOf(card: any): string | undefined {
  return card?.actions?.[0]?.data?.rapportSurvey?.questionId;
}

async function post(baseUrl: string, activity: object): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const raw = await res.text();
  return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
}

describe.each(['embedded', 'services'] as const)('Teams over HTTP (%s storage)', (storage) => {
  let running: RunningApp;
  let connector: StubChannel;
  let n = 0;
  const conversation = (prefix: string) => `${prefix}:${Date.now()}-${(n += 1)}`;
  const surveyAnswers = async (userId: string) => {
    const responses = running.app.parts.surveyResponses as { get(surveyId: string, key: string): Promise<any> };
    return (await responses.get(SURVEY_ID, `msteams:${userId}`))?.answers ?? {};
  };

  beforeAll(async () => {
    running = await startApp({ storage });
    connector = await startStubChannel();
  });
  afterAll(async () => {
    await running.stop();
    await connector.close();
  });

  test('When a client installs the app in personal scope (tenant id, bot and client in membersAdded), then they get one welcome', async () => {
    const { status, replies } = await send(running.baseUrl, teamsActivity(personalConversationUpdate, conversation('a'), { deliveryMode: 'expectReplies', locale: 'zh-CN' }));
    expect(status).toBe(200);
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain('融通银行');
  });

  test('When Teams announces a personal install with only the bot in membersAdded, then the client is still welcomed', async () => {
    const activity = teamsActivity(personalConversationUpdate, conversation('a'), { deliveryMode: 'expectReplies', locale: 'en-US' });
    activity.membersAdded = [{ id: BOT_ID }];
    const { replies } = await send(running.baseUrl, activity);
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain('Rongtong Bank');
  });

  test('When the bot is added to a team (team id in channelData), then nothing is posted in the channel', async () => {
    const { status, replies } = await send(running.baseUrl, teamsActivity(channelConversationUpdate, `${conversation('19')}@thread.skype`, { deliveryMode: 'expectReplies' }));
    expect(status).toBe(200);
    expect(replies).toEqual([]);
  });

  test('When a channel message says "<at>Rapport</at> 我要投诉", then the mention is stripped, the complaint dialog starts, and every reply is in the thread', async () => {
    const thread = `${conversation('19')}@thread.skype;messageid=1764382865813`;
    const message = teamsActivity(channelMessageWithMention, thread, { deliveryMode: 'expectReplies' });
    const { status, replies } = await send(running.baseUrl, message);
    expect(status).toBe(200);
    const card = replies[0]?.attachments?.[0]?.content;
    expect(card.text).toContain('投诉哪一类');
    // The category buttons show the Chinese labels, not the codes botbuilder's Teams hero card would.
    expect(card.buttons.map((b: { title: string }) => b.title)).toContain('收费问题');
    for (const reply of replies) {
      expect(reply.conversation.id).toBe(thread);
      expect(reply.replyToId).toBe(message.id);
    }

    // The next @mention in the same thread continues the complaint: the category is read without the <at> tag.
    const next = teamsActivity(channelMessageWithMention, thread, { id: '1764382901234', text: '<at>Rapport</at> 收费问题', deliveryMode: 'expectReplies' });
    const second = await send(running.baseUrl, next);
    expect(second.replies.map((r) => r.text ?? r.attachments?.[0]?.content?.text).join('\n')).toContain('描述');

    // Proof the tag is gone: "太差" is too short a description, "<at>Rapport</at> 太差" would not be.
    const tooShort = teamsActivity(channelMessageWithMention, thread, { id: '1764382955555', text: '<at>Rapport</at> 太差', deliveryMode: 'expectReplies' });
    const third = (await send(running.baseUrl, tooShort)).replies.map((r) => r.text ?? '').join('\n');
    expect(third).toMatch(/至少|10/);
    expect(third).not.toContain('紧急程度');
  });

  test('When Teams itself delivers a channel message, then the bot posts the reply to the connector on the thread (conversation id with ;messageid=, reply to the message)', async () => {
    const thread = `${conversation('19')}@thread.skype;messageid=1764382865813`;
    const message = teamsActivity(channelMessageWithMention, thread, { serviceUrl: connector.url });
    const before = connector.received.length;
    const { status } = await post(running.baseUrl, message);
    expect(status).toBe(200);
    const posted = connector.received.slice(before);
    expect(posted.length).toBeGreaterThan(0);
    for (const request of posted) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`/v3/conversations/${thread}/activities/${message.id}`);
      expect(request.body).toMatchObject({ type: 'message', conversation: { id: thread }, replyToId: message.id, from: { id: BOT_ID } });
    }
    expect(posted.map((r) => r.body.attachments?.[0]?.content?.text).join('\n')).toContain('投诉哪一类');
  });

  test('When a survey is asked in Teams, then its card uses Action.Execute (card 1.4) and in Web Chat it still uses Action.Submit', async () => {
    const { replies } = await send(running.baseUrl, personalMessage(conversation('a'), '服务评价'));
    const card = replies.map(cardOf).find(Boolean);
    expect(card.version).toBe('1.4');
    expect(card.actions[0]).toMatchObject({ type: 'Action.Execute', verb: 'rapportSurvey', data: { rapportSurvey: { surveyId: SURVEY_ID, questionId: 'overall' } } });

    const webChat = await send(running.baseUrl, personalMessage(conversation('webchat'), '服务评价', { channelId: 'webchat', from: { id: 'webchat-user' } }));
    const webChatCard = webChat.replies.map(cardOf).find(Boolean);
    expect(webChatCard.version).toBe('1.3');
    expect(webChatCard.actions[0].type).toBe('Action.Submit');
  });

  test('When a client answers a survey card with Action.Execute (expectReplies), then the invoke response is 200 with the answered card and the answer is saved', async () => {
    const id = conversation('a');
    await send(running.baseUrl, personalMessage(id, '服务评价'));
    const { status, replies } = await send(running.baseUrl, surveyAction(id, 'overall', '5', { deliveryMode: 'expectReplies' }));
    expect(status).toBe(200);

    const invokeResponse = replies.find((r) => r.type === 'invokeResponse');
    expect(invokeResponse.value.status).toBe(200);
    expect(invokeResponse.value.body).toMatchObject({ statusCode: 200, type: ADAPTIVE_CARD, value: { type: 'AdaptiveCard' } });
    const answered = JSON.stringify(invokeResponse.value.body.value);
    expect(answered).toContain('已收到您的回答');
    expect(invokeResponse.value.body.value.actions).toBeUndefined();

    const nextCard = replies.filter((r) => r.type === 'message').map(cardOf).find(Boolean);
    expect(questionIdOf(nextCard)).toBe('recommend');
    expect(await surveyAnswers(adaptiveCardAction.from.id)).toMatchObject({ overall: 5 });
  });

  test('When Teams itself posts the Action.Execute invoke, then the HTTP body is the card response and the next question goes to the connector', async () => {
    const id = conversation('a');
    const userId = `29:card-user-${n}`;
    const from = { ...adaptiveCardAction.from, id: userId };
    await send(running.baseUrl, personalMessage(id, '服务评价', { from }));
    await send(running.baseUrl, surveyAction(id, 'overall', '4', { deliveryMode: 'expectReplies', from }));
    const before = connector.received.length;

    const { status, body } = await post(running.baseUrl, surveyAction(id, 'recommend', '9', { from, serviceUrl: connector.url }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ statusCode: 200, type: ADAPTIVE_CARD, value: { type: 'AdaptiveCard', version: '1.4' } });
    const posted = connector.received.slice(before).map((r) => r.body);
    expect(questionIdOf(posted.map(cardOf).find(Boolean))).toBe('channel');
    expect(await surveyAnswers(userId)).toMatchObject({ overall: 4, recommend: 9 });
  });

  test('When an Action.Execute answer is invalid, then the same question card is the refreshed card, posted only once, with the reason as a message', async () => {
    const id = conversation('a');
    const from = { ...adaptiveCardAction.from, id: `29:invalid-user-${n}` };
    await send(running.baseUrl, personalMessage(id, '服务评价', { from }));
    const { replies } = await send(running.baseUrl, surveyAction(id, 'overall', '42', { deliveryMode: 'expectReplies', from }));
    const invokeResponse = replies.find((r) => r.type === 'invokeResponse');
    expect(invokeResponse.value.status).toBe(200);
    expect(questionIdOf(invokeResponse.value.body.value)).toBe('overall');
    const messages = replies.filter((r) => r.type === 'message');
    expect(messages.map(cardOf).filter(Boolean)).toEqual([]);
    expect(messages.map((m) => m.text).join('')).not.toBe('');
    expect(await surveyAnswers(from.id)).toEqual({});
  });

  test('When a callback is booked in a Teams channel thread, then the prompts with buttons are Action.Execute cards, and a pressed button answers the prompt and closes its card', async () => {
    const thread = `${conversation('19')}@thread.skype;messageid=1764383100000`;
    const start = teamsActivity(channelMessageWithMention, thread, { id: '1764383100000', text: '<at>Rapport</at> 预约回电', deliveryMode: 'expectReplies' });
    const { replies } = await send(running.baseUrl, start);
    const topicCard = replies.map(cardOf).find(Boolean);
    expect(topicCard.body[0].text).toContain('什么事项');
    const repayment = topicCard.actions.find((a: any) => a.title === '还款');
    expect(repayment).toMatchObject({ type: 'Action.Execute', verb: 'rapportReply', data: { rapportReply: { text: '还款' } } });

    const invoke = teamsActivity(adaptiveCardAction, thread, {
      from: channelMessageWithMention.from, channelData: channelMessageWithMention.channelData, replyToId: '1764383100001', deliveryMode: 'expectReplies',
    });
    invoke.conversation = { ...channelMessageWithMention.conversation, id: thread } as typeof invoke.conversation;
    invoke.value.action = { ...invoke.value.action, title: repayment.title, verb: repayment.verb, data: repayment.data };
    const pressed = await send(running.baseUrl, invoke);
    const invokeResponse = pressed.replies.find((r) => r.type === 'invokeResponse');
    expect(invokeResponse.value).toMatchObject({ status: 200, body: { statusCode: 200, type: ADAPTIVE_CARD } });
    const closed = JSON.stringify(invokeResponse.value.body.value);
    expect(closed).toContain('什么事项');
    expect(closed).toContain('还款');
    expect(invokeResponse.value.body.value.actions).toBeUndefined();
    const next = pressed.replies.filter((r) => r.type === 'message');
    expect(next.map((r) => r.text).join('\n')).toContain('什么时候给您回电');
    for (const reply of next) expect(reply.conversation.id).toBe(thread);
  });

  test('When an Action.Execute comes with an unknown verb, then it gets a 400 error response and no dialog runs', async () => {
    const invoke = surveyAction(conversation('a'), 'overall', '5', { deliveryMode: 'expectReplies' });
    invoke.value.action.verb = 'somethingElse';
    const { replies } = await send(running.baseUrl, invoke);
    expect(replies.filter((r) => r.type === 'message')).toEqual([]);
    expect(replies.find((r) => r.type === 'invokeResponse').value).toMatchObject({ status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error' } });
  });
});
