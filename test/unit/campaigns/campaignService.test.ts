import { CAMPAIGN_TRANSITIONS } from '../../../services/campaigns/campaignService';
import type { CampaignRecipient } from '../../../services/campaigns/campaign';
import { campaignWorld } from './campaignFixtures';

const now = new Date('2026-11-30T02:00:00Z'); // 10:00 in Shanghai: not quiet
const survey = { name: 'Q4 satisfaction', kind: 'survey', surveyId: 'service-satisfaction' };
const greeting = { name: 'New Year', kind: 'message', message: { 'zh-CN': '新年快乐', en: 'Happy New Year' } };
const yes = { surveys: true, marketing: true };

async function allRecipients(world: Awaited<ReturnType<typeof campaignWorld>>, id: string): Promise<CampaignRecipient[]> {
  const out: CampaignRecipient[] = [];
  for await (const r of world.recipients.stream(id)) out.push(r);
  return out;
}

describe('CampaignService validation', () => {
  test('When a minimal survey draft is created, then the defaults are filled in and it is a draft by its creator', async () => {
    const { service } = await campaignWorld(now);
    const c = await service.create(survey, 'sup-1');
    expect(c).toMatchObject({
      ...survey, status: 'draft', createdBy: 'sup-1', audience: {}, startAt: now, quietHours: { start: '21:00', end: '09:00' },
      frequencyCapDays: 30, sendRatePerSecond: 20, createdAt: now,
    });
  });

  test.each<[string, Record<string, unknown>, string, string]>([
    ['an empty name', { ...survey, name: ' ' }, 'name', 'campaign_invalid'],
    ['a 201-character name', { ...survey, name: 'x'.repeat(201) }, 'name', 'campaign_invalid'],
    ['an unknown kind', { ...survey, kind: 'poll' }, 'kind', 'campaign_invalid'],
    ['a survey without surveyId', { name: 'n', kind: 'survey' }, 'surveyId', 'campaign_invalid'],
    ['an unknown survey', { ...survey, surveyId: 'nope' }, 'surveyId', 'campaign_invalid'],
    ['a message without text', { name: 'n', kind: 'message' }, 'message', 'campaign_invalid'],
    ['a message in one language', { ...greeting, message: { 'zh-CN': '你好' } }, 'message.en', 'campaign_invalid'],
    ['an end before the start', { ...survey, startAt: '2026-12-02T00:00:00Z', endAt: '2026-12-01T00:00:00Z' }, 'endAt', 'campaign_invalid'],
    ['a start that is not a date', { ...survey, startAt: 'tomorrow' }, 'startAt', 'campaign_invalid'],
    ['quiet hours 25:00', { ...survey, quietHours: { start: '25:00', end: '09:00' } }, 'quietHours.start', 'campaign_invalid'],
    ['a cap of 366 days', { ...survey, frequencyCapDays: 366 }, 'frequencyCapDays', 'campaign_invalid'],
    ['a send rate of 0.05', { ...survey, sendRatePerSecond: 0.05 }, 'sendRatePerSecond', 'campaign_invalid'],
    ['a send rate of 1001', { ...survey, sendRatePerSecond: 1001 }, 'sendRatePerSecond', 'campaign_invalid'],
    ['an unknown tier', { ...survey, audience: { tiers: ['gold'] } }, 'audience.tiers', 'campaign_invalid'],
    ['an unknown field', { ...survey, colour: 'red' }, '', 'campaign_invalid'],
  ])('When a draft has %s, then it is a 400 naming the field', async (_what, input, field, code) => {
    const { service } = await campaignWorld(now);
    const error = await service.create(input, 'sup-1').then(() => undefined, (e) => e);
    expect(error).toMatchObject({ status: 400, code, details: { field } });
  });

  test('When a draft is edited, then the fields merge with the stored ones and are validated together; null removes an optional field', async () => {
    const { service } = await campaignWorld(now);
    const c = await service.create({ ...survey, endAt: '2026-12-31T00:00:00Z' }, 'sup-1');
    const edited = await service.update(c.id, { name: 'Renamed', endAt: null, audience: { tiers: ['premier'] } });
    expect(edited).toMatchObject({ name: 'Renamed', kind: 'survey', surveyId: 'service-satisfaction', audience: { tiers: ['premier'] } });
    expect(edited).not.toHaveProperty('endAt');
    await expect(service.update(c.id, { kind: 'message' })).rejects.toMatchObject({ status: 400, details: { field: 'message' } });
    const switched = await service.update(c.id, { kind: 'message', surveyId: null, message: greeting.message });
    expect(switched).toMatchObject({ kind: 'message', message: greeting.message });
    expect(switched).not.toHaveProperty('surveyId');
    await expect(service.update('nope', { name: 'x' })).rejects.toMatchObject({ status: 404 });
  });

  test('When campaign actions are listed, then every status change goes through the one table', () => {
    expect(CAMPAIGN_TRANSITIONS.launch).toEqual({ from: ['draft'], to: 'running' });
    expect(CAMPAIGN_TRANSITIONS.resume).toEqual({ from: ['paused'], to: 'running' });
  });
});

describe('CampaignService launch and lifecycle', () => {
  async function worldWithAudience() {
    const world = await campaignWorld(now);
    const reachable = [
      await world.customer({ tier: 'premier', consent: yes, language: 'en', relationshipManager: 'rm-li' }, { chat: true }),
      await world.customer({ tier: 'premier', consent: yes, timeZone: 'America/New_York' }, { chat: true }), // 21:00 in New York: quiet
    ];
    const noConsent = await world.customer({ tier: 'premier', consent: { surveys: false, marketing: false } }, { chat: true });
    const noReference = await world.customer({ tier: 'premier', consent: yes });
    const capped = await world.customer({ tier: 'premier', consent: yes }, { chat: true });
    await world.customer({ tier: 'standard', consent: yes }, { chat: true });
    await world.recipients.insertMany([{ campaignId: 'old', customerId: capped.id, state: 'sent', sentAt: new Date(now.getTime() - 86400_000), asksForFeedback: true, language: 'zh-CN', tier: 'premier', timeZone: 'Asia/Shanghai', seq: 1, attempts: 1 }]);
    return { world, reachable, noConsent, noReference, capped };
  }

  test('When a survey is launched, then it runs and each matching customer gets one recipient: pending, unreachable with the reason, or capped', async () => {
    const { world, reachable, noConsent, noReference, capped } = await worldWithAudience();
    const c = await world.service.create({ ...survey, audience: { tiers: ['premier'] } }, 'sup-1');
    const launched = await world.service.launch(c.id);
    expect(launched).toMatchObject({ status: 'running', launchedAt: now, materialisedAt: now });
    const recipients = await allRecipients(world, c.id);
    expect(recipients.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    const byCustomer = new Map(recipients.map((r) => [r.customerId, r]));
    expect(byCustomer.get(reachable[0].id)).toMatchObject({ state: 'pending', language: 'en', tier: 'premier', relationshipManager: 'rm-li', timeZone: 'Asia/Shanghai', channelId: 'webchat', asksForFeedback: true, attempts: 0 });
    expect(byCustomer.get(reachable[0].id)).not.toHaveProperty('notBefore');
    expect(byCustomer.get(reachable[1].id)).toMatchObject({ state: 'pending', timeZone: 'America/New_York', notBefore: new Date('2026-11-30T14:00:00Z') });
    expect(byCustomer.get(noConsent.id)).toMatchObject({ state: 'unreachable', reason: 'no_consent' });
    expect(byCustomer.get(noReference.id)).toMatchObject({ state: 'unreachable', reason: 'no_reference' });
    expect(byCustomer.get(capped.id)).toMatchObject({ state: 'skipped', reason: 'frequency_cap' });
    expect((await world.service.get(c.id)).counts).toMatchObject({ pending: 2, unreachable: 2, skipped: 1 });
  });

  test('When a launch died half-way and is resumed, then no customer is added twice and new ones get later seq numbers', async () => {
    const { world } = await worldWithAudience();
    const c = await world.service.create({ ...survey, audience: { tiers: ['premier'] } }, 'sup-1');
    // The launch moved to running but stored only part of the recipients before the process died.
    await world.campaigns.transition(c.id, ['draft'], 'running', now, { launchedAt: now });
    const first = (await world.customers.streamMatching({ tiers: ['premier'] })[Symbol.asyncIterator]().next()).value!;
    await world.recipients.insertMany([{ campaignId: c.id, customerId: first.id, state: 'pending', seq: 1, attempts: 0, language: 'zh-CN', tier: 'premier', timeZone: 'Asia/Shanghai' }]);
    await world.service.ensureMaterialised(c.id);
    await world.service.ensureMaterialised(c.id); // the sender calling it again at start
    const recipients = await allRecipients(world, c.id);
    expect(recipients).toHaveLength(5);
    expect(new Set(recipients.map((r) => r.seq)).size).toBe(5);
    expect(recipients.find((r) => r.customerId === first.id)?.seq).toBe(1);
  });

  test('When a campaign is paused and resumed, then it runs again; a wrong move is a 409 naming the status', async () => {
    const { world } = await worldWithAudience();
    const c = await world.service.create(survey, 'sup-1');
    await expect(world.service.pause(c.id)).rejects.toMatchObject({ status: 409, code: 'campaign_wrong_status', details: { status: 'draft' } });
    await world.service.launch(c.id);
    await expect(world.service.launch(c.id)).rejects.toMatchObject({ status: 409 });
    expect((await world.service.pause(c.id)).status).toBe('paused');
    await expect(world.service.pause(c.id)).rejects.toMatchObject({ status: 409 });
    expect((await world.service.resume(c.id)).status).toBe('running');
    await expect(world.service.update(c.id, { name: 'x' })).rejects.toMatchObject({ status: 409, code: 'campaign_not_draft' });
  });

  test('When a running campaign is cancelled, then its pending recipients are skipped as cancelled and the rest stay', async () => {
    const { world } = await worldWithAudience();
    const c = await world.service.create({ ...survey, audience: { tiers: ['premier'] } }, 'sup-1');
    await world.service.launch(c.id);
    const [sending] = await world.recipients.nextPending(c.id, 0, 1, now);
    expect(await world.recipients.claim(c.id, sending.customerId, 'sender', now)).toBe(true);
    expect((await world.service.cancel(c.id)).status).toBe('cancelled');
    expect((await world.service.get(c.id)).counts).toMatchObject({ pending: 0, sending: 1, skipped: 2, unreachable: 2 });
    expect((await allRecipients(world, c.id)).filter((r) => r.reason === 'cancelled')).toHaveLength(1);
    await expect(world.service.resume(c.id)).rejects.toMatchObject({ status: 409 });
  });

  test('When nothing is left pending, then the campaign completes; while something is, it does not', async () => {
    const { world } = await worldWithAudience();
    const c = await world.service.create({ ...greeting, audience: { tiers: ['premier'] } }, 'sup-1');
    await world.service.launch(c.id);
    expect(await world.service.complete(c.id)).toBeUndefined();
    for (const r of await world.recipients.nextPending(c.id, 0, 100, new Date('2026-12-01T00:00:00Z'))) await world.recipients.update(c.id, r.customerId, { state: 'sent', sentAt: now });
    expect(await world.service.complete(c.id)).toMatchObject({ status: 'completed', completedAt: now });
  });

  test('When the end date has passed, then completing skips what is still pending as expired', async () => {
    const { world } = await worldWithAudience();
    const c = await world.service.create({ ...survey, audience: { tiers: ['premier'] }, endAt: '2026-12-01T00:00:00Z' }, 'sup-1');
    await world.service.launch(c.id);
    world.setClock(new Date('2026-12-02T00:00:00Z'));
    expect(await world.service.complete(c.id)).toMatchObject({ status: 'completed' });
    expect((await world.service.get(c.id)).counts).toMatchObject({ pending: 0, skipped: 3 });
  });

  test('When a message campaign is launched, then the marketing consent counts and nobody is capped', async () => {
    const { world, capped } = await worldWithAudience();
    const c = await world.service.create({ ...greeting, audience: { tiers: ['premier'] } }, 'sup-1');
    await world.service.launch(c.id);
    expect(await world.recipients.get(c.id, capped.id)).toMatchObject({ state: 'pending', asksForFeedback: false });
  });
});

describe('CampaignService launch in the background', () => {
  test('When the launch may answer early, then it answers running and the recipients are stored by the one run the sender also waits on', async () => {
    const world = await campaignWorld(now);
    for (let i = 0; i < 30; i += 1) await world.customer({ tier: 'premier', consent: yes }, { chat: true });
    const c = await world.service.create({ ...survey, audience: { tiers: ['premier'] } }, 'sup-1');
    const launched = await world.service.launch(c.id, { waitMs: 0 });
    expect(launched.status).toBe('running');
    expect((await world.service.ensureMaterialised(c.id)).materialisedAt).toEqual(now);
    expect((await world.service.get(c.id)).counts.pending).toBe(30);
  });

  test('When the sender and a launch ask for the recipients at the same time, then one run stores them', async () => {
    const world = await campaignWorld(now);
    await world.customer({ tier: 'premier', consent: yes }, { chat: true });
    const c = await world.service.create(survey, 'sup-1');
    await world.campaigns.transition(c.id, ['draft'], 'running', now, { launchedAt: now });
    const [a, b] = [world.service.ensureMaterialised(c.id), world.service.ensureMaterialised(c.id)];
    expect(a).toBe(b);
    expect((await a).materialisedAt).toEqual(now);
  });
});

test('When a stored customer has a time zone this runtime does not know, then the launch uses the business time zone for them', async () => {
  const world = await campaignWorld(now);
  const c = await world.customer({ tier: 'premier', consent: yes }, { chat: true });
  await (await world.db.collection('customers')).updateAsync({ id: c.id }, { $set: { timeZone: 'Mars/Olympus' } }, {});
  const campaign = await world.service.create(survey, 'sup-1');
  await world.service.launch(campaign.id);
  expect(await world.recipients.get(campaign.id, c.id)).toMatchObject({ state: 'pending', timeZone: 'Asia/Shanghai' });
});
