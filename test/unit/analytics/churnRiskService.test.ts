import path from 'node:path';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../../models/customers/embeddedCustomerRepository';
import { EmbeddedTicketRepository } from '../../../models/tickets/embeddedTicketRepository';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { EmbeddedSurveyResponseRepository } from '../../../models/surveys/embeddedSurveyResponseRepository';
import { EmbeddedSurveyDefinitionRepository } from '../../../models/surveys/embeddedSurveyDefinitionRepository';
import { EmbeddedConversationRepository } from '../../../models/conversations/embeddedConversationRepository';
import { EmbeddedNegativeToneEventRepository } from '../../../models/conversations/embeddedNegativeToneEventRepository';
import { EmbeddedCampaignRepository } from '../../../models/campaigns/embeddedCampaignRepository';
import { loadSurveyDefinitions } from '../../../services/surveys/surveyDefinitionLoader';
import { ChurnRiskService } from '../../../services/analytics/churnRiskService';
import { withCallbackSignals, withSurveySignals, withTicketSignals } from '../../../services/analytics/churnSignals';
import { SurveyDefinitionResolver } from '../../../services/analytics/surveyQuestions';
import { campaignResponseSurveyId, DEFAULT_QUIET_HOURS } from '../../../services/campaigns/campaign';

const now = new Date('2026-11-29T08:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);

async function world(options: { debounceMs?: number } = {}) {
  const db = new EmbeddedDatabase(null);
  const customers = new EmbeddedCustomerRepository(db);
  const definitions = new EmbeddedSurveyDefinitionRepository(db);
  await loadSurveyDefinitions(path.resolve(__dirname, '../../../data/surveys'), definitions);
  const campaigns = new EmbeddedCampaignRepository(db);
  const errors: unknown[] = [];
  const holder: { service?: ChurnRiskService } = {};
  const notify = (s: Parameters<ChurnRiskService['notify']>[0]) => holder.service?.notify(s);
  const tickets = withTicketSignals(new EmbeddedTicketRepository(db), notify);
  const callbacks = withCallbackSignals(new EmbeddedCallbackRepository(db), notify);
  const responses = withSurveySignals(new EmbeddedSurveyResponseRepository(db), notify);
  const conversations = new EmbeddedConversationRepository({ database: db, now: () => now });
  const toneEvents = new EmbeddedNegativeToneEventRepository(db);
  const service = new ChurnRiskService({
    customers, tickets, callbacks, surveyResponses: responses, conversations, toneEvents,
    surveys: new SurveyDefinitionResolver(definitions, campaigns), callbackSlotMinutes: 30,
    debounceMs: options.debounceMs ?? 20, onError: (e) => errors.push(e), now: () => now,
  });
  holder.service = service;
  const customer = await customers.create({ name: '王芳', tier: 'priority' }, ago(400));
  await customers.linkChannelUser(customer.id, { channelId: 'webchat', userId: 'u1' }, ago(400));
  const score = async () => (await customers.get(customer.id))?.churnRisk;
  return { db, customers, tickets, callbacks, responses, conversations, toneEvents, campaigns, service, customer, score, errors };
}

describe('ChurnRiskService', () => {
  test('When the customer has every kind of signal, then recompute stores the score the documented rules give', async () => {
    const w = await world();
    await w.responses.saveAnswer('quick-csat', w.customer.id, 'ease', 1, {}, ago(3));
    await w.responses.saveAnswer('service-satisfaction', 'webchat:u1', 'recommend', 5, {}, ago(10)); // before the link: by channel user
    await w.tickets.create({
      channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', category: 'fees_charges', description: '收费太高', severity: 'low',
      contact: { kind: 'mobile', value: '+8613812345678' }, status: 'open', createdAt: ago(5), slaDueAt: ago(1),
    }, () => 'CMP-20261124-AAAA');
    await w.callbacks.book({
      reference: 'CBK-20261127-AAAA', channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan', phone: '+8613812345678',
      slotStart: ago(2), createdAt: ago(3), reminderDueAt: ago(2),
    }, 3);
    for (const d of [1, 2]) await w.toneEvents.record({ customerId: w.customer.id, channelId: 'webchat', conversationId: 'c1', score: -2, at: ago(d) });
    const risk = await w.service.recompute(w.customer.id, now);
    // CSAT 1 + NPS 5 (30) + open (10) + overdue (15) + 2 negative (6) + missed callback (10)
    expect(risk?.score).toBe(71);
    expect(risk?.signals.map((s) => [s.code, s.points])).toEqual([
      ['low_satisfaction', 30], ['open_complaints', 10], ['overdue_complaints', 15], ['negative_tone', 6], ['missed_callbacks', 10],
    ]);
    expect((await w.score())?.score).toBe(71);
    expect((await w.score())?.computedAt).toEqual(now);
  });

  test('When a campaign survey answer is a detractor score, then it counts through the campaign\'s survey definition', async () => {
    const w = await world();
    await w.campaigns.create({
      id: 'q4', name: 'Q4', kind: 'survey', surveyId: 'service-satisfaction', audience: {}, startAt: ago(20), quietHours: DEFAULT_QUIET_HOURS,
      frequencyCapDays: 30, sendRatePerSecond: 1, status: 'running', createdBy: 's', createdAt: ago(20), updatedAt: ago(20),
    });
    await w.responses.saveAnswer(campaignResponseSurveyId('q4'), w.customer.id, 'recommend', 3, { campaignId: 'q4' }, ago(1));
    await w.responses.saveAnswer(campaignResponseSurveyId('q4'), w.customer.id, 'overall', 4, { campaignId: 'q4' }, ago(1));
    expect((await w.service.recompute(w.customer.id, now))?.signals).toEqual([{ code: 'low_satisfaction', points: 15, detail: 'NPS 3 on 2026-11-28' }]);
  });

  test('When several signals arrive at once through the decorated repositories, then one debounced recomputation stores the score', async () => {
    const w = await world({ debounceMs: 50 });
    const recompute = jest.spyOn(w.service, 'recompute');
    await w.responses.saveAnswer('quick-csat', w.customer.id, 'ease', 2, {}, ago(1));
    await w.responses.saveAnswer('service-satisfaction', w.customer.id, 'comments', '太慢', {}, ago(1)); // text: not a signal
    await w.responses.saveAnswer('service-satisfaction', 'webchat:u1', 'overall', 1, {}, ago(1));
    expect(await w.score()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    await w.service.flush();
    expect(recompute).toHaveBeenCalledTimes(1);
    expect((await w.score())?.score).toBe(30);
  });

  test('When many customers signal at once, then at most two recomputations run at a time and every one is done', async () => {
    const w = await world({ debounceMs: 1 });
    const ids = [w.customer.id];
    for (let i = 0; i < 7; i++) ids.push((await w.customers.create({ name: `c${i}`, tier: 'standard' }, ago(10))).id);
    let running = 0;
    let most = 0;
    const recompute = w.service.recompute.bind(w.service);
    jest.spyOn(w.service, 'recompute').mockImplementation(async (id, at) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      try { return await recompute(id, at); } finally { running -= 1; }
    });
    for (const id of ids) w.service.notify({ customerId: id });
    await new Promise((r) => setTimeout(r, 20));
    await w.service.flush();
    expect(most).toBe(2);
    for (const id of ids) expect((await w.customers.get(id))?.churnRisk?.computedAt).toEqual(now);
  });

  test('When a negative message of a linked client is observed, then it is recorded and counts; an unknown client\'s is not recorded', async () => {
    const w = await world();
    w.service.observeTone({ channelId: 'webchat', userId: 'u1', conversationId: 'c1', score: -3, negative: true, at: ago(0) });
    w.service.observeTone({ channelId: 'webchat', userId: 'stranger', conversationId: 'c9', score: -3, negative: true, at: ago(0) });
    await new Promise((r) => setTimeout(r, 10));
    await w.service.flush();
    expect(await w.toneEvents.listSince(w.customer.id, ago(1))).toHaveLength(1);
    expect((await w.score())?.signals).toEqual([expect.objectContaining({ code: 'negative_tone', points: 3 })]);
    expect(w.errors).toEqual([]);
  });

  test('When a client keeps chatting in a plain tone, then their customer is looked up once per contact interval, while every negative message is still recorded', async () => {
    const w = await world();
    const lookups = jest.spyOn(w.customers, 'findByChannelUser');
    const plain = (minutes: number) => w.service.observeTone({ channelId: 'webchat', userId: 'u1', conversationId: 'c1', score: 0, negative: false, at: new Date(now.getTime() + minutes * 60_000) });
    for (let minute = 0; minute < 30; minute++) plain(minute);
    await new Promise((r) => setTimeout(r, 10));
    await w.service.flush();
    expect(lookups).toHaveBeenCalledTimes(1);
    expect((await w.score())?.computedAt).toEqual(now);

    w.service.observeTone({ channelId: 'webchat', userId: 'u1', conversationId: 'c1', score: -3, negative: true, at: new Date(now.getTime() + 31 * 60_000) });
    plain(61);
    await new Promise((r) => setTimeout(r, 10));
    await w.service.flush();
    expect(lookups).toHaveBeenCalledTimes(3);
    expect(await w.toneEvents.listSince(w.customer.id, ago(1))).toHaveLength(1);
    expect(w.errors).toEqual([]);
  });

  test('When recomputation fails, then the write that signalled still succeeds and the error is reported, not thrown', async () => {
    const w = await world();
    jest.spyOn(w.customers, 'update').mockRejectedValue(new Error('store down'));
    await expect(w.responses.saveAnswer('quick-csat', w.customer.id, 'ease', 1, {}, ago(1))).resolves.toBeUndefined();
    await new Promise((r) => setTimeout(r, 10));
    await w.service.flush();
    expect(w.errors).toEqual([expect.objectContaining({ message: 'store down' })]);
    expect((await w.responses.get('quick-csat', w.customer.id))?.answers).toEqual({ ease: 1 });
  });

  test('When a booked callback\'s slot and grace end unmarked, then the sweep recomputes its client and the missed callback counts', async () => {
    const w = await world();
    await w.callbacks.book({
      reference: 'CBK-20261129-AAAA', channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan', phone: '+8613812345678',
      slotStart: new Date(now.getTime() - 100 * 60_000), createdAt: ago(1), reminderDueAt: ago(1),
    }, 3);
    await w.callbacks.book({
      reference: 'CBK-20261129-BBBB', channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan', phone: '+8613812345678',
      slotStart: new Date(now.getTime() - 40 * 60_000), createdAt: ago(1), reminderDueAt: ago(1),
    }, 3);
    // The booking signals by itself; its score is reset so that only the sweep can bring the missed callback back.
    await w.service.flush();
    await w.customers.update(w.customer.id, { churnRisk: { score: 0, signals: [], computedAt: ago(1) } });
    // Grace (60 min) after a 30-minute slot that ran out in the last hour: the one that started 100 minutes ago, not the one 40 minutes ago.
    expect(await w.service.sweepMissedCallbacks(now)).toBe(1);
    await new Promise((r) => setTimeout(r, 40));
    await w.service.flush();
    expect((await w.score())?.signals).toEqual([expect.objectContaining({ code: 'missed_callbacks', detail: '1 missed: CBK-20261129-AAAA' })]);
    // The next sweep starts where this one ended: nothing new.
    expect(await w.service.sweepMissedCallbacks(new Date(now.getTime() + 60_000))).toBe(0);
  });

  test('When a client kept contacting every week and went quiet, then fewer contacts is a signal', async () => {
    const w = await world();
    for (let week = 5; week < 30; week++) {
      await w.conversations.upsertFromTurn({ channelId: 'webchat', conversation: { id: `c${week}` } as never }, { channelId: 'webchat', conversationId: `c${week}`, userId: 'u1' });
      await w.db.collection('conversations').then((s) => s.updateAsync({ conversationId: `c${week}` }, { $set: { createdAt: ago(week * 7) } }, {}));
    }
    expect((await w.service.recompute(w.customer.id, now))?.signals.map((s) => s.code)).toEqual(['fewer_contacts']);
  });

  test('When staff record a callback\'s outcome, then its client is recomputed: done is kept, missed counts even before the grace ends', async () => {
    const w = await world();
    const book = (reference: string, minutesAgo: number) => w.callbacks.book({
      reference, channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan', phone: '+8613812345678',
      slotStart: new Date(now.getTime() - minutesAgo * 60_000), createdAt: ago(2), reminderDueAt: ago(2),
    }, 3);
    await book('CBK-20261127-DONE', 3 * 24 * 60); // nobody worked it for days: missed by the clock until staff say otherwise
    await book('CBK-20261129-MISS', 10);
    await w.service.flush();
    expect((await w.score())?.signals).toEqual([expect.objectContaining({ code: 'missed_callbacks', detail: '1 missed: CBK-20261127-DONE' })]);
    const staff = { staffId: 's1', displayName: '李娜' };
    await w.callbacks.recordOutcome('CBK-20261127-DONE', { outcome: 'done', by: staff, at: now });
    await new Promise((r) => setTimeout(r, 40));
    await w.service.flush();
    expect((await w.score())?.signals).toEqual([]);
    await w.callbacks.recordOutcome('CBK-20261129-MISS', { outcome: 'missed', note: 'no answer', by: staff, at: now });
    await new Promise((r) => setTimeout(r, 40));
    await w.service.flush();
    expect((await w.score())?.signals).toEqual([expect.objectContaining({ code: 'missed_callbacks', detail: '1 missed: CBK-20261129-MISS' })]);
    expect(w.errors).toEqual([]);
  });
});
