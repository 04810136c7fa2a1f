/**
 * A campaign in the client's conversation, end to end on Redis + the Mongo-wire server: the
 * client says hello over /api/messages (with a stub channel as serviceUrl, so the bot holds a
 * reference to it), is linked to a customer, a campaign is launched and the sender (driven with
 * runOnce) starts the campaign dialog as a proactive turn (bot.beginDialogOutsideTurn); the
 * client's replies over /api/messages answer it, opt out, or take the callback offer.
 */
import { startCampaignApp, type CampaignApp, type CampaignClient as Client } from '../support/campaignApp';
import { campaignResponseSurveyId } from '../../services/campaigns/campaign';
import type { FollowUpService } from '../../services/followups/followUpService';
import type { SurveyResponseRepository } from '../../services/surveys/surveyResponseRepository';
import type { Language } from '../../services/i18n/localizer';
import { createLocalizer } from '../support/dialogHarness';

/** An activity as text: its text, suggested actions as "[title]", and a card (Web Chat shows survey questions as Adaptive Cards) as its JSON. */
function rendered(activity: { text?: string; suggestedActions?: { actions?: Array<{ title: string }> }; attachments?: Array<{ content?: unknown }> } | undefined): string {
  return [activity?.text ?? '', ...(activity?.suggestedActions?.actions ?? []).map((a) => `[${a.title}]`), ...(activity?.attachments ?? []).map((a) => JSON.stringify(a.content))].join('\n');
}

const localizer = createLocalizer();
const INTRO = { 'zh-CN': '年终回访：请花两分钟评价我们的服务。', en: 'Year-end follow-up: two minutes to rate our service.' };
const GREETING = { 'zh-CN': '您好，贵公司的贷款已放款。', en: 'Hello, your company\'s loan has been paid out.' };
const WORDS = {
  'zh-CN': { hello: '你好', chat: '网银', skip: '跳过', stop: '退订' },
  en: { hello: 'hello', chat: 'online banking', skip: 'skip', stop: 'stop' },
} as const;
/** A question of the client's own, typed in place of an answer (the shipped model routes it to the branch-hours answer). */
const OWN_QUESTION = { 'zh-CN': '你们网点几点开门？', en: 'what are your branch opening hours?' } as const;

describe('Campaign replies over HTTP (Redis + Mongo, stub channel)', () => {
  let app: CampaignApp;
  beforeAll(async () => { app = await startCampaignApp('services'); }, 60_000);
  afterAll(() => app?.stop());

  /** A client's message over /api/messages; the bot's replies come back in the response (expectReplies). */
  async function say(c: Client, text: string): Promise<string> {
    const { status, replies } = await app.say(c, text);
    expect(status).toBe(200);
    return replies.map(rendered).join('\n');
  }

  /** A client who said hello once (so the bot holds their reference), linked to a new customer with this tag and an RM. */
  async function client(tag: string, language: Language): Promise<Client> {
    const c = await app.helloClient(language, { tags: [tag], relationshipManager: 'rm-zhao', consent: { surveys: true, marketing: true } });
    await app.flushConversations();
    return c;
  }

  /** Launches a campaign to the tag and runs the sender once; returns the campaign id and what the client received. */
  async function launchAndSend(tag: string, c: Client, fields: Record<string, unknown>): Promise<{ id: string; received: string }> {
    const created = await app.campaigns.create({
      name: `Campaign ${tag}`, audience: { tagsAny: [tag] }, quietHours: { start: '00:00', end: '00:00' }, frequencyCapDays: 0, sendRatePerSecond: 100, ...fields,
    }, 'supervisor@example.test');
    await app.campaigns.launch(created.id);
    const report = await app.sender.runOnce(new Date());
    expect(report.sent).toBe(1);
    return { id: created.id, received: app.stub.delivered(c.conversationId).map((r) => rendered(r.body)).join('\n') };
  }

  describe.each(['zh-CN', 'en'] as const)('(%s)', (language) => {
    const w = WORDS[language];
    const t = (key: string, params?: Record<string, string | number>) => localizer.t(language, key, params);

    test('When a survey campaign reaches the client and they answer every question over /api/messages, then the recipient is responded and the answers are stored under the campaign', async () => {
      const tag = `survey-${language}-${Date.now()}`;
      const c = await client(tag, language);
      const { id, received } = await launchAndSend(tag, c, { kind: 'survey', surveyId: 'service-satisfaction', message: INTRO });
      expect(received).toContain(INTRO[language]);
      expect(received).toContain(t('survey.progress', { position: 1, total: 5 }));
      expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'sent' });

      expect(await say(c, '5')).toContain(t('survey.progress', { position: 2, total: 5 }));
      await say(c, '9');
      await say(c, w.chat);
      await say(c, w.skip);
      expect(await say(c, w.skip)).toContain(t('survey.thanks'));

      expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'responded', respondedAt: expect.any(Date) });
      const responses = app.running.app.parts.surveyResponses as SurveyResponseRepository;
      expect(await responses.get(campaignResponseSurveyId(id), c.customerId)).toMatchObject({
        status: 'completed', answers: { overall: 5, recommend: 9, channel: 'online' }, meta: { campaignId: id },
      });
      // The conversation is free again: the next message goes to the main dialog.
      expect(await say(c, w.hello)).not.toContain(t('survey.progress', { position: 1, total: 5 }));
    });

    test('When a message campaign asks the CSAT and the client rates 2, then the recipient is responded, a task opens for their manager and the callback offer is declined with thanks', async () => {
      const tag = `csat-${language}-${Date.now()}`;
      const c = await client(tag, language);
      const { id, received } = await launchAndSend(tag, c, { kind: 'message', message: GREETING, followWithCsat: true });
      expect(received).toContain(GREETING[language]);
      const offer = await say(c, '2');
      expect(offer).toContain(t('survey.csatThanks', { score: 2 }));
      expect(offer).toContain(t('campaign.followUpOfferManager'));
      expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'responded' });
      expect(await say(c, t('campaign.followUpNo'))).toContain(t('campaign.followUpThanksDeclined'));
      const tasks = await (app.running.app.parts.followUps as FollowUpService).listOpen('rm-zhao');
      expect(tasks.filter((task) => task.campaignId === id)).toMatchObject([{ customerId: c.customerId, reason: 'low_csat', score: 2 }]);
    });

    test('When the client answers a survey campaign with a question of their own, then it is answered at once, the survey is not asked again and the recipient is not responded', async () => {
      const tag = `ask-${language}-${Date.now()}`;
      const c = await client(tag, language);
      const { id } = await launchAndSend(tag, c, { kind: 'survey', surveyId: 'service-satisfaction', message: INTRO });
      const reply = await say(c, OWN_QUESTION[language]);
      expect(reply).not.toContain(t('survey.invalid_not_a_score', { min: 1, max: 5 }));
      expect(reply).not.toContain(t('survey.progress', { position: 1, total: 5 }));
      expect(reply).toContain(t('inquiry.helpfulQuestion'));
      expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'sent' });
      const responses = app.running.app.parts.surveyResponses as SurveyResponseRepository;
      expect(await responses.get(campaignResponseSurveyId(id), c.customerId)).toBeUndefined();
    });

    test('When the client answers a survey campaign with the opt-out word, then consent is withdrawn, the recipient is opted_out and service chat goes on', async () => {
      const tag = `stop-${language}-${Date.now()}`;
      const c = await client(tag, language);
      const { id } = await launchAndSend(tag, c, { kind: 'survey', surveyId: 'service-satisfaction' });
      expect(await say(c, w.stop)).toBe(t('campaign.optOutConfirmed'));
      expect(await app.customers.get(c.customerId)).toMatchObject({ consent: { surveys: false, marketing: false }, optedOutAt: expect.any(Date) });
      expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'opted_out' });
      expect(await say(c, w.hello)).not.toContain(t('survey.progress', { position: 1, total: 5 }));
    });
  });
});
