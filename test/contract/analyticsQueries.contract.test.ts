/**
 * The read-only queries the relationship analytics added to the ticket, callback, survey
 * response and inquiry feedback repositories, and the negative-tone event store: the same
 * answers from the embedded store and from Mongo (FerretDB).
 */
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedTicketRepository } from '../../models/tickets/embeddedTicketRepository';
import { MongoTicketRepository } from '../../models/tickets/mongoTicketRepository';
import { EmbeddedCallbackRepository } from '../../models/callbacks/embeddedCallbackRepository';
import { MongoCallbackRepository } from '../../models/callbacks/mongoCallbackRepository';
import { EmbeddedSurveyResponseRepository } from '../../models/surveys/embeddedSurveyResponseRepository';
import { MongoSurveyResponseRepository } from '../../models/surveys/mongoSurveyResponseRepository';
import { EmbeddedInquiryFeedbackRepository } from '../../models/knowledge/embeddedInquiryFeedbackRepository';
import { MongoInquiryFeedbackRepository } from '../../models/knowledge/mongoInquiryFeedbackRepository';
import { EmbeddedNegativeToneEventRepository } from '../../models/conversations/embeddedNegativeToneEventRepository';
import { MongoNegativeToneEventRepository } from '../../models/conversations/mongoNegativeToneEventRepository';
import type { NewTicket, TicketAnalyticsQueries, TicketRepository } from '../../services/tickets/ticketRepository';
import type { CallbackAnalyticsQueries, CallbackRepository, NewCallback } from '../../services/callbacks/callbackRepository';
import type { SurveyResponseAnalyticsQueries, SurveyResponseRepository } from '../../services/surveys/surveyResponseRepository';
import type { InquiryFeedbackAnalyticsQueries, InquiryFeedbackRepository } from '../../services/knowledge/inquiryFeedbackRepository';
import type { NegativeToneEventRepository } from '../../services/analytics/negativeToneEvents';
import { InquiryFeedbackService } from '../../services/knowledge/inquiryFeedbackService';
import { mongoConnections } from '../support/storeFactories';

const connectMongo = mongoConnections();

function stores(): Record<'embedded' | 'mongo', Factory> {
  return {
    embedded: async () => {
      const db = new EmbeddedDatabase(null);
      return {
        tickets: new EmbeddedTicketRepository(db), callbacks: new EmbeddedCallbackRepository(db),
        responses: new EmbeddedSurveyResponseRepository(db), feedback: new EmbeddedInquiryFeedbackRepository(db),
        tone: new EmbeddedNegativeToneEventRepository(db),
      };
    },
    mongo: async () => {
      const c = await connectMongo();
      return {
        tickets: new MongoTicketRepository(c), callbacks: new MongoCallbackRepository(c),
        responses: new MongoSurveyResponseRepository(c), feedback: new MongoInquiryFeedbackRepository(c),
        tone: new MongoNegativeToneEventRepository(c),
      };
    },
  };
}
interface Stores {
  tickets: TicketRepository & TicketAnalyticsQueries;
  callbacks: CallbackRepository & CallbackAnalyticsQueries;
  responses: SurveyResponseRepository & SurveyResponseAnalyticsQueries;
  feedback: InquiryFeedbackRepository & InquiryFeedbackAnalyticsQueries;
  tone: NegativeToneEventRepository;
}
type Factory = () => Promise<Stores>;
const factories: Array<[string, Factory]> = [
  ['embedded', stores().embedded],
  ['mongo', stores().mongo],
];

const at = (iso: string) => new Date(iso);
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
let counter = 0;
function reference(prefix: 'CMP' | 'CBK'): string {
  let n = counter++;
  let suffix = '';
  for (let i = 0; i < 4; i++) { suffix = ALPHABET[n % ALPHABET.length] + suffix; n = Math.floor(n / ALPHABET.length); }
  return `${prefix}-20261130-${suffix}`;
}

function ticket(createdAt: string, overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', category: 'loan_delay', description: '审批太慢',
    severity: 'high', contact: { kind: 'mobile', value: '+8613812345678' }, status: 'open',
    createdAt: at(createdAt), slaDueAt: new Date(at(createdAt).getTime() + 86_400_000), ...overrides,
  };
}

function booking(slotStart: string, overrides: Partial<NewCallback> = {}): NewCallback {
  return {
    reference: reference('CBK'), channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'loan',
    phone: '+8613812345678', slotStart: at(slotStart), createdAt: at('2026-11-01T00:00:00Z'),
    reminderDueAt: new Date(at(slotStart).getTime() - 30 * 60_000), ...overrides,
  };
}

describe.each(factories)('Analytics queries (%s)', (_name, create) => {
  test('When tickets are filed over several days, then listCreatedBetween returns those filed in [from, to), oldest first', async () => {
    const { tickets } = await create();
    await tickets.create(ticket('2026-11-10T00:00:00Z'), () => reference('CMP'));
    const second = await tickets.create(ticket('2026-11-11T00:00:00Z', { category: 'fees_charges' }), () => reference('CMP'));
    const first = await tickets.create(ticket('2026-11-10T12:00:00Z', { userId: 'u2' }), () => reference('CMP'));
    await tickets.create(ticket('2026-11-12T00:00:00Z'), () => reference('CMP'));
    const found = await tickets.listCreatedBetween(at('2026-11-10T06:00:00Z'), at('2026-11-12T00:00:00Z'));
    expect(found.map((t) => t.reference)).toEqual([first.reference, second.reference]);
    expect(found[1]).toEqual(second);
  });

  test('When a user has booked, cancelled and other users\' callbacks, then listForUser returns all of theirs and listBySlotBetween all in the range', async () => {
    const { callbacks } = await create();
    const a = await callbacks.book(booking('2026-12-01T07:00:00Z'), 5);
    const b = await callbacks.book(booking('2026-12-01T06:00:00Z'), 5);
    const other = await callbacks.book(booking('2026-12-01T06:30:00Z', { userId: 'u2' }), 5);
    if (!a.booked || !b.booked || !other.booked) throw new Error('booking failed');
    await callbacks.cancel(a.callback.reference, at('2026-11-30T00:00:00Z'));
    const mine = await callbacks.listForUser('webchat', 'u1');
    expect(mine.map((c) => [c.reference, c.status])).toEqual([[b.callback.reference, 'booked'], [a.callback.reference, 'cancelled']]);
    const inRange = await callbacks.listBySlotBetween(at('2026-12-01T06:00:00Z'), at('2026-12-01T07:00:00Z'));
    expect(inRange.map((c) => c.reference)).toEqual([b.callback.reference, other.callback.reference]);
  });

  test('When a respondent answered several surveys, then listByRespondent returns their recent responses with every answer', async () => {
    const { responses } = await create();
    await responses.saveAnswer('quick-csat', 'cust-1', 'ease', 2, { context: 'complaint' }, at('2026-11-20T00:00:00Z'));
    await responses.saveAnswer('service-satisfaction', 'cust-1', 'overall', 4, {}, at('2026-11-21T00:00:00Z'));
    await responses.saveAnswer('service-satisfaction', 'cust-1', 'recommend', 9, {}, at('2026-11-21T00:01:00Z'));
    await responses.saveAnswer('service-satisfaction', 'cust-2', 'overall', 1, {}, at('2026-11-21T00:00:00Z'));
    await responses.saveAnswer('campaign:old', 'cust-1', 'overall', 1, {}, at('2026-06-01T00:00:00Z'));
    const found = await responses.listByRespondent('cust-1', at('2026-11-01T00:00:00Z'));
    expect(found.map((r) => [r.surveyId, r.answers])).toEqual([
      ['quick-csat', { ease: 2 }],
      ['service-satisfaction', { overall: 4, recommend: 9 }],
    ]);
  });

  test('When a survey has responses, then streamBySurvey yields each once with its own answers, and other surveys\' never', async () => {
    const { responses } = await create();
    for (const key of ['c-3', 'c-1', 'c-2']) {
      await responses.saveAnswer('campaign:x', key, 'overall', Number(key.slice(2)), { campaignId: 'x' });
      await responses.saveAnswer('campaign:x', key, 'comments', `comment ${key}`);
    }
    await responses.saveAnswer('campaign:y', 'c-1', 'overall', 5);
    await responses.saveAnswer('campaign:x', 'c-4', 'overall', null);
    const seen: Array<[string, unknown]> = [];
    for await (const r of responses.streamBySurvey('campaign:x')) seen.push([r.respondentKey, r.answers]);
    expect(seen).toEqual([
      ['c-1', { overall: 1, comments: 'comment c-1' }],
      ['c-2', { overall: 2, comments: 'comment c-2' }],
      ['c-3', { overall: 3, comments: 'comment c-3' }],
      ['c-4', { overall: null }],
    ]);
  });

  test('When responses were updated over time, then streamUpdatedBetween yields those updated in [from, to)', async () => {
    const { responses } = await create();
    await responses.saveAnswer('quick-csat', 'a', 'ease', 5, {}, at('2026-11-01T00:00:00Z'));
    await responses.saveAnswer('quick-csat', 'b', 'ease', 1, {}, at('2026-11-02T00:00:00Z'));
    await responses.saveAnswer('service-satisfaction', 'b', 'recommend', 3, {}, at('2026-11-03T00:00:00Z'));
    await responses.saveAnswer('quick-csat', 'c', 'ease', 4, {}, at('2026-11-04T00:00:00Z'));
    const seen: Array<[string, string, unknown]> = [];
    for await (const r of responses.streamUpdatedBetween(at('2026-11-02T00:00:00Z'), at('2026-11-04T00:00:00Z'))) seen.push([r.surveyId, r.respondentKey, r.answers]);
    expect(seen).toEqual([['quick-csat', 'b', { ease: 1 }], ['service-satisfaction', 'b', { recommend: 3 }]]);
  });

  test('When answers are rated and questions go unanswered, then the helpful counts and the top unanswered questions cover [from, to)', async () => {
    const { feedback } = await create();
    const times = ['2026-11-01', '2026-11-02', '2026-11-02', '2026-11-03', '2026-11-05', '2026-11-05', '2026-11-05', '2026-11-05', '2026-11-09'].map((d) => at(`${d}T01:00:00Z`));
    const service = new InquiryFeedbackService(feedback, () => times.shift()!);
    const who = { language: 'zh-CN' as const, channelId: 'webchat', userId: 'u1', conversationId: 'c1' };
    await service.record({ ...who, question: 'q', articleId: 'a', helpful: true });
    await service.record({ ...who, question: 'q', articleId: 'a', helpful: true });
    await service.record({ ...who, question: 'q', articleId: 'b', helpful: false });
    await service.recordUnanswered({ ...who, question: '外汇牌价' });
    await service.recordUnanswered({ ...who, question: ' 外汇牌价 ' });
    await service.recordUnanswered({ ...who, question: 'Gold prices?' });
    await service.recordUnanswered({ ...who, question: 'gold  prices?' });
    await service.recordUnanswered({ ...who, question: '我的卡号6222021234567890123' });
    await service.recordUnanswered({ ...who, question: 'later' });
    expect(await feedback.countHelpful(at('2026-11-02T00:00:00Z'), at('2026-11-08T00:00:00Z'))).toEqual({ helpful: 1, notHelpful: 1 });
    const top = await feedback.topUnanswered(at('2026-11-01T00:00:00Z'), at('2026-11-08T00:00:00Z'), 2);
    expect(top).toEqual([{ question: 'gold prices?', count: 2 }, { question: '外汇牌价', count: 2 }]);
    const all = await feedback.topUnanswered(at('2026-11-01T00:00:00Z'), at('2026-11-08T00:00:00Z'), 10);
    expect(JSON.stringify(all)).not.toContain('6222021234567890123');
    expect(all).toHaveLength(3);
  });

  test('When negative messages are recorded, then listSince returns the customer\'s own from `since` on, oldest first', async () => {
    const { tone } = await create();
    const event = (customerId: string, iso: string) => tone.record({ customerId, channelId: 'webchat', conversationId: 'c1', score: -2, at: at(iso) });
    await event('cust-1', '2026-11-20T00:00:00Z');
    await event('cust-1', '2026-11-10T00:00:00Z');
    await event('cust-1', '2026-10-01T00:00:00Z');
    await event('cust-2', '2026-11-20T00:00:00Z');
    expect(await tone.listSince('cust-1', at('2026-11-01T00:00:00Z'))).toEqual([at('2026-11-10T00:00:00Z'), at('2026-11-20T00:00:00Z')]);
    expect(await tone.listSince('cust-3', at('2026-11-01T00:00:00Z'))).toEqual([]);
  });
});
