/**
 * Follow-through on poor scores, in both languages: an NPS detractor or a CSAT of 1-2 (the
 * feedback survey, the quick CSAT, a campaign survey) opens one task for the relationship
 * manager or the service desk and offers a callback; yes starts the booking with the topic
 * filled in and the reference goes on the task; no is thanked.
 */
import { campaignResponseSurveyId } from '../../../services/campaigns/campaign';
import type { Language } from '../../../services/i18n/localizer';
import { SERVICE_DESK } from '../../../services/followups/followUpService';
import { dialogClient } from '../../support/dialogHarness';
import { CHAT_USER, NOW, TEST_CONVERSATION, campaignWorld, say, turn, type CampaignWorld } from './campaignWorld';

const LANGUAGES: Language[] = ['zh-CN', 'en'];
const ASK_FOR_THE_CALL = { 'zh-CN': '好的，请给我回电', en: 'yes, please call me back' } as const;
const OWN_QUESTION = { 'zh-CN': '贷款利率是多少', en: 'what is the loan interest rate' } as const;
const WORDS = {
  'zh-CN': { start: '你好', chat: '网银', skip: '跳过', noThanks: '不用了', time: '明天下午三点', phone: '13812345678', confirm: '是', unclear: '利率是多少' },
  en: { start: 'hi', chat: 'online banking', skip: 'skip', noThanks: 'no thanks', time: 'tomorrow at 3pm', phone: '13812345678', confirm: 'yes', unclear: 'what is the rate' },
} as const;

describe.each(LANGUAGES)('Follow-through (%s)', (language) => {
  const w = WORDS[language];
  const t = (world: CampaignWorld, key: string, params?: Record<string, string | number>) => world.localizer.t(language, key, params);
  const buttons = (world: CampaignWorld) => `[${t(world, 'campaign.followUpYes')}]\n[${t(world, 'campaign.followUpNo')}]`;

  test('When a client gives an NPS detractor score in the feedback survey and taps no, then a task is open for their relationship manager and they are thanked', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = dialogClient(world.dialogs.survey, { surveyId: 'service-satisfaction' });
    for (const answer of [w.start, '4', '3', w.chat, w.skip]) await say(client, answer, language);
    const last = await say(client, w.skip, language);
    expect(last).toContain(t(world, 'survey.thanks'));
    expect(last).toContain(t(world, 'campaign.followUpOfferManager'));
    expect(last).toContain(buttons(world));
    expect(await world.followUps.listOpen('rm-zhao')).toMatchObject([{ customerId: customer.id, reason: 'detractor', score: 3, surveyId: 'service-satisfaction', status: 'open', createdAt: NOW }]);

    const reply = await say(client, t(world, 'campaign.followUpNo'), language);
    expect(reply).toBe(t(world, 'campaign.followUpThanksDeclined'));
    expect(client.dialogTurnResult.result).toMatchObject({ outcome: 'completed', answers: { overall: 4, recommend: 3 } });
    expect((await world.followUps.listOpen())[0].callbackReference).toBeUndefined();
  });

  test('When the client answers the offer with 不用了 / no thanks (a cancel or decline word elsewhere), then it is a no and they are thanked', async () => {
    const world = await campaignWorld();
    await world.linkedCustomer();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'complaint', reference: 'CMP-20261130-0001' });
    await say(client, w.start, language);
    const offer = await say(client, '2', language);
    expect(offer).toContain(t(world, 'survey.csatThanks', { score: 2 }));
    expect(offer).toContain(t(world, 'campaign.followUpOfferManager'));
    const reply = await say(client, w.noThanks, language);
    expect(reply).toBe(t(world, 'campaign.followUpThanksDeclined'));
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'answered', score: 2 });
    expect(await world.followUps.listOpen()).toMatchObject([{ reason: 'low_csat', score: 2, surveyId: 'quick-csat', assignee: 'rm-zhao' }]);
  });

  test('When a client no customer is linked to rates 1 and says yes, then the booking starts at the time question with the topic filled in, and the booked reference goes on the service-desk task', async () => {
    const world = await campaignWorld();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'callback', reference: 'CBK-1' });
    await say(client, w.start, language);
    const offer = await say(client, '1', language);
    expect(offer).toContain(t(world, 'campaign.followUpOfferDesk'));
    const booking = await say(client, t(world, 'campaign.followUpYes'), language);
    expect(booking).toContain(t(world, 'callback.dateTimePrompt'));
    expect(booking).not.toContain(t(world, 'callback.topicPrompt'));
    expect(await say(client, w.time, language)).toContain(t(world, 'callback.phonePrompt'));
    expect(await say(client, w.phone, language)).toContain(t(world, 'campaign.callbackTopic'));
    const booked = await say(client, w.confirm, language);
    expect(booked).toContain(t(world, 'campaign.followUpThanksBooked'));
    const [task] = await world.followUps.listOpen(SERVICE_DESK);
    expect(task).toMatchObject({ reason: 'low_csat', score: 1, callbackReference: expect.stringMatching(/^CBK-/) });
    expect(booked).toContain(task.callbackReference);
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'answered', score: 1 });
  });

  test('When the client answers the offer by asking for the call in words, then it is a yes (not a new booking elsewhere) and the booking starts with the topic filled in', async () => {
    const world = await campaignWorld({ newRequests: { [ASK_FOR_THE_CALL[language]]: 'callback_book' } });
    const client = dialogClient(world.dialogs.quickCsat, { context: 'callback', reference: 'CBK-1' });
    await say(client, w.start, language);
    await say(client, '1', language);
    const booking = await say(client, ASK_FOR_THE_CALL[language], language);
    expect(booking).toContain(t(world, 'callback.dateTimePrompt'));
    expect(booking).not.toContain(t(world, 'callback.topicPrompt'));
    expect(client.dialogTurnResult.status).toBe('waiting');
  });

  test('When the time the client picks becomes theirs from another chat before they confirm, then the booking says so and the task still gets that callback', async () => {
    const world = await campaignWorld();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'callback', reference: 'CBK-1' });
    await say(client, w.start, language);
    await say(client, '1', language);
    await say(client, t(world, 'campaign.followUpYes'), language);
    await say(client, w.time, language);
    await say(client, w.phone, language);
    const elsewhere = await world.callbacks.book({
      channelId: CHAT_USER.channelId, userId: CHAT_USER.userId, conversationId: 'another-chat', language, topic: 'other', phone: '+8613812345678',
      slotStart: new Date('2026-12-01T15:00:00+08:00'),
    });
    expect(elsewhere.booked).toBe(true);
    const reply = await say(client, w.confirm, language);
    expect(reply).toContain(t(world, 'campaign.followUpThanksBooked'));
    const [task] = await world.followUps.listOpen(SERVICE_DESK);
    expect(task.callbackReference).toBe(elsewhere.booked ? elsewhere.callback.reference : '');
    expect(await world.callbacks.listForUser(CHAT_USER.channelId, CHAT_USER.userId)).toHaveLength(1);
  });

  test('When a client gives a detractor score and then asks something else in the survey, then the task still opens for the manager, without an offer, and the survey ends as rerouted', async () => {
    const world = await campaignWorld({ newRequests: { [OWN_QUESTION[language]]: 'inquiry_rates' } });
    const customer = await world.linkedCustomer();
    const client = dialogClient(world.dialogs.survey, { surveyId: 'service-satisfaction' });
    for (const answer of [w.start, '4']) await say(client, answer, language);
    expect(await say(client, '3', language)).toContain(t(world, 'survey.progress', { position: 3, total: 5 }));
    const reply = await say(client, OWN_QUESTION[language], language);
    expect(reply).not.toContain(t(world, 'campaign.followUpOfferManager'));
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'rerouted' });
    expect(await world.followUps.listOpen('rm-zhao')).toMatchObject([{ customerId: customer.id, reason: 'detractor', score: 3, status: 'open' }]);
  });

  test('When the client asks for a person instead of answering the offer, then the handoff is requested and the task stays open', async () => {
    const world = await campaignWorld();
    await world.linkedCustomer();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'complaint' });
    await say(client, w.start, language);
    await say(client, '1', language);
    const reply = await say(client, language === 'en' ? 'talk to a person' : '转人工', language);
    expect(reply).not.toContain(t(world, 'campaign.followUpThanksDeclined'));
    expect(await world.handoffRepository.listByConversation(CHAT_USER.channelId, TEST_CONVERSATION)).toHaveLength(1);
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'answered', score: 1 } });
    expect(await world.followUps.listOpen()).toMatchObject([{ score: 1, status: 'open' }]);
  });

  test('When the client cancels the callback booking the offer started, then the booking answers the cancel, the client is thanked and no callback is stored', async () => {
    const world = await campaignWorld();
    await world.linkedCustomer();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'complaint' });
    await say(client, w.start, language);
    await say(client, '2', language);
    await say(client, t(world, 'campaign.followUpYes'), language);
    const reply = await say(client, language === 'en' ? 'cancel' : '取消', language);
    expect(reply).toContain(t(world, 'common.cancelled'));
    expect(reply).toContain(t(world, 'campaign.followUpThanksDeclined'));
    expect((await world.followUps.listOpen())[0].callbackReference).toBeUndefined();
    expect(await world.callbacks.listForUser(CHAT_USER.channelId, CHAT_USER.userId)).toEqual([]);
  });

  test('When the score is good, then no task is opened and nothing is offered', async () => {
    const world = await campaignWorld();
    await world.linkedCustomer();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'complaint' });
    await say(client, w.start, language);
    const reply = await say(client, '3', language);
    expect(reply).toBe(t(world, 'survey.csatThanks', { score: 3 }));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'answered', score: 3 } });
    expect(await world.followUps.listOpen()).toEqual([]);
  });

  test('When the client rates poorly again, then the same task stays the one open task', async () => {
    const world = await campaignWorld();
    await world.linkedCustomer();
    for (const score of ['2', '1']) {
      const client = dialogClient(world.dialogs.quickCsat, { context: 'complaint' });
      await say(client, w.start, language);
      await say(client, score, language);
      await say(client, t(world, 'campaign.followUpNo'), language);
    }
    expect(await world.followUps.listOpen()).toMatchObject([{ score: 2 }]);
  });

  test('When the client keeps answering the offer with something else, then after three tries it counts as a no and the client is free', async () => {
    const world = await campaignWorld();
    await world.linkedCustomer();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'complaint' });
    await say(client, w.start, language);
    await say(client, '1', language);
    expect(await say(client, w.unclear, language)).toContain(t(world, 'campaign.followUpRetry'));
    expect(await say(client, w.unclear, language)).toContain(t(world, 'campaign.followUpRetry'));
    expect(await say(client, w.unclear, language)).toBe(t(world, 'campaign.followUpThanksDeclined'));
    expect(client.dialogTurnResult.status).toBe('complete');
  });

  test('When a campaign survey gets a detractor score, then the recipient is responded before the callback offer and the task carries the campaign', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-nps', customer.id);
    const client = dialogClient(world.dialogs.campaign, { campaignId: 'camp-nps', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' });
    await turn(client, { type: 'event', name: 'campaign.deliver', locale: language });
    for (const answer of ['5', '0', w.chat, w.skip]) await say(client, answer, language);
    expect(await say(client, w.skip, language)).toContain(t(world, 'campaign.followUpOfferManager'));
    expect(await world.recipients.get('camp-nps', customer.id)).toMatchObject({ state: 'responded', respondedAt: NOW }); // before the offer is answered
    expect(await world.followUps.listOpen()).toMatchObject([{ campaignId: 'camp-nps', surveyId: 'service-satisfaction', reason: 'detractor', score: 0, customerId: customer.id }]);
    expect(await say(client, t(world, 'campaign.followUpNo'), language)).toBe(t(world, 'campaign.followUpThanksDeclined'));
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'responded' });
    expect(await world.responses.get(campaignResponseSurveyId('camp-nps'), customer.id)).toMatchObject({ answers: { recommend: 0 } });
  });
});
