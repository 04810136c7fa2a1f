import path from 'node:path';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCampaignRepository } from '../../../models/campaigns/embeddedCampaignRepository';
import { EmbeddedCampaignRecipientRepository } from '../../../models/campaigns/embeddedCampaignRecipientRepository';
import { EmbeddedSurveyDefinitionRepository } from '../../../models/surveys/embeddedSurveyDefinitionRepository';
import { EmbeddedSurveyResponseRepository } from '../../../models/surveys/embeddedSurveyResponseRepository';
import { loadSurveyDefinitions } from '../../../services/surveys/surveyDefinitionLoader';
import { campaignResponseSurveyId, DEFAULT_QUIET_HOURS, type Campaign, type CampaignRecipient } from '../../../services/campaigns/campaign';
import { AnswerTextBackground, CampaignResultsService } from '../../../services/analytics/campaignResults';
import { csatSummary, npsSummary } from '../../../services/analytics/satisfactionMath';
import { SurveyDefinitionResolver } from '../../../services/analytics/surveyQuestions';

describe('CSAT and NPS math', () => {
  test('When CSAT scores are summarised, then the distribution, the mean (2 decimals) and the count are given and other values ignored', () => {
    expect(csatSummary([5, 4, 4, 1, 2, 0, 6, 3.5])).toEqual({ distribution: { 1: 1, 2: 1, 3: 0, 4: 2, 5: 1 }, mean: 3.2, count: 5 });
    expect(csatSummary([5, 4, 4])).toMatchObject({ mean: 4.33 });
    expect(csatSummary([])).toBeNull();
  });

  test.each<[number[], number, number, number, number]>([
    [[10, 9, 8, 7, 6, 0], 0, 2, 2, 2],
    [[10, 10, 10], 100, 3, 0, 0],
    [[0, 3, 6], -100, 0, 0, 3],
    [[9, 7, 7], 33, 1, 2, 0],
    [[9, 6, 6], -33, 1, 0, 2],
    [[9, 10, 7, 5, 8, 2, 10], 14, 3, 2, 2],
  ])('When NPS answers are %j, then the score is %d (promoters %d, passives %d, detractors %d)', (scores, score, promoters, passives, detractors) => {
    expect(npsSummary(scores)).toEqual({ score, promoters, passives, detractors, count: scores.length });
  });

  test('When there are no NPS answers, then there is no NPS', () => {
    expect(npsSummary([11, -1])).toBeNull();
  });
});

describe('CampaignResultsService', () => {
  const now = new Date('2026-11-29T08:00:00Z');

  async function world() {
    const db = new EmbeddedDatabase(null);
    const campaigns = new EmbeddedCampaignRepository(db);
    const recipients = new EmbeddedCampaignRecipientRepository(db);
    const definitions = new EmbeddedSurveyDefinitionRepository(db);
    const responses = new EmbeddedSurveyResponseRepository(db);
    await loadSurveyDefinitions(path.resolve(__dirname, '../../../data/surveys'), definitions);
    const surveys = new SurveyDefinitionResolver(definitions, campaigns);
    const service = new CampaignResultsService({ campaigns, recipients, responses, surveys, background: new AnswerTextBackground(responses, surveys, { now: () => now }) });
    const campaign: Campaign = {
      id: 'cmp-1', name: 'Q4 satisfaction', kind: 'survey', surveyId: 'service-satisfaction', audience: {}, startAt: now, quietHours: DEFAULT_QUIET_HOURS,
      frequencyCapDays: 30, sendRatePerSecond: 5, status: 'running', createdBy: 'sup', createdAt: now, updatedAt: now,
    };
    await campaigns.create(campaign);
    let seq = 0;
    const recipient = (customerId: string, fields: Partial<CampaignRecipient>): CampaignRecipient => ({
      campaignId: 'cmp-1', customerId, state: 'sent', language: 'zh-CN', tier: 'standard', timeZone: 'Asia/Shanghai', seq: seq++, attempts: 1, sentAt: now, ...fields,
    });
    await recipients.insertMany([
      recipient('c1', { state: 'responded', tier: 'premier', relationshipManager: 'rm-li', respondedAt: now }),
      recipient('c2', { state: 'responded', tier: 'premier', relationshipManager: 'rm-li', respondedAt: now }),
      recipient('c3', { state: 'responded', tier: 'standard', relationshipManager: 'rm-zhao', language: 'en', respondedAt: now }),
      recipient('c4', { state: 'sent', tier: 'standard' }),
      recipient('c5', { state: 'failed', attempts: 2, sentAt: undefined, reason: 'channel_500' }),
      recipient('c6', { state: 'unreachable', attempts: 0, sentAt: undefined, reason: 'no_reference' }),
      recipient('c7', { state: 'pending', attempts: 0, sentAt: undefined }),
      recipient('c8', { state: 'opted_out', tier: 'priority' }),
    ]);
    const answer = (key: string, answers: Record<string, unknown>) => Promise.all(Object.entries(answers).map(([q, v]) =>
      responses.saveAnswer(campaignResponseSurveyId('cmp-1'), key, q, v as never, { campaignId: 'cmp-1' }, now)));
    await answer('c1', { overall: 5, recommend: 10, channel: 'rm', improve: ['speed', 'fees'], comments: '审批速度太慢，希望加快审批' });
    await answer('c2', { overall: 2, recommend: 3, channel: 'online', improve: ['speed'], comments: '网银经常登录不上，审批也慢' });
    await answer('c3', { overall: 4, recommend: 8, channel: 'rm', improve: null, comments: 'Approval is slow but my relationship manager is helpful.' });
    // Another survey's answers: background only.
    await responses.saveAnswer('service-satisfaction', 'x1', 'comments', '客户经理服务很好', {}, now);
    return { service };
  }

  test('When a survey campaign has responses, then its results follow the CampaignResults contract with the seeded figures', async () => {
    const { service } = await world();
    const results = await service.results('cmp-1');
    expect(results).toMatchObject({
      campaignId: 'cmp-1',
      counts: { pending: 1, sending: 0, sent: 1, failed: 1, unreachable: 1, skipped: 0, responded: 3, opted_out: 1 },
      sent: 6, delivered: 5, responded: 3, responseRate: 0.6,
      csat: { distribution: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 1 }, mean: 3.67, count: 3 },
      nps: { score: 0, promoters: 1, passives: 1, detractors: 1, count: 3 },
    });
    expect(results.choices.map((c) => c.questionId)).toEqual(['channel', 'improve']);
    expect(results.choices[0].choices.find((c) => c.id === 'rm')).toEqual({ id: 'rm', label: { 'zh-CN': '客户经理', en: 'Relationship manager' }, count: 2 });
    expect(results.choices[1].choices.map((c) => [c.id, c.count])).toEqual([['speed', 2], ['fees', 1], ['documents', 0], ['communication', 0], ['digital', 0]]);
    expect(results.themes['zh-CN'][0]).toMatchObject({ term: '审批', count: 2 });
    expect(results.themes.en.map((t) => t.term)).toContain('approval');
    expect(results.byTier).toEqual([
      { tier: 'standard', delivered: 2, responded: 1, csatMean: 4, nps: 0 },
      { tier: 'priority', delivered: 1, responded: 0, csatMean: null, nps: null },
      { tier: 'premier', delivered: 2, responded: 2, csatMean: 3.5, nps: 0 },
    ]);
    expect(results.byRelationshipManager).toEqual([
      { relationshipManager: 'rm-li', delivered: 2, responded: 2, csatMean: 3.5, nps: 0 },
      { relationshipManager: 'rm-zhao', delivered: 1, responded: 1, csatMean: 4, nps: 0 },
      { relationshipManager: null, delivered: 2, responded: 0, csatMean: null, nps: null },
    ]);
  });

  test('When results are asked twice at once, then both share one computation; a new one starts once they are no longer fresh', async () => {
    const { service } = await world();
    const first = service.results('cmp-1');
    expect(service.results('cmp-1')).toBe(first);
    await first;
    expect(service.results('cmp-1')).toBe(first);
    const stale = new CampaignResultsService({ ...(service as any).deps, freshForMs: 0 });
    const a = stale.results('cmp-1');
    await a;
    await new Promise((r) => setTimeout(r, 5));
    expect(stale.results('cmp-1')).not.toBe(a);
  });

  test('When the campaign does not exist, then results are a 404', async () => {
    const { service } = await world();
    await expect(service.results('nope')).rejects.toMatchObject({ status: 404 });
  });
});
