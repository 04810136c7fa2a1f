/**
 * The campaign dialog as the sender starts it (an event turn stands for the proactive turn),
 * then the client's replies, in both languages: a message with the CSAT, a survey stored under
 * the campaign, re-asks, a person, cancel and opt-out in the middle of the survey.
 */
import { campaignResponseSurveyId } from '../../../services/campaigns/campaign';
import type { Language } from '../../../services/i18n/localizer';
import type { CampaignDialogOptions } from '../../../dialogs/campaignDialogOptions';
import { dialogClient } from '../../support/dialogHarness';
import { CHAT_USER, NOW, TEST_CONVERSATION, campaignWorld, say, turn, type CampaignWorld } from './campaignWorld';

const LANGUAGES: Language[] = ['zh-CN', 'en'];
const MESSAGE = { 'zh-CN': '新年快乐！感谢贵公司一年来的信任。', en: 'Happy New Year! Thank you for your trust this year.' };
const INTRO = { 'zh-CN': '年终回访：请花两分钟评价我们的服务。', en: 'Year-end follow-up: two minutes to rate our service.' };

/** Words a client types, per language. */
const WORDS = {
  'zh-CN': { person: '转人工', cancel: '取消', stop: '退订', skip: '跳过', chat: '网银' },
  en: { person: 'talk to a person', cancel: 'cancel', stop: 'stop', skip: 'skip', chat: 'online banking' },
} as const;

async function deliver(world: CampaignWorld, options: CampaignDialogOptions, language: Language) {
  const client = dialogClient(world.dialogs.campaign, options);
  const first = await turn(client, { type: 'event', name: 'campaign.deliver', locale: language });
  return { client, first };
}

describe.each(LANGUAGES)('CampaignDialog (%s)', (language) => {
  const t = (world: CampaignWorld, key: string, params?: Record<string, string | number>) => world.localizer.t(language, key, params);
  const w = WORDS[language];

  test('When a message campaign with the CSAT is delivered and the client rates 4, then the message and question come first and the recipient is responded', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-msg', customer.id);
    const { client, first } = await deliver(world, { campaignId: 'camp-msg', customerId: customer.id, kind: 'message', message: MESSAGE, followWithCsat: true }, language);
    expect(first).toContain(MESSAGE[language]);
    expect(first).toContain(language === 'en' ? 'How easy was this?' : '本次办理是否方便');
    expect(await world.recipients.get('camp-msg', customer.id)).toMatchObject({ state: 'sent' });

    const reply = await say(client, '4', language);
    expect(reply).toContain(t(world, 'survey.csatThanks', { score: 4 }));
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'responded' });
    expect(await world.recipients.get('camp-msg', customer.id)).toMatchObject({ state: 'responded', respondedAt: NOW });
    const stored = await world.responses.get(campaignResponseSurveyId('camp-msg'), customer.id);
    expect(stored).toMatchObject({ status: 'completed', answers: { ease: 4 }, meta: { campaignId: 'camp-msg', context: 'campaign' } });
    expect(await world.responses.get('quick-csat', customer.id)).toBeUndefined();
  });

  test('When a message campaign without the CSAT is delivered, then only the message is sent and nothing waits for the client', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-greet', customer.id);
    const { client, first } = await deliver(world, { campaignId: 'camp-greet', customerId: customer.id, kind: 'message', message: MESSAGE }, language);
    expect(first).toBe(MESSAGE[language]);
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'delivered' } });
    expect(await world.recipients.get('camp-greet', customer.id)).toMatchObject({ state: 'sent' });
  });

  test('When a survey campaign is answered to the end with good scores, then the answers are stored under the campaign, the recipient is responded and no task is opened', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    const { client, first } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction', message: INTRO }, language);
    expect(first).toContain(INTRO[language]);
    expect(first).toContain(t(world, 'survey.progress', { position: 1, total: 5 }));
    await say(client, '5', language);
    await say(client, '9', language);
    await say(client, w.chat, language);
    await say(client, w.skip, language);
    expect(await world.recipients.get('camp-s', customer.id)).toMatchObject({ state: 'sent' }); // not yet: the survey is not done
    const last = await say(client, w.skip, language);
    expect(last).toContain(t(world, 'survey.thanks'));
    expect(last).not.toContain(t(world, 'campaign.followUpOfferManager'));
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'responded' });
    expect(await world.recipients.get('camp-s', customer.id)).toMatchObject({ state: 'responded', respondedAt: NOW });
    const stored = await world.responses.get(campaignResponseSurveyId('camp-s'), customer.id);
    expect(stored).toMatchObject({ status: 'completed', answers: { overall: 5, recommend: 9, channel: 'online' }, meta: { campaignId: 'camp-s' } });
    expect(await world.responses.get('service-satisfaction', customer.id)).toBeUndefined();
    expect(await world.followUps.listOpen()).toEqual([]);
  });

  test('When the client gives a rating outside 1-5, then the question is asked again and the next valid answer counts', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    const { client } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' }, language);
    const reask = await say(client, '8', language);
    expect(reask).toContain(t(world, 'survey.invalid_out_of_range', { min: 1, max: 5 }));
    expect(reask).toContain(t(world, 'survey.progress', { position: 1, total: 5 }));
    const next = await say(client, '4', language);
    expect(next).toContain(t(world, 'survey.progress', { position: 2, total: 5 }));
    expect((await world.responses.get(campaignResponseSurveyId('camp-s'), customer.id))?.answers).toEqual({ overall: 4 });
  });

  test('When the client answers a question with something else until its re-asks are used up, then the survey lets them go instead of walking them through the rest', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    const { client } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' }, language);
    await say(client, '5', language);
    const other = language === 'en' ? 'what are your loan rates' : '你们的贷款利率是多少';
    expect(await say(client, other, language)).toContain(t(world, 'survey.progress', { position: 2, total: 5 }));
    await say(client, other, language);
    const last = await say(client, other, language);
    expect(last).toBe(t(world, 'survey.letGo'));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'not_responded' } });
    expect(await world.recipients.get('camp-s', customer.id)).toMatchObject({ state: 'sent' });
    expect(await world.responses.get(campaignResponseSurveyId('camp-s'), customer.id)).toMatchObject({ status: 'in_progress', answers: { overall: 5, recommend: null } });
  });

  test('When the survey lets go of a client who had given a poor score, then the task still opens for the manager, without a callback offer', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    const { client } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' }, language);
    await say(client, '1', language);
    const other = language === 'en' ? 'what are your loan rates' : '你们的贷款利率是多少';
    await say(client, other, language);
    await say(client, other, language);
    expect(await say(client, other, language)).toBe(t(world, 'survey.letGo'));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'not_responded' } });
    expect(await world.followUps.listOpen('rm-zhao')).toMatchObject([{ campaignId: 'camp-s', reason: 'low_csat', score: 1 }]);
  });

  test('When the client asks for a person in the middle of the survey, then the handoff is requested, the survey ends and the recipient is not responded', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    const { client } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' }, language);
    await say(client, '4', language);
    const reply = await say(client, w.person, language);
    expect(reply).not.toContain(t(world, 'survey.progress', { position: 2, total: 5 }));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'not_responded' } });
    expect(await world.handoffRepository.listByConversation(CHAT_USER.channelId, TEST_CONVERSATION)).toHaveLength(1);
    expect(await world.recipients.get('camp-s', customer.id)).toMatchObject({ state: 'sent' });
  });

  test('When the client says cancel in the middle of the survey, then the survey ends as cancelled and consent is unchanged', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    const { client } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' }, language);
    await say(client, '4', language);
    const reply = await say(client, w.cancel, language);
    expect(reply).toBe(t(world, 'common.cancelled'));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'not_responded' } });
    expect(await world.recipients.get('camp-s', customer.id)).toMatchObject({ state: 'sent' });
    expect(await world.customers.get(customer.id)).toMatchObject({ consent: { surveys: true, marketing: true } });
    expect((await world.customers.get(customer.id))?.optedOutAt).toBeUndefined();
  });

  test('When the client says stop / 退订 in the middle of the survey, then they are opted out, told so, and the survey asks nothing more', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    await world.recipient('camp-s', customer.id);
    await world.recipient('camp-later', customer.id, { state: 'pending', sentAt: undefined, attempts: 0 });
    await world.recipient('camp-old', customer.id, { state: 'responded', respondedAt: NOW });
    const { client } = await deliver(world, { campaignId: 'camp-s', customerId: customer.id, kind: 'survey', surveyId: 'service-satisfaction' }, language);
    await say(client, '4', language);
    const reply = await say(client, w.stop, language);
    expect(reply).toBe(t(world, 'campaign.optOutConfirmed'));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'opted_out' } });
    const after = await world.customers.get(customer.id);
    expect(after).toMatchObject({ consent: { surveys: false, marketing: false }, optedOutAt: NOW });
    expect(await world.recipients.get('camp-s', customer.id)).toMatchObject({ state: 'opted_out' });
    expect(await world.recipients.get('camp-later', customer.id)).toMatchObject({ state: 'opted_out' });
    expect(await world.recipients.get('camp-old', customer.id)).toMatchObject({ state: 'responded' });
  });
});
