import { EmbeddedCampaignRecipientRepository } from '../../models/campaigns/embeddedCampaignRecipientRepository';
import { MongoCampaignRecipientRepository, ORPHANED_CLAIM_MS } from '../../models/campaigns/mongoCampaignRecipientRepository';
import { RECIPIENT_STATES, type CampaignRecipient, type CampaignRecipientRepository } from '../../services/campaigns/campaign';
import { mongoConnections, storeFactories } from '../support/storeFactories';

const connectMongo = mongoConnections();
const factories = storeFactories<CampaignRecipientRepository>(
  (database) => new EmbeddedCampaignRecipientRepository(database),
  (connection) => new MongoCampaignRecipientRepository(connection),
);

const t0 = new Date('2026-11-30T02:00:00Z');
const t1 = new Date('2026-11-30T03:00:00Z');
const t2 = new Date('2026-11-30T04:00:00Z');

function recipient(campaignId: string, seq: number, fields: Partial<CampaignRecipient> = {}): CampaignRecipient {
  return {
    campaignId, customerId: `cust-${seq}`, state: 'pending', language: 'zh-CN', tier: 'standard', timeZone: 'Asia/Shanghai', seq, attempts: 0, ...fields,
  };
}

describe.each(factories)('CampaignRecipientRepository (%s)', (_name, create) => {
  test('When recipients are inserted twice, then the second time adds only the new ones and each reads back as stored', async () => {
    const repo = await create();
    const first = [recipient('c1', 1, { relationshipManager: 'rm-1', notBefore: t1 }), recipient('c1', 2)];
    expect(await repo.insertMany(first)).toBe(2);
    expect(await repo.insertMany([recipient('c1', 2, { state: 'skipped' }), recipient('c1', 3)])).toBe(1);
    expect(await repo.get('c1', 'cust-1')).toEqual(first[0]);
    expect((await repo.get('c1', 'cust-2'))?.state).toBe('pending');
    expect(await repo.get('c1', 'nobody')).toBeUndefined();
  });

  test('When the same customer is in two campaigns, then both records exist', async () => {
    const repo = await create();
    expect(await repo.insertMany([recipient('a', 1), recipient('b', 1)])).toBe(2);
    expect(await repo.findByCustomer('cust-1')).toHaveLength(2);
  });

  test('When 10,000 recipients are launched, then they are stored in a few seconds and a repeated launch adds none', async () => {
    const repo = await create();
    const all = Array.from({ length: 10_000 }, (_, i) => recipient('big', i + 1));
    const started = Date.now();
    expect(await repo.insertMany(all)).toBe(10_000);
    const firstMs = Date.now() - started;
    expect(await repo.insertMany(all.slice(0, 1000))).toBe(0);
    expect((await repo.counts('big')).pending).toBe(10_000);
    expect(firstMs).toBeLessThan(15_000);
  }, 60_000);

  test('When pending recipients are asked for, then only pending ones after the seq and due by now come, in seq order, limited', async () => {
    const repo = await create();
    await repo.insertMany([
      recipient('c', 5), recipient('c', 1), recipient('c', 2, { state: 'sent' }), recipient('c', 3, { notBefore: t2 }),
      recipient('c', 4, { notBefore: t0 }), recipient('c', 6), recipient('other', 7),
    ]);
    expect((await repo.nextPending('c', 0, 10, t1)).map((r) => r.seq)).toEqual([1, 4, 5, 6]);
    expect((await repo.nextPending('c', 1, 2, t1)).map((r) => r.seq)).toEqual([4, 5]);
    expect((await repo.nextPending('c', 0, 10, t2)).map((r) => r.seq)).toEqual([1, 3, 4, 5, 6]);
  });

  test('When a pending recipient is claimed, then it is sending, with the claimer and one more attempt; a second claim and a claim of a non-pending one fail', async () => {
    const repo = await create();
    await repo.insertMany([recipient('c', 1), recipient('c', 2, { state: 'unreachable', reason: 'no_consent' })]);
    expect(await repo.claim('c', 'cust-1', 'host-a:1', t1)).toBe(true);
    expect(await repo.get('c', 'cust-1')).toMatchObject({ state: 'sending', claimedBy: 'host-a:1', claimedAt: t1, attempts: 1 });
    expect(await repo.claim('c', 'cust-1', 'host-b:2', t1)).toBe(false);
    expect(await repo.claim('c', 'cust-2', 'host-b:2', t1)).toBe(false);
    expect(await repo.claim('c', 'nobody', 'host-b:2', t1)).toBe(false);
  });

  test('When 20 processes claim the same recipient at once, then exactly one wins', async () => {
    const repo = await create();
    await repo.insertMany([recipient('race', 1)]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.claim('race', 'cust-1', `host:${i}`, t1)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `host:${results.indexOf(true)}`;
    expect(await repo.get('race', 'cust-1')).toMatchObject({ state: 'sending', claimedBy: winner, attempts: 1 });
  });

  test('When a claimed recipient is put back to pending by the sender, then it can be claimed again (once)', async () => {
    const repo = await create();
    await repo.insertMany([recipient('c', 1)]);
    expect(await repo.claim('c', 'cust-1', 'a', t1)).toBe(true);
    await repo.update('c', 'cust-1', { state: 'pending', notBefore: t2 });
    const again = await Promise.all([repo.claim('c', 'cust-1', 'b', t2), repo.claim('c', 'cust-1', 'c', t2)]);
    expect(again.filter(Boolean)).toHaveLength(1);
    expect((await repo.get('c', 'cust-1'))?.attempts).toBe(2);
  });

  test('When a recipient is updated, then the given fields change and the others stay', async () => {
    const repo = await create();
    await repo.insertMany([recipient('c', 1)]);
    await repo.update('c', 'cust-1', { state: 'sent', sentAt: t1, channelId: 'msteams', conversationId: 'conv-1', reason: undefined });
    expect(await repo.get('c', 'cust-1')).toEqual({ ...recipient('c', 1), state: 'sent', sentAt: t1, channelId: 'msteams', conversationId: 'conv-1' });
  });

  test('When a campaign is streamed, then every recipient comes once, in seq order', async () => {
    const repo = await create();
    await repo.insertMany(Array.from({ length: 1203 }, (_, i) => recipient('s', 1203 - i)));
    await repo.insertMany([recipient('other', 1)]);
    const seqs: number[] = [];
    for await (const r of repo.stream('s')) seqs.push(r.seq);
    expect(seqs).toEqual(Array.from({ length: 1203 }, (_, i) => i + 1));
  });

  test('When counts are asked, then every state is present, zero when none', async () => {
    const repo = await create();
    await repo.insertMany([recipient('c', 1), recipient('c', 2), recipient('c', 3, { state: 'sent' }), recipient('c', 4, { state: 'skipped' }), recipient('x', 5)]);
    const counts = await repo.counts('c');
    expect(Object.keys(counts).sort()).toEqual([...RECIPIENT_STATES].sort());
    expect(counts).toMatchObject({ pending: 2, sent: 1, skipped: 1, sending: 0, responded: 0 });
    expect(Object.values(await repo.counts('none')).every((n) => n === 0)).toBe(true);
  });

  test('When a sender died mid-send, then its recipients claimed before the cut-off are stale, newer ones are not', async () => {
    const repo = await create();
    await repo.insertMany([recipient('c', 1), recipient('c', 2), recipient('c', 3)]);
    await repo.claim('c', 'cust-1', 'dead', t0);
    await repo.claim('c', 'cust-2', 'alive', t2);
    expect((await repo.staleSending('c', t1)).map((r) => r.customerId)).toEqual(['cust-1']);
  });

  test('When a customer got surveys and messages, then the last survey send counts, messages without a question do not', async () => {
    const repo = await create();
    await repo.insertMany([
      recipient('s1', 1, { state: 'responded', sentAt: t0, asksForFeedback: true }),
      recipient('s2', 1, { state: 'sent', sentAt: t1, asksForFeedback: true }),
      recipient('m1', 1, { state: 'sent', sentAt: t2, asksForFeedback: false }),
      recipient('s3', 1, { state: 'pending', asksForFeedback: true }),
    ]);
    expect(await repo.lastSurveySentAt('cust-1')).toEqual(t1);
    expect(await repo.lastSurveySentAt('cust-2')).toBeUndefined();
  });

  test('When the sender marks sends, then the last feedback send moves forward only, and a batch lookup gives each customer\'s', async () => {
    const repo = await create();
    await repo.insertMany([
      recipient('s1', 1, { asksForFeedback: true }), recipient('s2', 1, { asksForFeedback: true }),
      recipient('m1', 1, { asksForFeedback: false }), recipient('s1', 2, { asksForFeedback: true }),
    ]);
    await repo.update('s2', 'cust-1', { state: 'sent', sentAt: t1 });
    await repo.update('s1', 'cust-1', { state: 'sent', sentAt: t0 });
    await repo.update('m1', 'cust-1', { state: 'sent', sentAt: t2 });
    await repo.update('s1', 'cust-2', { state: 'sent', sentAt: t2 });
    expect(await repo.lastSurveySentAt('cust-1')).toEqual(t1);
    const many = await repo.lastSurveySentAtMany(['cust-1', 'cust-2', 'cust-3']);
    expect([...many.entries()].sort()).toEqual([['cust-1', t1], ['cust-2', t2]]);
    expect((await repo.lastSurveySentAtMany([])).size).toBe(0);
  });

  test('When the channel accepts a message, then a sending recipient becomes sent, and one who answered or opted out meanwhile keeps that state', async () => {
    const repo = await create();
    await repo.insertMany([recipient('ms', 1, { asksForFeedback: true }), recipient('ms', 2), recipient('ms', 3)]);
    for (const id of ['cust-1', 'cust-2', 'cust-3']) expect(await repo.claim('ms', id, 'p1', t0)).toBe(true);
    await repo.update('ms', 'cust-2', { state: 'responded', respondedAt: t1 });
    await repo.update('ms', 'cust-3', { state: 'opted_out' });
    const sent = { sentAt: t1, channelId: 'webchat', conversationId: 'conv-1' };
    expect(await repo.markSent('ms', 'cust-1', sent)).toBe(true);
    expect(await repo.markSent('ms', 'cust-2', sent)).toBe(false);
    expect(await repo.markSent('ms', 'cust-3', sent)).toBe(false);
    expect(await repo.get('ms', 'cust-1')).toMatchObject({ state: 'sent', ...sent });
    expect(await repo.get('ms', 'cust-2')).toMatchObject({ state: 'responded', respondedAt: t1, ...sent });
    expect((await repo.get('ms', 'cust-3'))?.state).toBe('opted_out');
    expect(await repo.lastSurveySentAt('cust-1')).toEqual(t1);
  });

  test('When a customer\'s recipients are asked by state, then only those states come', async () => {
    const repo = await create();
    await repo.insertMany([recipient('a', 1, { state: 'sent' }), recipient('b', 1, { state: 'pending' }), recipient('c', 1, { state: 'responded' }), recipient('d', 2)]);
    expect((await repo.findByCustomer('cust-1', ['sent', 'pending'])).map((r) => r.campaignId).sort()).toEqual(['a', 'b']);
    expect(await repo.findByCustomer('cust-1')).toHaveLength(3);
  });
});

describe('CampaignRecipientRepository (mongo): a claimer that died between claiming and marking', () => {
  test('When a claim was inserted but the recipient never marked sending, then after the orphan limit exactly one new claimer wins, and not before', async () => {
    const connection = await connectMongo();
    const repo = new MongoCampaignRecipientRepository(connection);
    await repo.insertMany([recipient('orphan', 1)]);
    // The state a crash leaves: the claim for attempt 0 is stored, the recipient is still pending at attempt 0.
    await connection.models.CampaignRecipientClaim.collection.insertOne({ _id: 'orphan:cust-1:0', campaignId: 'orphan', customerId: 'cust-1', claimedBy: 'dead', claimedAt: t0 } as never);

    expect(await repo.claim('orphan', 'cust-1', 'soon', new Date(t0.getTime() + ORPHANED_CLAIM_MS - 1000))).toBe(false);
    expect((await repo.get('orphan', 'cust-1'))?.state).toBe('pending');

    const later = new Date(t0.getTime() + ORPHANED_CLAIM_MS + 1000);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => repo.claim('orphan', 'cust-1', `p${i}`, later)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await repo.get('orphan', 'cust-1')).toMatchObject({ state: 'sending', attempts: 2 });
  });
});
