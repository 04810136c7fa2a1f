/**
 * Opt-out ("stop", "退订", "TD"...) in both languages: recognised as a whole message and not as
 * cancel; from the main menu, in the middle of a feature dialog (the feedback survey), and
 * through the NLU's opt_out intent; for a linked customer (consent, optedOutAt, recipients)
 * and for a chat user no customer is linked to yet (recorded, carried over on link).
 */
import { ConversationState, MemoryStorage } from 'botbuilder';
import type { Language } from '../../../services/i18n/localizer';
import { MainDialog, type MainDialogMemory, type TurnRecognition } from '../../../dialogs/mainDialog';
import { OPT_OUT_DIALOG } from '../../../dialogs/optOutDialog';
import { OptInDialog, OPT_IN_DIALOG } from '../../../dialogs/optInDialog';
import { SURVEY_DIALOG } from '../../../dialogs/surveyDialog';
import { carryOptOutOnLink } from '../../../services/campaigns/optOutService';
import { CustomerLinker } from '../../../services/customers/customerLinker';
import { dialogClient } from '../../support/dialogHarness';
import { CHAT_USER, NOW, campaignWorld, say, type CampaignWorld } from './campaignWorld';

const LANGUAGES: Language[] = ['zh-CN', 'en'];

describe('Opt-out words', () => {
  test.each(['stop', 'STOP', 'Unsubscribe', 'unsubscribe please', '退订', '我要退订', 'TD', 'td', '取消订阅', '不要再发了', '不要再发了！', 'opt out'])(
    'When a client types "%s", then it is an opt-out and not a cancel', async (text) => {
      const { interruptions } = await campaignWorld();
      expect(interruptions.isOptOut(text)).toBe(true);
      expect(interruptions.detect(text)?.kind).not.toBe('cancel');
    });

  test.each(['cancel', '取消', 'stop that', 'stop the transfer', '取消我明天的回电', 'TD是什么意思', '', '订阅', 'subscribe'])(
    'When a client types "%s", then it is not an opt-out', async (text) => {
      const { interruptions } = await campaignWorld();
      expect(interruptions.isOptOut(text)).toBe(false);
    });

  test.each([['订阅', true], ['重新订阅', true], ['Subscribe', true], ['subscribe again', true], ['取消订阅', false], ['退订', false], ['unsubscribe', false], ['怎么订阅理财产品', false]] as const)(
    'When a client types "%s", then opting back in is %s', async (text, expected) => {
      const { interruptions } = await campaignWorld();
      expect(interruptions.isOptIn(text)).toBe(expected);
    });
});

describe.each(LANGUAGES)('Opt-out (%s)', (language) => {
  const t = (world: CampaignWorld, key: string) => world.localizer.t(language, key);
  const stop = language === 'en' ? 'stop' : '退订';

  /** The main dialog with the feedback survey and the opt-out, and a recognizer that says `intent` for every message. */
  function mainClient(world: CampaignWorld, intent = 'None') {
    const storage = new MemoryStorage();
    const main = new MainDialog({
      localizer: world.localizer, interruptions: world.interruptions, handoff: world.handoff, timeZone: 'Asia/Shanghai',
      recognitionOf: (): TurnRecognition => ({ topIntent: intent, topScore: 0.9, entities: [] }),
      memory: new ConversationState(storage).createProperty<MainDialogMemory>('mainDialogMemory'),
      dialogs: [world.dialogs.survey, world.dialogs.optOut, new OptInDialog({ localizer: world.localizer, optOut: world.optOuts })],
      routes: { survey_feedback: { dialogId: SURVEY_DIALOG, options: () => ({ surveyId: 'service-satisfaction' }) }, opt_out: { dialogId: OPT_OUT_DIALOG } },
      bankName: () => 'Rapport Bank',
      optOutDialogId: OPT_OUT_DIALOG,
      optInDialogId: OPT_IN_DIALOG,
    });
    return dialogClient(main, undefined, storage);
  }

  test('When a linked customer opts out, then consent is withdrawn, campaigns still due are opted_out, answered ones stay, and the confirmation says what it means', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    for (const [campaignId, state] of [['c-pending', 'pending'], ['c-sending', 'sending'], ['c-sent', 'sent'], ['c-responded', 'responded'], ['c-failed', 'failed']] as const) {
      await world.recipient(campaignId, customer.id, { state });
    }
    const client = dialogClient(world.dialogs.optOut);
    const reply = await say(client, stop, language);
    expect(reply).toBe(t(world, 'campaign.optOutConfirmed'));
    expect(reply).toMatch(language === 'en' ? /any more surveys or greetings.*subscribe again.*Service chat still works/s : /不会再收到我们的问卷调查和问候消息.*重新订阅.*在线客服不受影响/s);
    expect(await world.customers.get(customer.id)).toMatchObject({ consent: { surveys: false, marketing: false }, optedOutAt: NOW });
    const states = Object.fromEntries(await Promise.all(['c-pending', 'c-sending', 'c-sent', 'c-responded', 'c-failed'].map(async (id) => [id, (await world.recipients.get(id, customer.id))?.state])));
    expect(states).toEqual({ 'c-pending': 'opted_out', 'c-sending': 'opted_out', 'c-sent': 'opted_out', 'c-responded': 'responded', 'c-failed': 'failed' });
    expect(client.dialogTurnResult.result).toEqual({ outcome: 'opted_out' });
  });

  test('When a chat user no customer is linked to opts out, then they are told so and linking them later carries the opt-out over', async () => {
    const world = await campaignWorld();
    const client = dialogClient(world.dialogs.optOut);
    expect(await say(client, stop, language)).toBe(t(world, 'campaign.optOutConfirmed'));
    expect(await world.channelOptOuts.find(CHAT_USER)).toEqual(NOW);

    const customer = await world.customers.create({ name: 'Later', consent: { surveys: true, marketing: true } });
    await world.customers.linkChannelUser(customer.id, CHAT_USER);
    await world.recipient('c-later', customer.id, { state: 'pending' });
    expect(await world.optOuts.applyToLinkedCustomer(customer.id, CHAT_USER)).toBe(true);
    expect(await world.customers.get(customer.id)).toMatchObject({ consent: { surveys: false, marketing: false }, optedOutAt: NOW });
    expect(await world.recipients.get('c-later', customer.id)).toMatchObject({ state: 'opted_out' });
    expect(await world.channelOptOuts.find(CHAT_USER)).toBeUndefined();
    expect(await world.optOuts.applyToLinkedCustomer(customer.id, CHAT_USER)).toBe(false);
  });

  test('When a client types the opt-out word at the main menu, then the main dialog opts them out', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = mainClient(world);
    expect(await say(client, language === 'en' ? 'Unsubscribe' : 'TD', language)).toBe(t(world, 'campaign.optOutConfirmed'));
    expect((await world.customers.get(customer.id))?.consent).toEqual({ surveys: false, marketing: false });
  });

  test('When the NLU says opt_out for a longer sentence, then it is routed to the opt-out', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = mainClient(world, 'opt_out');
    expect(await say(client, language === 'en' ? 'please stop sending me promotions' : '别再给我推送了', language)).toBe(t(world, 'campaign.optOutConfirmed'));
    expect((await world.customers.get(customer.id))?.optedOutAt).toEqual(NOW);
  });

  test('When a client says stop / 退订 in the middle of the feedback survey, then the survey ends and they are opted out', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = mainClient(world, 'survey_feedback');
    expect(await say(client, language === 'en' ? 'I want to give feedback' : '我想提意见', language)).toContain(world.localizer.t(language, 'survey.progress', { position: 1, total: 5 }));
    await say(client, '4', language);
    expect(await say(client, stop, language)).toBe(t(world, 'campaign.optOutConfirmed'));
    expect((await world.customers.get(customer.id))?.consent).toEqual({ surveys: false, marketing: false });
    expect(client.dialogTurnResult.status).toBe('complete');
  });

  test('When a client who opted out replies subscribe / 订阅 at the menu, then consent comes back and the opt-out is cleared', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = mainClient(world);
    await say(client, stop, language);
    expect((await world.customers.get(customer.id))?.optedOutAt).toEqual(NOW);
    expect(await say(client, language === 'en' ? 'subscribe' : '订阅', language)).toBe(t(world, 'campaign.optInConfirmed'));
    const after = await world.customers.get(customer.id);
    expect(after?.consent).toEqual({ surveys: true, marketing: true });
    expect(after?.optedOutAt).toBeUndefined();
  });

  test('When a chat user no customer is linked to opts out and then subscribes again, then no opt-out is left to carry over', async () => {
    const world = await campaignWorld();
    const client = mainClient(world);
    await say(client, stop, language);
    expect(await world.channelOptOuts.find(CHAT_USER)).toEqual(NOW);
    expect(await say(client, language === 'en' ? 'resubscribe' : '重新订阅', language)).toBe(t(world, 'campaign.optInConfirmed'));
    expect(await world.channelOptOuts.find(CHAT_USER)).toBeUndefined();
  });

  test('When a client says stop / 退订 to the CSAT the bot asked after a handoff (outside the main dialog), then they are opted out, not re-asked for a score', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = dialogClient(world.dialogs.quickCsat, { context: 'handoff', reference: 'HC-1' });
    await say(client, language === 'en' ? 'hi' : '你好', language);
    expect(await say(client, stop, language)).toBe(t(world, 'campaign.optOutConfirmed'));
    expect(client.dialogTurnResult).toMatchObject({ status: 'complete', result: { outcome: 'opted_out' } });
    expect((await world.customers.get(customer.id))?.optedOutAt).toEqual(NOW);
  });

  test('When a client says cancel in the middle of the feedback survey, then only the survey is cancelled and consent stays', async () => {
    const world = await campaignWorld();
    const customer = await world.linkedCustomer();
    const client = mainClient(world, 'survey_feedback');
    await say(client, language === 'en' ? 'I want to give feedback' : '我想提意见', language);
    expect(await say(client, language === 'en' ? 'cancel' : '取消', language)).toBe(t(world, 'common.cancelled'));
    expect(await world.customers.get(customer.id)).toMatchObject({ consent: { surveys: true, marketing: true } });
    expect((await world.customers.get(customer.id))?.optedOutAt).toBeUndefined();
  });
});

describe('Opt-out carried over when the chat user is linked', () => {
  test('When an unlinked chat user who opted out gives the phone of a customer, then that customer is opted out', async () => {
    const world = await campaignWorld();
    await say(dialogClient(world.dialogs.optOut), '退订', 'zh-CN');
    const customer = await world.customers.create({ name: 'Phone', phone: '+8613812345678', consent: { surveys: true, marketing: true } });
    const linker = new CustomerLinker(carryOptOutOnLink(world.customers, world.optOuts));
    expect(await linker.linkByPhone(CHAT_USER, '138 1234 5678')).toMatchObject({ id: customer.id, consent: { surveys: false, marketing: false }, optedOutAt: NOW });
    expect(await world.customers.get(customer.id)).toMatchObject({ consent: { surveys: false, marketing: false }, optedOutAt: NOW });
  });

  test('When staff link an unlinked chat user who opted out, then the customer returned is opted out', async () => {
    const world = await campaignWorld();
    await say(dialogClient(world.dialogs.optOut), 'stop', 'en');
    const customer = await world.customers.create({ name: 'Console', consent: { surveys: true, marketing: true } });
    const customers = carryOptOutOnLink(world.customers, world.optOuts);
    expect(await customers.linkChannelUser(customer.id, CHAT_USER)).toMatchObject({ consent: { surveys: false, marketing: false }, optedOutAt: NOW });
    expect(await customers.get(customer.id)).toMatchObject({ channelUsers: [CHAT_USER] });
  });

  test('When a chat user who never opted out is linked by phone, then consent is left as it was', async () => {
    const world = await campaignWorld();
    const customer = await world.customers.create({ name: 'Phone', phone: '+8613812345678', consent: { surveys: true, marketing: true } });
    const linker = new CustomerLinker(carryOptOutOnLink(world.customers, world.optOuts));
    expect((await linker.linkByPhone(CHAT_USER, '13812345678'))?.id).toBe(customer.id);
    expect(await world.customers.get(customer.id)).toMatchObject({ consent: { surveys: true, marketing: true } });
  });
});
