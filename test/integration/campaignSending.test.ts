/**
 * Campaign sending end to end in one app on Redis + the Mongo-wire server (and on the embedded
 * store, with the in-process lock and rate limiter): clients talk to the
 * bot through /api/messages with a stub channel as serviceUrl (so their conversation references
 * point at it), are linked to customers, a campaign is created and launched through the campaign
 * service, and the sender (driven with runOnce) delivers it as proactive turns to the stub.
 */
import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import type { CampaignSender } from '../../services/campaigns/campaignSender';
import type { CampaignService } from '../../services/campaigns/campaignService';
import type { CampaignRecipientRepository } from '../../services/campaigns/campaign';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { Language } from '../../services/i18n/localizer';

interface Client { conversationId: string; userId: string; customerId: string; language: Language }

describe.each([
  ['Redis + Mongo', 'services'],
  ['embedded', 'embedded'],
] as const)('Campaign sending (%s, stub channel)', (_name, storage) => {
  let running: RunningApp;
  let stub: StubChannel;
  let sender: CampaignSender;
  let service: CampaignService;
  let recipients: CampaignRecipientRepository;
  let customers: CustomerRepository;

  beforeAll(async () => {
    stub = await startStubChannel();
    // The test drives the sender with runOnce; the background loop stays off.
    running = await startApp({ storage, env: { CAMPAIGN_SENDER_ENABLED: 'false', CAMPAIGN_BATCH_SIZE: '50', HANDOFF_STAFF_HOURS: 'always', CAMPAIGN_CLAIM_STALE_MS: '60000' } });
    sender = running.app.parts.campaignSender as CampaignSender;
    service = running.app.parts.campaignService as CampaignService;
    recipients = running.app.parts.campaignRecipients as CampaignRecipientRepository;
    customers = running.app.parts.customers as CustomerRepository;
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    await stub?.close();
  });

  /** A client who said hello once (so the bot holds their reference), linked to a new customer with this tag. */
  async function client(tag: string, language: Language, consent = true): Promise<Client> {
    const conversationId = `camp-${crypto.randomBytes(5).toString('hex')}`;
    const activity = messageActivity(conversationId, language === 'en' ? 'hello' : '你好', { locale: language, serviceUrl: stub.url, channelId: 'webchat' });
    const reply = await send(running.baseUrl, activity);
    expect(reply.status).toBe(200);
    const userId = (activity.from as { id: string }).id;
    const customer = await customers.create({
      name: `Client ${conversationId}`, language, tags: [tag], consent: { surveys: consent, marketing: consent },
      channelUsers: [{ channelId: 'webchat', userId }],
    });
    return { conversationId, userId, customerId: customer.id, language };
  }

  async function flushConversations(): Promise<void> {
    await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();
  }

  const greeting = { 'zh-CN': '您好，感谢您选择我们的服务！', en: 'Hello, and thank you for banking with us!' };

  async function launch(tag: string, fields: Record<string, unknown> = {}): Promise<string> {
    await flushConversations();
    const created = await service.create({
      name: `Campaign ${tag}`, kind: 'message', message: greeting, audience: { tagsAny: [tag] },
      quietHours: { start: '00:00', end: '00:00' }, frequencyCapDays: 0, sendRatePerSecond: 100, ...fields,
    }, 'supervisor@example.test');
    await service.launch(created.id);
    return created.id;
  }

  const texts = (c: Client) => stub.delivered(c.conversationId).map((r) => r.body?.text as string);

  test('When a campaign is launched to six clients, then each gets exactly one message, in their language, and the campaign completes', async () => {
    const tag = `all-${Date.now()}`;
    const clients = [await client(tag, 'zh-CN'), await client(tag, 'en'), await client(tag, 'zh-CN'), await client(tag, 'en'), await client(tag, 'zh-CN'), await client(tag, 'en')];
    const id = await launch(tag);

    const report = await sender.runOnce(new Date());
    expect(report.sent).toBe(6);
    expect(report.completed).toContain(id);
    for (const c of clients) {
      expect(texts(c)).toEqual([greeting[c.language]]);
      expect(await recipients.get(id, c.customerId)).toMatchObject({ state: 'sent', conversationId: c.conversationId });
    }
    // Running again sends nothing more.
    expect((await sender.runOnce(new Date())).sent).toBe(0);
    for (const c of clients) expect(texts(c)).toHaveLength(1);
    expect((await service.get(id)).status).toBe('completed');
  });

  test('When the channel answers 429 first, then the message is retried and delivered once', async () => {
    const tag = `throttled-${Date.now()}`;
    const c = await client(tag, 'en');
    stub.plan(c.conversationId, [{ status: 429, retryAfter: 0 }]);
    const id = await launch(tag);

    await sender.runOnce(new Date());
    const requests = stub.received.filter((r) => r.conversationId === c.conversationId);
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
    expect(texts(c)).toEqual([greeting.en]);
    expect((await recipients.get(id, c.customerId))?.state).toBe('sent');
  });

  test('When the channel answers 403, then the client is unreachable and never tried again', async () => {
    const tag = `forbidden-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    stub.always(c.conversationId, 403);
    const id = await launch(tag);

    await sender.runOnce(new Date());
    await sender.runOnce(new Date(Date.now() + 3600_000));
    expect(await recipients.get(id, c.customerId)).toMatchObject({ state: 'unreachable', reason: 'channel_403' });
    expect(stub.received.filter((r) => r.conversationId === c.conversationId)).toHaveLength(1);
    stub.always(c.conversationId, undefined);
  });

  test('When a client gave no consent, or withdrew it after the launch, then they are never messaged', async () => {
    const tag = `consent-${Date.now()}`;
    const never = await client(tag, 'zh-CN', false);
    const withdrew = await client(tag, 'en');
    const willing = await client(tag, 'en');
    const id = await launch(tag);
    await customers.update(withdrew.customerId, { consent: { surveys: false, marketing: false } });

    await sender.runOnce(new Date());
    expect(texts(never)).toEqual([]);
    expect(texts(withdrew)).toEqual([]);
    expect(texts(willing)).toEqual([greeting.en]);
    expect(await recipients.get(id, never.customerId)).toMatchObject({ state: 'unreachable', reason: 'no_consent' });
    expect(await recipients.get(id, withdrew.customerId)).toMatchObject({ state: 'unreachable', reason: 'no_consent' });
  });

  test('When it is quiet hours in the client\'s time zone, then the message waits for the end of them', async () => {
    const tag = `quiet-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    // A quiet window around the current time in Shanghai (the customer's default zone).
    const local = DateTime.now().setZone('Asia/Shanghai');
    const start = local.minus({ hours: 1 }).toFormat('HH:mm');
    const end = local.plus({ hours: 1 }).toFormat('HH:mm');
    const id = await launch(tag, { quietHours: { start, end } });

    const now = new Date();
    const first = await sender.runOnce(now);
    expect(first.sent).toBe(0);
    expect(texts(c)).toEqual([]);
    const waiting = await recipients.get(id, c.customerId);
    expect(waiting?.state).toBe('pending');
    expect(waiting?.notBefore?.getTime()).toBeGreaterThan(now.getTime());
    expect((await service.get(id)).status).toBe('running');

    const later = new Date(waiting!.notBefore!.getTime() + 60_000);
    expect((await sender.runOnce(later)).sent).toBe(1);
    expect(texts(c)).toEqual([greeting['zh-CN']]);
  });

  test('When the campaign is paused mid-way, then sending stops within about a second (even inside a batch); when resumed, the rest is sent once', async () => {
    const tag = `pause-${Date.now()}`;
    const clients: Client[] = [];
    for (let i = 0; i < 8; i += 1) clients.push(await client(tag, i % 2 ? 'en' : 'zh-CN'));
    const id = await launch(tag, { sendRatePerSecond: 2 });
    const delivered = () => clients.filter((c) => texts(c).length > 0).length;

    const run = sender.runOnce(new Date());
    const deadline = Date.now() + 20_000;
    while (delivered() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await service.pause(id);
    await run;
    const atPause = delivered();
    expect(atPause).toBeGreaterThan(0);
    // All eight are in one batch: at 2 a second, only what the next status read (within a second) lets through.
    expect(atPause).toBeLessThanOrEqual(5);
    expect((await sender.runOnce(new Date())).sent).toBe(0);
    expect(delivered()).toBe(atPause);

    await service.resume(id);
    await sender.runOnce(new Date());
    expect(delivered()).toBe(8);
    for (const c of clients) expect(texts(c)).toHaveLength(1);
    expect((await service.get(id)).status).toBe('completed');
  }, 60_000);

  test('When the client is in the middle of another dialog, then the campaign waits a few minutes instead of interrupting', async () => {
    const tag = `busy-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    // Starting a complaint leaves the complaint dialog waiting for the client's next answer.
    const started = await send(running.baseUrl, messageActivity(c.conversationId, '我要投诉', { locale: 'zh-CN', serviceUrl: stub.url, channelId: 'webchat', from: { id: c.userId } }));
    expect(started.replies.length).toBeGreaterThan(0);
    const id = await launch(tag);

    const now = new Date();
    const report = await sender.runOnce(now);
    expect(report.sent).toBe(0);
    expect(report.deferred).toBe(1);
    expect(texts(c)).toEqual([]);
    const waiting = await recipients.get(id, c.customerId);
    expect(waiting?.state).toBe('pending');
    expect(waiting?.notBefore?.getTime()).toBeGreaterThan(now.getTime() + 60_000);
  });

  test('When the client is waiting in the handoff queue, then the campaign waits instead of cutting in', async () => {
    const tag = `queued-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    const queued = await send(running.baseUrl, messageActivity(c.conversationId, '转人工', { locale: 'zh-CN', serviceUrl: stub.url, channelId: 'webchat', from: { id: c.userId } }));
    expect(queued.replies.map((r) => r.text ?? '').join('\n')).toContain('您目前排在第');
    const id = await launch(tag);

    const report = await sender.runOnce(new Date());
    expect(report.deferred).toBe(1);
    expect(stub.delivered(c.conversationId).filter((r) => r.body?.text === greeting['zh-CN'])).toEqual([]);
    expect((await recipients.get(id, c.customerId))?.state).toBe('pending');
  });

  test('When a send was left in flight by a process that died, then it is marked failed/interrupted and never resent', async () => {
    const tag = `stale-${Date.now()}`;
    const c = await client(tag, 'en');
    const id = await launch(tag);
    // A process that died right after claiming, two minutes ago.
    expect(await recipients.claim(id, c.customerId, 'dead-host:1', new Date(Date.now() - 120_000))).toBe(true);

    const report = await sender.runOnce(new Date());
    expect(report.interrupted).toBe(1);
    expect(await recipients.get(id, c.customerId)).toMatchObject({ state: 'failed', reason: 'interrupted' });
    await sender.runOnce(new Date(Date.now() + 3600_000));
    expect(texts(c)).toEqual([]);
    expect((await service.get(id)).status).toBe('completed');
  });

  test('When a client was asked for feedback within the frequency cap, then a second feedback campaign skips them', async () => {
    const tag = `cap-${Date.now()}`;
    const c = await client(tag, 'en');
    const first = await launch(tag, { followWithCsat: true, frequencyCapDays: 30 });
    await sender.runOnce(new Date());
    expect((await recipients.get(first, c.customerId))?.state).toBe('sent');
    const before = stub.delivered(c.conversationId).length;
    expect(before).toBeGreaterThanOrEqual(1);

    const second = await launch(tag, { name: 'Second', followWithCsat: true, frequencyCapDays: 30 });
    await sender.runOnce(new Date());
    expect(await recipients.get(second, c.customerId)).toMatchObject({ state: 'skipped', reason: 'frequency_cap' });
    expect(stub.delivered(c.conversationId)).toHaveLength(before);
  });
});
