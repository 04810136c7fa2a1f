import { matchesFilter, parseAudienceFilter, hasConsent } from '../../../services/campaigns/audience';
import type { AudienceFilter } from '../../../services/campaigns/campaign';
import type { Customer } from '../../../services/customers/customerRepository';
import { EmbeddedConversationRepository } from '../../../models/conversations/embeddedConversationRepository';
import { campaignWorld } from './campaignFixtures';

const now = new Date('2026-11-30T02:00:00Z');
const base: Customer = {
  id: 'c1', channelUsers: [], tier: 'premier', tags: ['export', 'manufacturing'], language: 'zh-CN', relationshipManager: 'rm-zhang',
  consent: { surveys: true, marketing: false }, lastContactAt: new Date('2026-10-01T00:00:00Z'), createdAt: now, updatedAt: now,
};

describe('matchesFilter', () => {
  test.each<[string, AudienceFilter, Partial<Customer>, boolean]>([
    ['an empty filter', {}, {}, true],
    ['the tier listed', { tiers: ['priority', 'premier'] }, {}, true],
    ['another tier', { tiers: ['standard'] }, {}, false],
    ['one of the tags', { tagsAny: ['retail', 'export'] }, {}, true],
    ['none of the tags', { tagsAny: ['retail'] }, {}, false],
    ['an empty tag list', { tagsAny: [] }, {}, false],
    ['the language', { languages: ['zh-CN'] }, {}, true],
    ['another language', { languages: ['en'] }, {}, false],
    ['no language at all', { languages: ['zh-CN', 'en'] }, { language: undefined }, false],
    ['the relationship manager', { relationshipManagers: ['rm-zhang'] }, {}, true],
    ['no relationship manager', { relationshipManagers: ['rm-zhang'] }, { relationshipManager: undefined }, false],
    ['last contact before the date', { lastContactBefore: new Date('2026-11-01T00:00:00Z') }, {}, true],
    ['last contact exactly at the date', { lastContactBefore: new Date('2026-10-01T00:00:00Z') }, {}, false],
    ['last contact after the date', { lastContactBefore: new Date('2026-09-01T00:00:00Z') }, {}, false],
    ['never contacted', { lastContactBefore: new Date('2026-09-01T00:00:00Z') }, { lastContactAt: undefined }, true],
    ['every criterion holding', { tiers: ['premier'], tagsAny: ['export'], languages: ['zh-CN'], relationshipManagers: ['rm-zhang'] }, {}, true],
    ['all but one criterion holding', { tiers: ['premier'], tagsAny: ['export'], languages: ['en'] }, {}, false],
  ])('When the filter is %s, then the customer matches accordingly', (_what, filter, change, expected) => {
    expect(matchesFilter({ ...base, ...change }, filter)).toBe(expected);
  });
});

describe('parseAudienceFilter', () => {
  test('When a tier is unknown, then it is a 400 naming the tier and the field', () => {
    expect(() => parseAudienceFilter({ tiers: ['premier', 'gold'] })).toThrow(expect.objectContaining({ status: 400, code: 'audience_invalid', message: expect.stringContaining('"gold"') }));
    try { parseAudienceFilter({ tiers: ['gold'] }); } catch (e) { expect((e as { details: { field: string } }).details.field).toBe('audience.tiers'); }
  });

  test('When the date is an ISO string, then it becomes a Date; when it is not a date, then it is a 400', () => {
    expect(parseAudienceFilter({ lastContactBefore: '2026-11-01T00:00:00Z' })).toEqual({ lastContactBefore: new Date('2026-11-01T00:00:00Z') });
    expect(() => parseAudienceFilter({ lastContactBefore: 'last week' })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseAudienceFilter({ lastContactBefore: '2026-13-45' })).toThrow(expect.objectContaining({ status: 400 }));
  });

  test('When an unknown criterion or language is given, then it is a 400', () => {
    expect(() => parseAudienceFilter({ vip: true })).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseAudienceFilter({ languages: ['fr'] })).toThrow(expect.objectContaining({ message: expect.stringContaining('"fr"') }));
  });
});

test('When consent is checked, then surveys need survey consent, messages marketing consent, and an opt-out refuses both', () => {
  expect(hasConsent(base, 'survey')).toBe(true);
  expect(hasConsent(base, 'message')).toBe(false);
  expect(hasConsent({ ...base, optedOutAt: now }, 'survey')).toBe(false);
});

describe('Audience on the embedded stores', () => {
  test('When an audience is previewed, then matching, reachable, no consent, no conversation and capped are counted', async () => {
    const world = await campaignWorld(now);
    const yes = { surveys: true, marketing: true };
    await world.customer({ tier: 'premier', consent: yes }, { chat: true }); // reachable
    await world.customer({ tier: 'premier', consent: yes }, { chat: true }); // reachable
    const capped = await world.customer({ tier: 'premier', consent: yes }, { chat: true });
    await world.customer({ tier: 'premier', consent: { surveys: false, marketing: true } }, { chat: true }); // no consent
    await world.customer({ tier: 'premier', consent: yes, optedOutAt: now }, { chat: true }); // opted out
    await world.customer({ tier: 'premier', consent: yes }); // no conversation
    await world.customer({ tier: 'standard', consent: yes }, { chat: true }); // not matching
    await world.recipients.insertMany([{ campaignId: 'old', customerId: capped.id, state: 'responded', sentAt: new Date(now.getTime() - 5 * 86400_000), asksForFeedback: true, language: 'zh-CN', tier: 'premier', timeZone: 'Asia/Shanghai', seq: 1, attempts: 1 }]);

    expect(await world.audience.preview({ kind: 'survey', frequencyCapDays: 30 }, { tiers: ['premier'] }, now))
      .toEqual({ matching: 6, reachable: 3, frequencyCapped: 1, noConsent: 2, noConversation: 1 });
    expect(await world.audience.preview({ kind: 'survey', frequencyCapDays: 3 }, { tiers: ['premier'] }, now))
      .toMatchObject({ reachable: 3, frequencyCapped: 0 });
    // Marketing consent: the customer without survey consent is reachable for a message; messages are not capped.
    expect(await world.audience.preview({ kind: 'message', frequencyCapDays: 30 }, { tiers: ['premier'] }, now))
      .toEqual({ matching: 6, reachable: 4, frequencyCapped: 0, noConsent: 1, noConversation: 1 });
  });

  test('When the filter asks for open complaints, then only customers with (or without) an open ticket match', async () => {
    const world = await campaignWorld(now);
    const unhappy = await world.customer({ tier: 'priority' }, { complaint: true });
    const calm = await world.customer({ tier: 'priority' }, { chat: true });
    const ids = async (filter: AudienceFilter) => {
      const out: string[] = [];
      for await (const batch of world.audience.batches(filter, 1)) out.push(...batch.map((c) => c.id));
      return out;
    };
    expect(await ids({ hasOpenComplaint: true })).toEqual([unhappy.id]);
    expect(await ids({ hasOpenComplaint: false })).toEqual([calm.id]);
    expect((await ids({})).sort()).toEqual([unhappy.id, calm.id].sort());
  });

  test('When a customer chatted from two identities, then the most recent conversation with a reference is used', async () => {
    const world = await campaignWorld(now);
    const c = await world.customer({}, { chat: true });
    await world.customers.linkChannelUser(c.id, { channelId: 'msteams', userId: 'aad-9' });
    const later = new EmbeddedConversationRepository({ database: world.db, now: () => new Date(now.getTime() + 60_000) });
    await later.upsertFromTurn({ channelId: 'msteams', serviceUrl: 'https://smba.example', conversation: { id: 'teams-conv' } as never }, { channelId: 'msteams', conversationId: 'teams-conv', userId: 'aad-9' });
    expect((await world.audience.latestConversation((await world.customers.get(c.id))!))?.conversationId).toBe('teams-conv');
  });
});
