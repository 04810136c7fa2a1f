/**
 * The analytics console API over real HTTP on Redis + the Mongo-wire server: a campaign's
 * results and CSV export, and the service dashboard, on data seeded through the repositories
 * (and one unanswered question asked through the bot). Figures must be exactly what was seeded.
 */
import { DateTime } from 'luxon';
import { parse } from 'csv-parse/sync';
import type { Connection } from 'mongoose';
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { ConsoleClient, ADMIN_ENV, AGENT, SUPERVISOR, addStaff, signIn } from '../support/consoleClient';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import { campaignResponseSurveyId, DEFAULT_QUIET_HOURS, type CampaignRecipient } from '../../services/campaigns/campaign';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../../models/campaigns/mongoCampaignRecipientRepository';
import { MongoSurveyResponseRepository } from '../../models/surveys/mongoSurveyResponseRepository';
import { MongoTicketRepository } from '../../models/tickets/mongoTicketRepository';
import { MongoCallbackRepository } from '../../models/callbacks/mongoCallbackRepository';
import { MongoInquiryFeedbackRepository } from '../../models/knowledge/mongoInquiryFeedbackRepository';
import type { NewTicket } from '../../services/tickets/ticketRepository';

const DAY = 24 * 60 * 60 * 1000;

describe('Analytics API over HTTP (Redis + FerretDB)', () => {
  let running: RunningApp;
  let supervisor: ConsoleClient;
  let agent: ConsoleClient;
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * DAY);
  const campaignId = `cmp-analytics-${now}`;
  const range = { from: ago(28).toISOString(), to: new Date(now + 60 * 60 * 1000).toISOString() };
  let weekOf: (d: Date) => string;

  beforeAll(async () => {
    running = await startApp({ storage: 'services', env: { ...ADMIN_ENV, CAMPAIGN_SENDER_ENABLED: 'false' } });
    weekOf = (d) => DateTime.fromJSDate(d, { zone: running.config.BUSINESS_TIMEZONE }).toFormat("kkkk-'W'WW");
    await addStaff(running.baseUrl, [AGENT, SUPERVISOR]);
    supervisor = await signIn(running.baseUrl, SUPERVISOR);
    agent = await signIn(running.baseUrl, AGENT);

    const mongo = running.app.parts.mongo as Connection;
    const customers = running.app.parts.customers as CustomerRepository;
    // ---- a survey campaign: three answered, one delivered only, one failed ----
    const campaigns = new MongoCampaignRepository(mongo);
    await campaigns.create({
      id: campaignId, name: '四季度满意度回访', kind: 'survey', surveyId: 'service-satisfaction', audience: {}, startAt: ago(70),
      quietHours: DEFAULT_QUIET_HOURS, frequencyCapDays: 30, sendRatePerSecond: 5, status: 'running', createdBy: 'sup', createdAt: ago(70), updatedAt: ago(70),
    });
    const wang = await customers.upsertByExternalId('CRM-1001', { name: '王芳', company: '华东精密制造有限公司', tier: 'premier', relationshipManager: '李经理', language: 'zh-CN' });
    const li = await customers.upsertByExternalId('CRM-1002', { name: 'Li Lei', company: '=HYPERLINK("http://evil")', tier: 'premier', relationshipManager: '李经理', language: 'en' });
    const zhao = await customers.upsertByExternalId('CRM-1003', { name: '赵敏', company: '杭州云帆贸易, 有限公司', tier: 'standard', language: 'zh-CN' });
    const quiet = await customers.upsertByExternalId('CRM-1004', { name: '周杰', tier: 'standard' });
    const failed = await customers.upsertByExternalId('CRM-1005', { name: '陈晨', tier: 'priority' });
    let seq = 0;
    const recipient = (customerId: string, fields: Partial<CampaignRecipient>): CampaignRecipient => ({
      campaignId, customerId, state: 'responded', language: 'zh-CN', tier: 'standard', timeZone: 'Asia/Shanghai', seq: seq++, attempts: 1,
      sentAt: ago(60), respondedAt: ago(59), ...fields,
    });
    await new MongoCampaignRecipientRepository(mongo).insertMany([
      recipient(wang.id, { tier: 'premier', relationshipManager: '李经理' }),
      recipient(li.id, { tier: 'premier', relationshipManager: '李经理', language: 'en' }),
      recipient(zhao.id, {}),
      recipient(quiet.id, { state: 'sent', respondedAt: undefined }),
      recipient(failed.id, { state: 'failed', tier: 'priority', sentAt: undefined, respondedAt: undefined, reason: 'channel_500' }),
    ]);
    const responses = new MongoSurveyResponseRepository(mongo);
    const answer = async (key: string, answers: Record<string, unknown>) => {
      for (const [q, v] of Object.entries(answers)) await responses.saveAnswer(campaignResponseSurveyId(campaignId), key, q, v as never, { campaignId }, ago(59));
      await responses.complete(campaignResponseSurveyId(campaignId), key, ago(59));
    };
    await answer(wang.id, { overall: 5, recommend: 10, channel: 'rm', improve: ['speed', 'fees'], comments: '审批速度太慢，希望加快审批' });
    await answer(li.id, { overall: 2, recommend: 4, channel: 'online', improve: ['digital'], comments: '-1 Approval is slow, the online banking keeps logging me out' });
    await answer(zhao.id, { overall: 4, recommend: 8, channel: 'rm', improve: null, comments: '客户经理很专业，就是审批慢' });

    // ---- the dashboard's range: the last 28 days ----
    const saveAt = (surveyId: string, key: string, q: string, v: number, at: Date) => responses.saveAnswer(surveyId, key, q, v, {}, at);
    await saveAt('service-satisfaction', 'd1', 'overall', 5, ago(14));
    await saveAt('service-satisfaction', 'd1', 'recommend', 10, ago(14));
    await saveAt('service-satisfaction', 'd2', 'overall', 1, ago(14));
    await saveAt('service-satisfaction', 'd2', 'recommend', 0, ago(14));
    await saveAt('quick-csat', 'd3', 'ease', 4, ago(7));
    await saveAt('service-satisfaction', 'd4', 'recommend', 9, ago(7));
    await saveAt('quick-csat', 'd5', 'ease', 1, ago(40)); // before the range

    const tickets = new MongoTicketRepository(mongo);
    let n = 0;
    const ticket = (category: NewTicket['category'], createdAt: Date, slaDueAt: Date, status: NewTicket['status'] = 'open') => tickets.create({
      channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', category, description: '审批太慢', severity: 'high',
      contact: { kind: 'mobile', value: '+8613812345678' }, status, createdAt, slaDueAt,
    }, () => `CMP-20261101-${'ABCDEFGH'[n++]}AAA`);
    await ticket('fees_charges', ago(20), ago(1)); // breached
    await ticket('fees_charges', ago(10), new Date(now + DAY)); // 1 day of 11 left: at risk
    await ticket('loan_delay', ago(2), new Date(now + 10 * DAY)); // on time
    const resolvedInTime = await ticket('service_quality', ago(5), ago(3)); // resolved before its due time: on time
    await tickets.transition(resolvedInTime.reference, {
      from: 'open', to: 'resolved', resolvedAt: ago(4), resolutionNote: '已退还多收费用',
      event: { id: 'ev-1', at: ago(4), by: { staffId: 's1', displayName: '李娜' }, from: 'open', to: 'resolved', note: '已退还多收费用' },
    });
    await ticket('staff_conduct', ago(40), ago(35)); // before the range

    const callbacks = new MongoCallbackRepository(mongo);
    let m = 0;
    const book = async (slotStart: Date) => {
      const outcome = await callbacks.book({
        reference: `CBK-20261101-${'ABCDEFGH'[m++]}AAA`, channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan',
        phone: '+8613812345678', slotStart, createdAt: ago(30), reminderDueAt: new Date(slotStart.getTime() - 30 * 60_000),
      }, 5);
      if (!outcome.booked) throw new Error('seed booking failed');
      return outcome.callback.reference;
    };
    const kept = await book(ago(3));
    await book(ago(2)); // slot ended, never marked: missed
    await book(new Date(now + 30 * 60_000)); // still ahead
    const cancelled = await book(ago(1));
    const markedMissed = await book(ago(4));
    await callbacks.cancel(cancelled, ago(5));
    await mongo.collection('callbacks').updateOne({ reference: kept }, { $set: { status: 'done' } });
    await mongo.collection('callbacks').updateOne({ reference: markedMissed }, { $set: { status: 'missed' } });

    const feedback = new MongoInquiryFeedbackRepository(mongo);
    const who = { language: 'zh-CN' as const, channelId: 'webchat', userId: 'u1', conversationId: 'c1' };
    for (const helpful of [true, true, true, false]) await feedback.record({ ...who, question: '利率多少', articleId: 'interest-rates', helpful, createdAt: ago(3) });
    await feedback.record({ ...who, question: '利率多少', articleId: 'interest-rates', helpful: false, createdAt: ago(50) });
    for (const question of ['外汇牌价', ' 外汇牌价', 'Gold price?']) await feedback.recordUnanswered({ ...who, question, createdAt: ago(2) });
  }, 120_000);
  afterAll(async () => { await running?.stop(); });

  test('When nobody is logged in, then results, CSV and dashboard answer 401; an agent gets 403', async () => {
    const anonymous = new ConsoleClient(running.baseUrl);
    for (const path of [`/api/console/campaigns/${campaignId}/results`, `/api/console/campaigns/${campaignId}/responses.csv`, '/api/console/dashboard']) {
      expect((await anonymous.call('GET', path)).status).toBe(401);
      expect((await agent.call('GET', path)).status).toBe(403);
    }
  });

  test('When a supervisor asks for the results, then the counts, rates, CSAT, NPS, choices, themes and breakdowns are the seeded ones', async () => {
    const res = await supervisor.call('GET', `/api/console/campaigns/${campaignId}/results`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      campaignId,
      counts: { pending: 0, sending: 0, sent: 1, failed: 1, unreachable: 0, skipped: 0, responded: 3, opted_out: 0 },
      sent: 5, delivered: 4, responded: 3, responseRate: 0.75, // the failed send was attempted
      csat: { distribution: { 1: 0, 2: 1, 3: 0, 4: 1, 5: 1 }, mean: 3.67, count: 3 },
      nps: { score: 0, promoters: 1, passives: 1, detractors: 1, count: 3 },
    });
    const channel = res.body.choices.find((c: any) => c.questionId === 'channel');
    expect(channel.choices.find((c: any) => c.id === 'rm')).toEqual({ id: 'rm', label: { 'zh-CN': '客户经理', en: 'Relationship manager' }, count: 2 });
    expect(res.body.themes['zh-CN'][0]).toMatchObject({ term: '审批', count: 2 });
    expect(res.body.themes.en.map((t: any) => t.term)).toContain('approval');
    expect(res.body.byTier).toEqual([
      { tier: 'standard', delivered: 2, responded: 1, csatMean: 4, nps: 0 },
      { tier: 'priority', delivered: 0, responded: 0, csatMean: null, nps: null },
      { tier: 'premier', delivered: 2, responded: 2, csatMean: 3.5, nps: 0 },
    ]);
    expect(res.body.byRelationshipManager).toEqual([
      { relationshipManager: '李经理', delivered: 2, responded: 2, csatMean: 3.5, nps: 0 },
      { relationshipManager: null, delivered: 2, responded: 1, csatMean: 4, nps: 0 },
    ]);
    expect((await supervisor.call('GET', '/api/console/campaigns/no-such-campaign/results')).status).toBe(404);
  });

  test('When a supervisor exports the responses, then the CSV has a BOM, CRLF lines, a bilingual header, one row per respondent with choice labels, Chinese intact, formulas neutralised, and the export is audited', async () => {
    const res = await fetch(`${running.baseUrl}/api/console/campaigns/${campaignId}/responses.csv`, { headers: { cookie: supervisor.cookieHeader() } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.split('\r\n').length).toBe(5); // header, three rows, and the empty rest after the last CRLF
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const rows: string[][] = parse(text, { bom: true });
    expect(rows[0].slice(0, 7)).toEqual(['客户编号 / Customer ID', '公司 / Company', '联系人 / Contact name', '客户等级 / Tier', '客户经理 / Relationship manager', '语言 / Language', '回复时间 / Responded at']);
    expect(rows[0]).toContain('总体而言，您对我行近期为贵公司提供的服务满意吗？ / Overall, how satisfied are you with the service we have recently given your company?');
    expect(rows).toHaveLength(4);
    const byId = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]));
    expect(byId['CRM-1001'].slice(0, 6)).toEqual(['CRM-1001', '华东精密制造有限公司', '王芳', 'premier', '李经理', 'zh-CN']);
    expect(byId['CRM-1001']).toEqual(expect.arrayContaining(['5', '10', '客户经理 / Relationship manager', '办理速度 / Processing speed; 利率与费用 / Rates and fees', '审批速度太慢，希望加快审批']));
    expect(byId['CRM-1002'][1]).toBe('\'=HYPERLINK("http://evil")');
    expect(byId['CRM-1002']).toContain('\'-1 Approval is slow, the online banking keeps logging me out');
    expect(byId['CRM-1003'][1]).toBe('杭州云帆贸易, 有限公司');
    expect(byId['CRM-1004']).toBeUndefined();

    const english: string[][] = parse(Buffer.from(await (await fetch(`${running.baseUrl}/api/console/campaigns/${campaignId}/responses.csv?lang=en`, { headers: { cookie: supervisor.cookieHeader() } })).arrayBuffer()).toString('utf8'), { bom: true });
    expect(english[0][0]).toBe('Customer ID');
    expect(english.find((r) => r[0] === 'CRM-1001')).toContain('Relationship manager');

    const audit = (running.app.parts.console as { audit: AuditEventRepository }).audit;
    const exports = await audit.list({ type: 'campaign.export' });
    expect(exports).toHaveLength(2);
    expect(exports[0]).toMatchObject({ detail: { campaignId, language: 'en' } });
    expect((await supervisor.call('GET', '/api/console/campaigns/no-such-campaign/responses.csv')).status).toBe(404);
  });

  test('When a client asks something the knowledge base cannot answer, then the dashboard counts it among the top unanswered questions', async () => {
    const conversationId = `unanswered-${now}`;
    const before = await supervisor.call('GET', `/api/console/dashboard?${new URLSearchParams(range)}`);
    expect(before.body.topUnanswered).not.toContainEqual(expect.objectContaining({ question: '火星上的天气怎么样' }));
    expect((await send(running.baseUrl, messageActivity(conversationId, '火星上的天气怎么样'))).status).toBe(200);
    const res = await supervisor.call('GET', `/api/console/dashboard?${new URLSearchParams(range)}`);
    expect(res.body.topUnanswered).toEqual([{ question: '外汇牌价', count: 2 }, { question: 'gold price?', count: 1 }, { question: '火星上的天气怎么样', count: 1 }]);
  });

  test('When a supervisor opens the dashboard for the last 28 days, then every figure is what was seeded', async () => {
    const res = await supervisor.call('GET', `/api/console/dashboard?${new URLSearchParams(range)}`);
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.from).toBe(range.from);
    const csatWeeks = Object.fromEntries(body.csatOverTime.filter((w: any) => w.count).map((w: any) => [w.week, [w.mean, w.count]]));
    expect(csatWeeks).toEqual({ [weekOf(ago(14))]: [3, 2], [weekOf(ago(7))]: [4, 1] });
    const npsWeeks = Object.fromEntries(body.npsOverTime.filter((w: any) => w.count).map((w: any) => [w.week, [w.score, w.count]]));
    expect(npsWeeks).toEqual({ [weekOf(ago(14))]: [0, 2], [weekOf(ago(7))]: [100, 1] });
    expect(body.csatOverTime.length).toBeGreaterThanOrEqual(4);
    expect(body.complaintsByCategory).toEqual([
      { category: 'service_quality', count: 1 }, { category: 'fees_charges', count: 2 }, { category: 'loan_delay', count: 1 },
      { category: 'staff_conduct', count: 0 }, { category: 'online_banking', count: 0 }, { category: 'other', count: 0 },
    ]);
    expect(body.complaintsBySla).toEqual({ onTime: 2, atRisk: 1, breached: 1 });
    expect(body.callbacks).toEqual({ booked: 4, kept: 1, missed: 2 });
    expect(body.inquiryHelpful).toEqual({ helpful: 3, notHelpful: 1, rate: 0.75 });
    expect(body.topUnanswered).toEqual(expect.arrayContaining([{ question: 'gold price?', count: 1 }]));
  });

  test('When the dashboard range is not valid, then it is a 400; without a range it covers the last 12 weeks', async () => {
    expect((await supervisor.call('GET', '/api/console/dashboard?from=yesterday')).status).toBe(400);
    expect((await supervisor.call('GET', `/api/console/dashboard?from=${range.to}&to=${range.from}`)).status).toBe(400);
    const res = await supervisor.call('GET', '/api/console/dashboard');
    expect(res.status).toBe(200);
    expect(new Date(res.body.to).getTime() - new Date(res.body.from).getTime()).toBe(12 * 7 * DAY);
  });
});
