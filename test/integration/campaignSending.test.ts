/**
 * Campaign sending end to end in one app on Redis + the Mongo-wire server (and on the embedded
 * store, with the in-process lock and rate limiter): clients talk to the
 * bot through /api/messages with a stub channel as serviceUrl (so their conversation references
 * point at it), are linked to customers, a campaign is created and launched through the campaign
 * service, and the sender (driven with runOnce) delivers it as proactive turns to the stub.
 */
import { DateTime } from 'luxon';
import { startCampaignApp, type CampaignApp, type CampaignClient as Client } from '../support/campaignApp';
import type { Language } from '../../services/i18n/localizer';

describe.each([
  ['Redis + Mongo', 'services'],
  ['embedded', 'embedded'],
] as const)('Campaign sending (%s, stub channel)', (_name, storage) => {
  let app: CampaignApp;
  beforeAll(async () => {
    app = await startCampaignApp(storage, { CAMPAIGN_BATCH_SIZE: '50', HANDOFF_STAFF_HOURS: 'always', CAMPAIGN_CLAIM_STALE_MS: '60000' });
  }, 60_000);
  afterAll(() => app?.stop());

  /** A client who said hello once (so the bot holds their reference), linked to a new customer with this tag. */
  const client = (tag: string, language: Language, consent = true) =>
    app.helloClient(language, { tags: [tag], consent: { surveys: consent, marketing: consent } });

  const greeting = { 'zh-CN': '您好，感谢您选择我们的服务！', en: 'Hello, and thank you for banking with us!' };

  async function launch(tag: string, fields: Record<string, unknown> = {}): Promise<string> {
    await app.flushConversations();
    const created = await app.campaigns.create({
      name: `Campaign ${tag}`, kind: 'message', message: greeting, audience: { tagsAny: [tag] },
      quietHours: { start: '00:00', end: '00:00' }, frequencyCapDays: 0, sendRatePerSecond: 100, ...fields,
    }, 'supervisor@example.test');
    await app.campaigns.launch(created.id);
    return created.id;
  }

  const texts = (c: Client) => app.stub.delivered(c.conversationId).map((r) => r.body?.text as string);

  test('When a campaign is launched to six clients, then each gets exactly one message, in their language, and the campaign completes', async () => {
    const tag = `all-${Date.now()}`;
    const clients = [await client(tag, 'zh-CN'), await client(tag, 'en'), await client(tag, 'zh-CN'), await client(tag, 'en'), await client(tag, 'zh-CN'), await client(tag, 'en')];
    const id = await launch(tag);

    const report = await app.sender.runOnce(new Date());
    expect(report.sent).toBe(6);
    expect(report.completed).toContain(id);
    for (const c of clients) {
      expect(texts(c)).toEqual([greeting[c.language]]);
      expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'sent', conversationId: c.conversationId });
    }
    // Running again sends nothing more.
    expect((await app.sender.runOnce(new Date())).sent).toBe(0);
    for (const c of clients) expect(texts(c)).toHaveLength(1);
    expect((await app.campaigns.get(id)).status).toBe('completed');
  });

  test('When the channel answers 429 first, then the message is retried and delivered once', async () => {
    const tag = `throttled-${Date.now()}`;
    const c = await client(tag, 'en');
    app.stub.plan(c.conversationId, [{ status: 429, retryAfter: 0 }]);
    const id = await launch(tag);

    await app.sender.runOnce(new Date());
    const requests = app.stub.received.filter((r) => r.conversationId === c.conversationId);
    expect(requests.map((r) => r.status)).toEqual([429, 200]);
    expect(texts(c)).toEqual([greeting.en]);
    expect((await app.recipients.get(id, c.customerId))?.state).toBe('sent');
  });

  test('When the channel answers 403, then the client is unreachable and never tried again', async () => {
    const tag = `forbidden-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    app.stub.always(c.conversationId, 403);
    const id = await launch(tag);

    await app.sender.runOnce(new Date());
    await app.sender.runOnce(new Date(Date.now() + 3600_000));
    expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'unreachable', reason: 'channel_403' });
    expect(app.stub.received.filter((r) => r.conversationId === c.conversationId)).toHaveLength(1);
    app.stub.always(c.conversationId, undefined);
  });

  test('When a client gave no consent, or withdrew it after the launch, then they are never messaged', async () => {
    const tag = `consent-${Date.now()}`;
    const never = await client(tag, 'zh-CN', false);
    const withdrew = await client(tag, 'en');
    const willing = await client(tag, 'en');
    const id = await launch(tag);
    await app.customers.update(withdrew.customerId, { consent: { surveys: false, marketing: false } });

    await app.sender.runOnce(new Date());
    expect(texts(never)).toEqual([]);
    expect(texts(withdrew)).toEqual([]);
    expect(texts(willing)).toEqual([greeting.en]);
    expect(await app.recipients.get(id, never.customerId)).toMatchObject({ state: 'unreachable', reason: 'no_consent' });
    expect(await app.recipients.get(id, withdrew.customerId)).toMatchObject({ state: 'unreachable', reason: 'no_consent' });
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
    const first = await app.sender.runOnce(now);
    expect(first.sent).toBe(0);
    expect(texts(c)).toEqual([]);
    const waiting = await app.recipients.get(id, c.customerId);
    expect(waiting?.state).toBe('pending');
    expect(waiting?.notBefore?.getTime()).toBeGreaterThan(now.getTime());
    expect((await app.campaigns.get(id)).status).toBe('running');

    const later = new Date(waiting!.notBefore!.getTime() + 60_000);
    expect((await app.sender.runOnce(later)).sent).toBe(1);
    expect(texts(c)).toEqual([greeting['zh-CN']]);
  });

  test('When the campaign is paused mid-way, then sending stops within about a second (even inside a batch); when resumed, the rest is sent once', async () => {
    const tag = `pause-${Date.now()}`;
    const clients: Client[] = [];
    for (let i = 0; i < 8; i += 1) clients.push(await client(tag, i % 2 ? 'en' : 'zh-CN'));
    const id = await launch(tag, { sendRatePerSecond: 2 });
    const delivered = () => clients.filter((c) => texts(c).length > 0).length;

    const run = app.sender.runOnce(new Date());
    const deadline = Date.now() + 20_000;
    while (delivered() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await app.campaigns.pause(id);
    await run;
    const atPause = delivered();
    expect(atPause).toBeGreaterThan(0);
    // All eight are in one batch: at 2 a second, only what the next status read (within a second) lets through.
    expect(atPause).toBeLessThanOrEqual(5);
    expect((await app.sender.runOnce(new Date())).sent).toBe(0);
    expect(delivered()).toBe(atPause);

    await app.campaigns.resume(id);
    await app.sender.runOnce(new Date());
    expect(delivered()).toBe(8);
    for (const c of clients) expect(texts(c)).toHaveLength(1);
    expect((await app.campaigns.get(id)).status).toBe('completed');
  }, 60_000);

  test('When the client is in the middle of another dialog, then the campaign waits a few minutes instead of interrupting', async () => {
    const tag = `busy-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    // Starting a complaint leaves the complaint dialog waiting for the client's next answer.
    const started = await app.say(c, '我要投诉');
    expect(started.replies.length).toBeGreaterThan(0);
    const id = await launch(tag);

    const now = new Date();
    const report = await app.sender.runOnce(now);
    expect(report.sent).toBe(0);
    expect(report.deferred).toBe(1);
    expect(texts(c)).toEqual([]);
    const waiting = await app.recipients.get(id, c.customerId);
    expect(waiting?.state).toBe('pending');
    expect(waiting?.notBefore?.getTime()).toBeGreaterThan(now.getTime() + 60_000);
  });

  test('When the client is waiting in the handoff queue, then the campaign waits instead of cutting in', async () => {
    const tag = `queued-${Date.now()}`;
    const c = await client(tag, 'zh-CN');
    const queued = await app.say(c, '转人工');
    expect(queued.replies.map((r) => r.text ?? '').join('\n')).toContain('您目前排在第');
    const id = await launch(tag);

    const report = await app.sender.runOnce(new Date());
    expect(report.deferred).toBe(1);
    expect(app.stub.delivered(c.conversationId).filter((r) => r.body?.text === greeting['zh-CN'])).toEqual([]);
    expect((await app.recipients.get(id, c.customerId))?.state).toBe('pending');
  });

  test('When a send was left in flight by a process that died, then it is marked failed/interrupted and never resent', async () => {
    const tag = `stale-${Date.now()}`;
    const c = await client(tag, 'en');
    const id = await launch(tag);
    // A process that died right after claiming, two minutes ago.
    expect(await app.recipients.claim(id, c.customerId, 'dead-host:1', new Date(Date.now() - 120_000))).toBe(true);

    const report = await app.sender.runOnce(new Date());
    expect(report.interrupted).toBe(1);
    expect(await app.recipients.get(id, c.customerId)).toMatchObject({ state: 'failed', reason: 'interrupted' });
    await app.sender.runOnce(new Date(Date.now() + 3600_000));
    expect(texts(c)).toEqual([]);
    expect((await app.campaigns.get(id)).status).toBe('completed');
  });

  test('When a client was asked for feedback within the frequency cap, then a second feedback campaign skips them', async () => {
    const tag = `cap-${Date.now()}`;
    const c = await client(tag, 'en');
    const first = await launch(tag, { followWithCsat: true, frequencyCapDays: 30 });
    await app.sender.runOnce(new Date());
    expect((await app.recipients.get(first, c.customerId))?.state).toBe('sent');
    const before = app.stub.delivered(c.conversationId).length;
    expect(before).toBeGreaterThanOrEqual(1);

    const second = await launch(tag, { name: 'Second', followWithCsat: true, frequencyCapDays: 30 });
    await app.sender.runOnce(new Date());
    expect(await app.recipients.get(second, c.customerId)).toMatchObject({ state: 'skipped', reason: 'frequency_cap' });
    expect(app.stub.delivered(c.conversationId)).toHaveLength(before);
  });
});
