import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { ConsoleClient, ADMIN_ENV, AGENT, SUPERVISOR, addStaff, signIn } from '../support/consoleClient';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';


const survey = { name: '四季度满意度回访', kind: 'survey', surveyId: 'service-satisfaction', quietHours: { start: '00:00', end: '00:00' } };

/**
 * The campaign API over HTTP on Redis + the Mongo-wire server (and on embedded storage), with customers seeded through the
 * app's repository and conversations made by real chat turns. The sender is off, so the
 * recipients stay where the launch put them.
 */
describe.each([['services'], ['embedded']] as const)('Campaign API over HTTP (storage: %s)', (storage) => {
  let running: RunningApp;
  let supervisor: ConsoleClient;
  let agent: ConsoleClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    running = await startApp({ storage, env: { ...ADMIN_ENV, CAMPAIGN_SENDER_ENABLED: 'false' } });
    await addStaff(running.baseUrl, [AGENT, SUPERVISOR]);
    supervisor = await signIn(running.baseUrl, SUPERVISOR);
    agent = await signIn(running.baseUrl, AGENT);

    // Premier clients: two who chatted and consented, one without consent, one who never chatted; one priority client.
    const customers = running.app.parts.customers as CustomerRepository;
    const consenting = { surveys: true, marketing: true };
    const seed = async (name: string, fields: Parameters<CustomerRepository['create']>[0], chat: boolean) => {
      const c = await customers.create(fields);
      ids[name] = c.id;
      if (!chat) return;
      const conversationId = `campaign-api-${name}-${Date.now()}`;
      expect((await send(running.baseUrl, messageActivity(conversationId, '你好'))).status).toBe(200);
      await customers.linkChannelUser(c.id, { channelId: 'emulator', userId: `user-${conversationId}` });
    };
    await seed('a', { name: '王芳', tier: 'premier', consent: consenting, language: 'zh-CN' }, true);
    await seed('b', { name: 'Li Lei', tier: 'premier', consent: consenting, language: 'en' }, true);
    await seed('noConsent', { name: '陈晨', tier: 'premier', consent: { surveys: false, marketing: false } }, true);
    await seed('noChat', { name: '赵敏', tier: 'premier', consent: consenting }, false);
    await seed('other', { name: '周杰', tier: 'priority', consent: consenting }, true);
  }, 90_000);
  afterAll(async () => { await running?.stop(); });

  test('When nobody is logged in, then the campaign API answers 401; an agent gets 403', async () => {
    const anonymous = new ConsoleClient(running.baseUrl);
    expect((await anonymous.call('GET', '/api/console/campaigns')).status).toBe(401);
    expect((await anonymous.call('POST', '/api/console/campaigns', survey)).status).toBe(401);
    expect((await agent.call('GET', '/api/console/campaigns')).status).toBe(403);
    expect((await agent.call('POST', '/api/console/campaigns', survey)).status).toBe(403);
    expect((await agent.call('GET', '/api/console/surveys')).status).toBe(403);
  });

  test('When a supervisor lists the surveys, then each comes with its title in both languages', async () => {
    const res = await supervisor.call('GET', '/api/console/surveys');
    expect(res.status).toBe(200);
    expect(res.body.surveys).toEqual(expect.arrayContaining([{ id: 'service-satisfaction', title: { 'zh-CN': expect.any(String), en: expect.any(String) } }]));
  });

  test('When a draft is invalid, then it is a 400 naming the field (an unknown tier, a bad date, an unknown survey)', async () => {
    const tier = await supervisor.call('POST', '/api/console/campaigns', { ...survey, audience: { tiers: ['gold'] } });
    expect(tier.status).toBe(400);
    expect(tier.body).toMatchObject({ code: 'campaign_invalid', field: 'audience.tiers' });
    expect(tier.body.message).toContain('"gold"');
    const date = await supervisor.call('POST', '/api/console/campaigns', { ...survey, startAt: 'next Monday' });
    expect(date).toMatchObject({ status: 400, body: { field: 'startAt' } });
    const unknown = await supervisor.call('POST', '/api/console/campaigns', { ...survey, surveyId: 'no-such-survey' });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'surveyId' } });
    const notJson = await supervisor.call('POST', '/api/console/campaigns', [1, 2]);
    expect(notJson.status).toBe(400);
  });

  test('When the audience is previewed, then the seeded clients are counted: matching, reachable, no consent, no conversation', async () => {
    const res = await supervisor.call('POST', '/api/console/campaigns/preview', { kind: 'survey', audience: { tiers: ['premier'] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ matching: 4, reachable: 2, frequencyCapped: 0, noConsent: 1, noConversation: 1 });
    expect((await supervisor.call('POST', '/api/console/campaigns/preview', { kind: 'survey', audience: { tiers: ['vip'] } })).status).toBe(400);
  });

  test('When a supervisor creates, edits, launches, pauses, resumes and cancels a campaign, then each answers with the campaign, counts follow and each step is audited', async () => {
    const created = await supervisor.call('POST', '/api/console/campaigns', { ...survey, audience: { tiers: ['standard'] }, endAt: '2099-01-01T00:00:00Z' });
    expect(created.status).toBe(201);
    const id = created.body.campaign.id;
    expect(created.body.campaign).toMatchObject({ status: 'draft', name: survey.name, frequencyCapDays: 30, endAt: '2099-01-01T00:00:00.000Z' });

    const edited = await supervisor.call('PUT', `/api/console/campaigns/${id}`, { audience: { tiers: ['premier'] } });
    expect(edited).toMatchObject({ status: 200, body: { campaign: { audience: { tiers: ['premier'] } } } });
    expect((await supervisor.call('GET', `/api/console/campaigns/${id}/preview`)).body).toMatchObject({ matching: 4, reachable: 2 });

    const launched = await supervisor.call('POST', `/api/console/campaigns/${id}/launch`, {});
    expect(launched).toMatchObject({ status: 200, body: { campaign: { status: 'running', launchedAt: expect.any(String) } } });
    const got = await supervisor.call('GET', `/api/console/campaigns/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.counts).toEqual({ pending: 2, sending: 0, sent: 0, failed: 0, unreachable: 2, skipped: 0, responded: 0, opted_out: 0 });
    expect(got.body.campaign).toMatchObject({ id, status: 'running' });

    expect((await supervisor.call('PUT', `/api/console/campaigns/${id}`, { name: 'late edit' })).status).toBe(409);
    expect((await supervisor.call('POST', `/api/console/campaigns/${id}/launch`, {})).status).toBe(409);
    expect((await supervisor.call('POST', `/api/console/campaigns/${id}/resume`, {})).body).toMatchObject({ code: 'campaign_wrong_status' });
    expect((await supervisor.call('POST', `/api/console/campaigns/${id}/pause`, {})).body.campaign.status).toBe('paused');
    expect((await supervisor.call('POST', `/api/console/campaigns/${id}/pause`, {})).status).toBe(409);
    expect((await supervisor.call('POST', `/api/console/campaigns/${id}/resume`, {})).body.campaign.status).toBe('running');
    expect((await supervisor.call('POST', `/api/console/campaigns/${id}/cancel`, {})).body.campaign.status).toBe('cancelled');
    expect((await supervisor.call('GET', `/api/console/campaigns/${id}`)).body.counts).toMatchObject({ pending: 0, skipped: 2, unreachable: 2 });

    const listed = await supervisor.call('GET', '/api/console/campaigns');
    expect(listed.body.campaigns.find((c: { id: string }) => c.id === id)).toMatchObject({ status: 'cancelled', counts: { skipped: 2 } });

    const audit = (running.app.parts.console as { audit: AuditEventRepository }).audit;
    const types = (await audit.list({ limit: 100 })).filter((e) => e.detail?.campaignId === id).map((e) => e.type).reverse();
    expect(types).toEqual(['campaign.create', 'campaign.update', 'campaign.launch', 'campaign.pause', 'campaign.resume', 'campaign.cancel']);
  });

  test('When a campaign does not exist, then it is 404; without the CSRF header a change is 403', async () => {
    expect((await supervisor.call('GET', '/api/console/campaigns/nope')).status).toBe(404);
    expect((await supervisor.call('POST', '/api/console/campaigns/nope/launch', {})).status).toBe(404);
    expect((await supervisor.call('POST', '/api/console/campaigns', survey, { csrf: false })).status).toBe(403);
  });
});
