/**
 * The console's customer API over HTTP on the whole app (embedded storage, and Mongo-wire +
 * Redis): list, profile with churn risk, linking a chat user (audited), and the bot turn of a
 * linked client recording their last contact.
 */
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { ConsoleClient, ADMIN_ENV, AGENT, addStaff, signIn } from '../support/consoleClient';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { CustomerContactMiddleware } from '../../bot/middleware/customerContactMiddleware';


describe.each(['embedded', 'services'] as const)('Console customer API (%s)', (storage) => {
  let running: RunningApp;
  let agent: ConsoleClient;
  let customers: CustomerRepository;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    running = await startApp({ storage, env: ADMIN_ENV });
    await addStaff(running.baseUrl, [AGENT]);
    agent = await signIn(running.baseUrl, AGENT);
    customers = running.app.parts.customers as CustomerRepository;
    const seed = [
      ['CRM-1', { name: '王芳', company: '杭州明远机械有限公司', tier: 'premier', phone: '+8613812345678', email: 'wang@mingyuan.example.cn', tags: ['出口'], consent: { surveys: true, marketing: false }, relationshipManager: 'rm-zhang', language: 'zh-CN' }, 72],
      ['CRM-2', { name: 'Li Lei', company: 'Acme Trading', tier: 'standard', language: 'en' }, 15],
      ['CRM-3', { name: '陈静', company: '深圳华南电子', tier: 'priority' }, undefined],
    ] as const;
    for (const [externalId, fields, score] of seed) {
      const c = await customers.upsertByExternalId(externalId, { ...fields, tags: [...(('tags' in fields) ? fields.tags : [])] });
      ids[externalId] = c.id;
      if (score !== undefined) {
        await customers.update(c.id, { churnRisk: { score, signals: [{ code: 'low_csat', points: score, detail: 'CSAT 2 on 2026-11-20' }], computedAt: new Date('2026-11-28T00:00:00Z') } });
      }
    }
  }, 60000);
  afterAll(async () => { await running?.stop(); });

  test('When nobody is logged in, then every customer route answers 401', async () => {
    const anonymous = new ConsoleClient(running.baseUrl);
    expect((await anonymous.call('GET', '/api/console/customers')).status).toBe(401);
    expect((await anonymous.call('GET', `/api/console/customers/${ids['CRM-1']}`)).status).toBe(401);
    expect((await anonymous.call('POST', `/api/console/customers/${ids['CRM-1']}/links`, { channelId: 'webchat', userId: 'x' })).status).toBe(401);
  });

  test('When an agent lists customers, then they come by churn risk, highest first, as summaries with the total', async () => {
    const { status, body } = await agent.call('GET', '/api/console/customers');
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    expect(body.items.map((c: { externalId: string }) => c.externalId)).toEqual(['CRM-1', 'CRM-2', 'CRM-3']);
    expect(body.items[0]).toEqual({ id: ids['CRM-1'], externalId: 'CRM-1', name: '王芳', company: '杭州明远机械有限公司', tier: 'premier', relationshipManager: 'rm-zhang', language: 'zh-CN', churnRisk: 72 });
    expect(body.items[0]).not.toHaveProperty('phone');
  });

  test('When an agent searches, sorts and pages, then the query is applied', async () => {
    const search = await agent.call('GET', `/api/console/customers?q=${encodeURIComponent('明远')}`);
    expect(search.body).toMatchObject({ total: 1, items: [{ externalId: 'CRM-1' }] });
    const byTier = await agent.call('GET', '/api/console/customers?sort=tier&order=asc&offset=1&limit=1');
    expect(byTier.body).toMatchObject({ total: 3, items: [{ externalId: 'CRM-3' }] });
  });

  test.each([
    ['sort=phone', 'invalid_sort'],
    ['order=up', 'invalid_order'],
    ['limit=0', 'invalid_limit'],
    ['limit=500', 'invalid_limit'],
    ['limit=ten', 'invalid_limit'],
    ['offset=-1', 'invalid_offset'],
    ['sort=name&sort=tier', 'invalid_sort'],
  ])('When the list is asked with %s, then it is refused with 400 %s', async (query, code) => {
    const { status, body } = await agent.call('GET', `/api/console/customers?${query}`);
    expect(status).toBe(400);
    expect(body.code).toBe(code);
  });

  test('When an agent opens a customer, then the profile has contact, consent, chat users and the churn score with its signals', async () => {
    const { status, body } = await agent.call('GET', `/api/console/customers/${ids['CRM-1']}`);
    expect(status).toBe(200);
    expect(body.customer).toMatchObject({ id: ids['CRM-1'], phone: '+8613812345678', email: 'wang@mingyuan.example.cn', tags: ['出口'], consent: { surveys: true, marketing: false }, channelUsers: [], churnRisk: 72 });
    expect(body.churn).toEqual({ score: 72, signals: [{ code: 'low_csat', points: 72, detail: 'CSAT 2 on 2026-11-20' }], computedAt: '2026-11-28T00:00:00.000Z' });
    expect(body.customer).not.toHaveProperty('optedOutAt');
    await customers.update(ids['CRM-3'], { optedOutAt: new Date('2026-11-29T08:00:00Z'), timeZone: 'Asia/Shanghai' });
    const optedOut = await agent.call('GET', `/api/console/customers/${ids['CRM-3']}`);
    expect(optedOut.body.customer).toMatchObject({ optedOutAt: '2026-11-29T08:00:00.000Z', timeZone: 'Asia/Shanghai' });
    expect(optedOut.body.churn).toBeNull();
    expect((await agent.call('GET', '/api/console/customers/no-such-id')).status).toBe(404);
  });

  test('When an agent links a chat user, then the customer has it, the link is audited, and linking it to another customer is 409', async () => {
    const link = await agent.call('POST', `/api/console/customers/${ids['CRM-2']}/links`, { channelId: 'emulator', userId: 'user-linked-conv' });
    expect(link.status).toBe(200);
    expect(link.body.customer.channelUsers).toEqual([{ channelId: 'emulator', userId: 'user-linked-conv' }]);
    const audit = (running.app.parts.console as { audit: AuditEventRepository }).audit;
    expect(await audit.list({ type: 'customer.link' })).toEqual([expect.objectContaining({ detail: { customerId: ids['CRM-2'], channelId: 'emulator', userId: 'user-linked-conv' } })]);
    const again = await agent.call('POST', `/api/console/customers/${ids['CRM-2']}/links`, { channelId: 'emulator', userId: 'user-linked-conv' });
    expect(again.status).toBe(200);
    const elsewhere = await agent.call('POST', `/api/console/customers/${ids['CRM-3']}/links`, { channelId: 'emulator', userId: 'user-linked-conv' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.code).toBe('channel_user_linked');
    expect((await agent.call('POST', `/api/console/customers/${ids['CRM-3']}/links`, { channelId: '', userId: 'x' })).status).toBe(400);
    expect((await agent.call('POST', '/api/console/customers/no-such-id/links', { channelId: 'webchat', userId: 'y' })).status).toBe(404);
    expect((await agent.call('POST', `/api/console/customers/${ids['CRM-3']}/links`, { channelId: 'webchat', userId: 'z' }, { csrf: false })).status).toBe(403);
  });

  test('When the linked client then writes to the bot, then their last contact is recorded', async () => {
    const before = new Date();
    const turn = await send(running.baseUrl, messageActivity('linked-conv', '你好'));
    expect(turn.status).toBe(200);
    await (running.app.parts.customerContact as CustomerContactMiddleware).flush();
    const stored = await customers.get(ids['CRM-2']);
    expect(stored?.lastContactAt?.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    const listed = await agent.call('GET', '/api/console/customers?sort=lastContactAt');
    expect(listed.body.items[0]).toMatchObject({ externalId: 'CRM-2', lastContactAt: stored!.lastContactAt!.toISOString() });
  });
});
