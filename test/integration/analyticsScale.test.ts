/**
 * Campaign results and the CSV export at the size the brief names: 10,000 recipients (4,000 of
 * whom answered the five-question survey) on the Mongo-wire server. Prints the times; fails
 * when results take over 60 s (the test server is FerretDB on SQLite, often on a busy machine) or a figure is off.
 */
import type { Connection } from 'mongoose';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../../models/campaigns/mongoCampaignRecipientRepository';
import { MongoSurveyResponseRepository } from '../../models/surveys/mongoSurveyResponseRepository';
import { MongoSurveyDefinitionRepository } from '../../models/surveys/mongoSurveyDefinitionRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import { loadSurveyDefinitions } from '../../services/surveys/surveyDefinitionLoader';
import { campaignResponseSurveyId, DEFAULT_QUIET_HOURS, type CampaignRecipient } from '../../services/campaigns/campaign';
import { SurveyDefinitionResolver } from '../../services/analytics/surveyQuestions';
import { AnswerTextBackground, CampaignResultsService } from '../../services/analytics/campaignResults';
import { ResponsesCsvExport } from '../../services/analytics/responsesCsv';
import { mongoUri } from '../support/services';
import path from 'node:path';

const RECIPIENTS = 10_000;
const RESPONDED = 4_000;
const COMMENTS = ['审批速度太慢', '客户经理很专业', 'Approval is slow', 'Fees are not clear', '网银经常登录不上'];

describe('Campaign analytics at 10k recipients (FerretDB)', () => {
  let mongo: Connection;
  afterAll(async () => { await mongo?.close(); });

  test('When a campaign has 10,000 recipients and 4,000 responses, then results and the CSV come out whole, each in one pass', async () => {
    mongo = await openMongoConnection(mongoUri());
    const campaigns = new MongoCampaignRepository(mongo);
    const recipients = new MongoCampaignRecipientRepository(mongo);
    const responses = new MongoSurveyResponseRepository(mongo);
    const definitions = new MongoSurveyDefinitionRepository(mongo);
    await loadSurveyDefinitions(path.resolve(__dirname, '../../data/surveys'), definitions);
    const now = new Date();
    await campaigns.create({
      id: 'big', name: 'big', kind: 'survey', surveyId: 'service-satisfaction', audience: {}, startAt: now, quietHours: DEFAULT_QUIET_HOURS,
      frequencyCapDays: 30, sendRatePerSecond: 50, status: 'running', createdBy: 's', createdAt: now, updatedAt: now,
    });
    const list: CampaignRecipient[] = [];
    for (let i = 0; i < RECIPIENTS; i++) {
      list.push({
        campaignId: 'big', customerId: `c${String(i).padStart(5, '0')}`, state: i < RESPONDED ? 'responded' : 'sent', language: i % 3 ? 'zh-CN' : 'en',
        tier: (['standard', 'priority', 'premier'] as const)[i % 3], relationshipManager: `rm-${i % 20}`, timeZone: 'Asia/Shanghai', seq: i, attempts: 1,
        sentAt: now, ...(i < RESPONDED ? { respondedAt: now } : {}),
      });
    }
    await recipients.insertMany(list);
    // Responses written straight into the two collections the repository keeps (header + one document per answer).
    const surveyId = campaignResponseSurveyId('big');
    const headers = [];
    const answers = [];
    for (let i = 0; i < RESPONDED; i++) {
      const respondentKey = `c${String(i).padStart(5, '0')}`;
      headers.push({ surveyId, respondentKey, status: 'completed', meta: { campaignId: 'big' }, createdAt: now, updatedAt: now, completedAt: now });
      const values: Record<string, unknown> = { overall: 1 + (i % 5), recommend: i % 11, channel: 'rm', improve: ['speed'], comments: COMMENTS[i % COMMENTS.length] };
      for (const [questionId, value] of Object.entries(values)) answers.push({ surveyId, respondentKey, questionId, value, answeredAt: now });
    }
    for (let i = 0; i < headers.length; i += 1000) await mongo.model('SurveyResponse').collection.insertMany(headers.slice(i, i + 1000));
    for (let i = 0; i < answers.length; i += 1000) await mongo.model('SurveyAnswer').collection.insertMany(answers.slice(i, i + 1000));

    const surveys = new SurveyDefinitionResolver(definitions, campaigns);
    if (process.env.PROFILE_STAGES) {
      const time = async (name: string, work: () => Promise<unknown>) => { const t = performance.now(); await work(); console.log(name, Math.round(performance.now() - t)); };
      await time('counts', () => recipients.counts('big'));
      await time('recipients.stream', async () => { for await (const _r of recipients.stream('big')) { /* read only */ } });
      await time('responses.streamBySurvey', async () => { for await (const _r of responses.streamBySurvey(surveyId)) { /* read only */ } });
      await time('background', () => new AnswerTextBackground(responses, surveys).counts());
    }
    const service = new CampaignResultsService({ campaigns, recipients, responses, surveys, background: new AnswerTextBackground(responses, surveys) });
    const started = performance.now();
    const results = await service.results('big');
    const resultsMs = performance.now() - started;
    expect(results).toMatchObject({ delivered: RECIPIENTS, responded: RESPONDED, responseRate: 0.4, csat: { count: RESPONDED, mean: 3 }, nps: { count: RESPONDED } });
    expect(results.byRelationshipManager).toHaveLength(20);
    expect(results.themes['zh-CN'].length).toBeGreaterThan(0);

    const csv = new ResponsesCsvExport({ campaigns, recipients, responses, surveys, customers: new MongoCustomerRepository(mongo), columnTitle: (_l, c) => c });
    const csvStarted = performance.now();
    let lines = 0;
    let bytes = 0;
    for await (const chunk of (await csv.open('big', 'en')).lines) { lines += chunk.split('\r\n').length - 1; bytes += Buffer.byteLength(chunk); }
    const csvMs = performance.now() - csvStarted;
    expect(lines).toBe(RESPONDED + 1);
    console.log(`analytics at ${RECIPIENTS} recipients / ${RESPONDED} responses: results ${Math.round(resultsMs)} ms; CSV ${lines} lines, ${bytes} bytes in ${Math.round(csvMs)} ms`);
    expect(resultsMs).toBeLessThan(60_000);
  }, 180_000);
});
