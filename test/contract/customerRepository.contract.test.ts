import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import type { Customer, CustomerRepository } from '../../services/customers/customerRepository';
import { mongoConnections } from '../support/storeFactories';

const connectMongo = mongoConnections();

const factories: Array<[string, (options?: { batchSize?: number }) => Promise<CustomerRepository>]> = [
  ['embedded', async (options) => new EmbeddedCustomerRepository(new EmbeddedDatabase(null), options)],
  ['mongo', async (options) => {
    const c = await connectMongo();
    return new MongoCustomerRepository(c, options);
  }],
];

const t0 = new Date('2026-11-30T02:00:00Z');
const t1 = new Date('2026-11-30T03:00:00Z');

describe.each(factories)('CustomerRepository (%s)', (_name, create) => {
  test('When a CRM customer is imported, then it gets an id, the defaults (standard tier, no consent) and the given fields', async () => {
    const repo = await create();
    const c = await repo.upsertByExternalId('CRM-001', { name: '王芳', company: '杭州明远机械有限公司', phone: '+8613812345678', language: 'zh-CN' }, t0);
    expect(c).toEqual({
      id: expect.any(String), externalId: 'CRM-001', channelUsers: [], name: '王芳', company: '杭州明远机械有限公司', phone: '+8613812345678',
      language: 'zh-CN', tier: 'standard', tags: [], consent: { surveys: false, marketing: false }, createdAt: t0, updatedAt: t0,
    });
    expect(await repo.get(c.id)).toEqual(c);
  });

  test('When the same CRM id is imported again, then the customer is updated in place, keeping its id and creation time', async () => {
    const repo = await create();
    const first = await repo.upsertByExternalId('CRM-002', { name: 'Li Lei', tier: 'standard' }, t0);
    const second = await repo.upsertByExternalId('CRM-002', { tier: 'premier', relationshipManager: 'rm-zhang', consent: { surveys: true, marketing: false }, tags: ['project-finance'] }, t1);
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ name: 'Li Lei', tier: 'premier', relationshipManager: 'rm-zhang', consent: { surveys: true, marketing: false }, tags: ['project-finance'], createdAt: t0, updatedAt: t1 });
  });

  test('When the same CRM id is imported 10 times at once, then there is one customer', async () => {
    const repo = await create();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repo.upsertByExternalId('CRM-RACE', { name: `n${i}` }, t0)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
  });

  test('When a chat identity is linked, then the customer is found by it, and linking again changes nothing', async () => {
    const repo = await create();
    const c = await repo.upsertByExternalId('CRM-003', { name: 'Chen' }, t0);
    await repo.linkChannelUser(c.id, { channelId: 'msteams', userId: 'aad-1' }, t1);
    const linked = await repo.linkChannelUser(c.id, { channelId: 'msteams', userId: 'aad-1' }, t1);
    await repo.linkChannelUser(c.id, { channelId: 'webchat', userId: 'w-1' }, t1);
    expect(linked.channelUsers).toEqual([{ channelId: 'msteams', userId: 'aad-1' }]);
    expect((await repo.findByChannelUser('webchat', 'w-1'))?.id).toBe(c.id);
    expect((await repo.findByChannelUser('msteams', 'aad-1'))?.channelUsers).toHaveLength(2);
    expect(await repo.findByChannelUser('msteams', 'someone-else')).toBeUndefined();
  });

  test('When a chat identity linked to one customer is linked to another, then it is refused with 409', async () => {
    const repo = await create();
    const a = await repo.upsertByExternalId('CRM-A', {}, t0);
    const b = await repo.upsertByExternalId('CRM-B', {}, t0);
    await repo.linkChannelUser(a.id, { channelId: 'webchat', userId: 'shared' });
    await expect(repo.linkChannelUser(b.id, { channelId: 'webchat', userId: 'shared' })).rejects.toMatchObject({ status: 409, code: 'channel_user_linked' });
    expect((await repo.findByChannelUser('webchat', 'shared'))?.id).toBe(a.id);
  });

  test('When two customers race to link the same chat identity, then exactly one gets it', async () => {
    const repo = await create();
    const a = await repo.upsertByExternalId('CRM-R1', {}, t0);
    const b = await repo.upsertByExternalId('CRM-R2', {}, t0);
    const results = await Promise.allSettled([a, b].map((c) => repo.linkChannelUser(c.id, { channelId: 'webchat', userId: 'contested' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const owner = await repo.findByChannelUser('webchat', 'contested');
    const other = owner?.id === a.id ? await repo.get(b.id) : await repo.get(a.id);
    expect(other?.channelUsers).toEqual([]);
  });

  test('When a customer known only from chat is created, then it has no CRM id and is found by its chat identity', async () => {
    const repo = await create();
    const c = await repo.create({ language: 'en', channelUsers: [{ channelId: 'webchat', userId: 'anon-1' }] }, t0);
    const d = await repo.create({ language: 'zh-CN' }, t0);
    expect(c.externalId).toBeUndefined();
    expect((await repo.findByChannelUser('webchat', 'anon-1'))?.id).toBe(c.id);
    expect(d.id).not.toBe(c.id);
  });

  test('When linking to an unknown customer, then it is refused with 404', async () => {
    const repo = await create();
    await expect(repo.linkChannelUser('nope', { channelId: 'webchat', userId: 'x' })).rejects.toMatchObject({ status: 404 });
  });
});

describe.each(factories)('CustomerRepository under concurrency and validation (%s)', (_name, create) => {
  test('When 10 chat identities are linked to one customer at once, then all 10 are linked', async () => {
    const repo = await create();
    const c = await repo.upsertByExternalId('CRM-MANY', {}, t0);
    await Promise.all(Array.from({ length: 10 }, (_, i) => repo.linkChannelUser(c.id, { channelId: 'webchat', userId: `device-${i}` })));
    const stored = await repo.get(c.id);
    expect(stored?.channelUsers.map((u) => u.userId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `device-${i}`).sort());
    for (let i = 0; i < 10; i++) expect((await repo.findByChannelUser('webchat', `device-${i}`))?.id).toBe(c.id);
  });

  test.each([
    ['an unknown tier', { tier: 'gold' }],
    ['a malformed email', { email: 'not-an-email' }],
    ['an unsupported language', { language: 'fr' }],
  ])('When a customer is saved with %s, then it is refused with 400', async (_what, fields) => {
    const repo = await create();
    await expect(repo.upsertByExternalId('CRM-BAD', fields as never)).rejects.toMatchObject({ status: 400, code: 'customer_invalid' });
    await expect(repo.create(fields as never)).rejects.toMatchObject({ status: 400 });
  });
});

describe.each(factories)('CustomerRepository updates, phone lookup, audiences and the list (%s)', (_name, create) => {
  const risk = (score: number) => ({ score, signals: [{ code: 'low_csat', points: score, detail: 'CSAT 2 on 2026-11-20' }], computedAt: t1 });

  test('When a customer is updated, then the fields are set, updatedAt moves and null clears the opt-out', async () => {
    const repo = await create();
    const c = await repo.upsertByExternalId('CRM-U1', { name: '赵磊', tier: 'standard' }, t0);
    const updated = await repo.update(c.id, { timeZone: 'Asia/Shanghai', lastContactAt: t1, optedOutAt: t1, churnRisk: risk(40), tier: 'priority' }, t1);
    expect(updated).toMatchObject({ id: c.id, name: '赵磊', timeZone: 'Asia/Shanghai', lastContactAt: t1, optedOutAt: t1, churnRisk: risk(40), tier: 'priority', createdAt: t0, updatedAt: t1 });
    expect(await repo.get(c.id)).toEqual(updated);
    const cleared = await repo.update(c.id, { optedOutAt: null }, t1);
    expect(cleared.optedOutAt).toBeUndefined();
    expect(cleared).not.toHaveProperty('optedOutAt');
    expect((await repo.get(c.id))?.optedOutAt).toBeUndefined();
    expect(cleared).not.toHaveProperty('tierRank');
    expect(cleared).not.toHaveProperty('churnScore');
  });

  test('When different fields of one customer are updated at once (last contact, churn risk, opt-out), then none is lost', async () => {
    const repo = await create();
    for (let round = 0; round < 5; round++) {
      const c = await repo.upsertByExternalId(`RACE-U${round}`, {}, t0);
      await Promise.all([repo.update(c.id, { lastContactAt: t1 }), repo.update(c.id, { churnRisk: risk(40) }), repo.update(c.id, { optedOutAt: t1 }), repo.update(c.id, { timeZone: 'UTC' })]);
      expect(await repo.get(c.id)).toMatchObject({ lastContactAt: t1, churnRisk: risk(40), optedOutAt: t1, timeZone: 'UTC' });
    }
  });

  test('When an unknown customer is updated, then it is refused with 404', async () => {
    const repo = await create();
    await expect(repo.update('nope', { name: 'x' })).rejects.toMatchObject({ status: 404, code: 'customer_not_found' });
  });

  test.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }],
    ['a churn score over 100', { churnRisk: { score: 140, signals: [], computedAt: new Date() } }],
  ])('When a customer is updated with %s, then it is refused with 400', async (_what, fields) => {
    const repo = await create();
    const c = await repo.upsertByExternalId('CRM-U2', {}, t0);
    await expect(repo.update(c.id, fields as never)).rejects.toMatchObject({ status: 400, code: 'customer_invalid' });
  });

  test('When UTC or an IANA zone is saved, then it is kept', async () => {
    const repo = await create();
    expect((await repo.upsertByExternalId('CRM-TZ1', { timeZone: 'UTC' })).timeZone).toBe('UTC');
    expect((await repo.upsertByExternalId('CRM-TZ2', { timeZone: 'Europe/London' })).timeZone).toBe('Europe/London');
  });

  test('When customers are looked up by phone, then the number is normalised like the stored one and every holder is returned', async () => {
    const repo = await create();
    const a = await repo.upsertByExternalId('CRM-P1', { phone: '+8613812345678' }, t0);
    const b = await repo.upsertByExternalId('CRM-P2', { phone: '+8613812345678' }, t0);
    await repo.upsertByExternalId('CRM-P3', { phone: '+8675512345678' }, t0);
    expect((await repo.findByPhone('138 1234 5678')).map((c) => c.id)).toEqual([a.id, b.id].sort());
    expect((await repo.findByPhone('0755-12345678')).map((c) => c.externalId)).toEqual(['CRM-P3']);
    expect(await repo.findByPhone('+8613900000000')).toEqual([]);
    expect(await repo.findByPhone('not a phone')).toEqual([]);
  });

  test('When customers are created in bulk, then the new ones are inserted with the defaults and an existing CRM id is left untouched and named', async () => {
    const repo = await create();
    const before = await repo.upsertByExternalId('BULK-2', { name: 'kept' }, t0);
    const result = await repo.insertMany([
      { externalId: 'BULK-1', fields: { name: '王芳', tier: 'premier', tags: ['出口'] } },
      { externalId: 'BULK-2', fields: { name: 'overwritten?' } },
      { externalId: 'BULK-3', fields: {} },
    ], t1);
    expect(result).toEqual({ inserted: 2, existing: ['BULK-2'] });
    const [one, two, three] = (await repo.findByExternalIds(['BULK-1', 'BULK-2', 'BULK-3'])).sort((a, b) => a.externalId!.localeCompare(b.externalId!));
    expect(one).toEqual({ id: expect.any(String), externalId: 'BULK-1', channelUsers: [], name: '王芳', tier: 'premier', tags: ['出口'], consent: { surveys: false, marketing: false }, createdAt: t1, updatedAt: t1 });
    expect(two).toEqual(before);
    expect(three).toMatchObject({ tier: 'standard', tags: [] });
    expect((await repo.list({ sort: 'tier', order: 'desc' })).items[0].externalId).toBe('BULK-1');
  });

  test('When a bulk create has an invalid entry, then it is refused with 400 and nothing is written', async () => {
    const repo = await create();
    await expect(repo.insertMany([{ externalId: 'OK-1', fields: {} }, { externalId: 'BAD-1', fields: { tier: 'gold' } as never }])).rejects.toMatchObject({ status: 400 });
    expect(await repo.countMatching({})).toBe(0);
  });

  test('When customers are fetched by CRM ids, then the known ones come back with their chat identities', async () => {
    const repo = await create();
    const a = await repo.upsertByExternalId('CRM-E1', {}, t0);
    await repo.upsertByExternalId('CRM-E2', {}, t0);
    await repo.linkChannelUser(a.id, { channelId: 'webchat', userId: 'e1' });
    const found = await repo.findByExternalIds(['CRM-E1', 'CRM-E2', 'CRM-MISSING']);
    expect(found.map((c) => c.externalId).sort()).toEqual(['CRM-E1', 'CRM-E2']);
    expect(found.find((c) => c.id === a.id)?.channelUsers).toEqual([{ channelId: 'webchat', userId: 'e1' }]);
  });

  test('When an audience is streamed, then exactly the customers meeting every criterion come, ordered by id, with their counts', async () => {
    const repo = await create();
    const old = new Date('2026-10-01T00:00:00Z');
    const cutoff = new Date('2026-11-01T00:00:00Z');
    const recent = new Date('2026-11-20T00:00:00Z');
    const seed: Array<[string, Parameters<CustomerRepository['upsertByExternalId']>[1], Date | undefined]> = [
      ['A', { tier: 'premier', tags: ['export', 'vip'], language: 'zh-CN', relationshipManager: 'rm-li' }, old],
      ['B', { tier: 'premier', tags: ['export'], language: 'en', relationshipManager: 'rm-li' }, recent],
      ['C', { tier: 'priority', tags: ['import'], language: 'zh-CN', relationshipManager: 'rm-wang' }, undefined],
      ['D', { tier: 'standard', tags: [], language: 'zh-CN', relationshipManager: 'rm-li' }, old],
      ['E', { tier: 'priority', tags: ['vip'], language: 'zh-CN', relationshipManager: 'rm-li' }, undefined],
    ];
    for (const [id, fields, contact] of seed) {
      const c = await repo.upsertByExternalId(`AUD-${id}`, fields, t0);
      if (contact) await repo.update(c.id, { lastContactAt: contact }, t0);
    }
    const ids = async (query: Parameters<CustomerRepository['streamMatching']>[0]) => {
      const out: Customer[] = [];
      for await (const c of repo.streamMatching(query)) out.push(c);
      expect(out.map((c) => c.id)).toEqual(out.map((c) => c.id).sort());
      expect(await repo.countMatching(query)).toBe(out.length);
      return out.map((c) => c.externalId).sort();
    };
    expect(await ids({})).toEqual(['AUD-A', 'AUD-B', 'AUD-C', 'AUD-D', 'AUD-E']);
    expect(await ids({ tiers: ['premier', 'priority'] })).toEqual(['AUD-A', 'AUD-B', 'AUD-C', 'AUD-E']);
    expect(await ids({ tagsAny: ['vip', 'import'] })).toEqual(['AUD-A', 'AUD-C', 'AUD-E']);
    expect(await ids({ languages: ['en'] })).toEqual(['AUD-B']);
    expect(await ids({ relationshipManagers: ['rm-wang'] })).toEqual(['AUD-C']);
    expect(await ids({ lastContactBefore: cutoff })).toEqual(['AUD-A', 'AUD-C', 'AUD-D', 'AUD-E']);
    expect(await ids({ tiers: ['premier', 'priority'], tagsAny: ['vip'], languages: ['zh-CN'], relationshipManagers: ['rm-li'], lastContactBefore: cutoff })).toEqual(['AUD-A', 'AUD-E']);
    expect(await ids({ tiers: [] })).toEqual([]);
  });

  test('When an audience is larger than one batch, then every customer comes exactly once', async () => {
    const repo = await create({ batchSize: 7 });
    // One at a time: FerretDB on SQLite answers SQLITE_BUSY to many concurrent writes.
    for (let i = 0; i < 43; i++) await repo.upsertByExternalId(`BIG-${i}`, { tags: [i % 2 ? 'odd' : 'even'] }, t0);
    const seen = new Set<string>();
    let previous = '';
    for await (const c of repo.streamMatching({ tagsAny: ['odd'] })) {
      expect(c.id > previous).toBe(true);
      previous = c.id;
      seen.add(c.externalId!);
    }
    expect(seen.size).toBe(21);
    expect(previous).not.toBe('');
    expect(await repo.countMatching({ tagsAny: ['even'] })).toBe(22);
  }, 60000);

  test('When the list is searched, then the text matches name, company, CRM id or phone, case-insensitively and literally', async () => {
    const repo = await create();
    await repo.upsertByExternalId('CRM-L1', { name: '王芳', company: '杭州明远机械有限公司', phone: '+8613812345678' }, t0);
    await repo.upsertByExternalId('CRM-L2', { name: 'Li Lei', company: 'Acme (Shanghai) Trading' }, t0);
    await repo.upsertByExternalId('crm-l3', { name: 'Zhou', company: 'Zhou & Co.' }, t0);
    const search = async (q: string) => (await repo.list({ q })).items.map((c) => c.externalId).sort();
    expect(await search('明远')).toEqual(['CRM-L1']);
    expect(await search('li lei')).toEqual(['CRM-L2']);
    expect(await search('(shanghai)')).toEqual(['CRM-L2']);
    expect(await search('CRM-L')).toEqual(['CRM-L1', 'CRM-L2', 'crm-l3']);
    expect(await search('1381234')).toEqual(['CRM-L1']);
    expect(await search('.*')).toEqual([]);
    expect((await repo.list({ q: 'crm' })).total).toBe(3);
  });

  test('When the list is sorted and paged, then churn risk (none = 0), tier by rank and last contact order it, ties by id, with the total', async () => {
    const repo = await create();
    const a = await repo.upsertByExternalId('S-A', { name: 'Anna', company: 'Zeta', tier: 'premier' }, t0);
    const b = await repo.upsertByExternalId('S-B', { name: 'Bo', company: 'Alpha', tier: 'standard' }, t0);
    const c = await repo.upsertByExternalId('S-C', { name: 'Cai', company: 'Mid', tier: 'priority' }, t0);
    await repo.update(a.id, { churnRisk: risk(70), lastContactAt: new Date('2026-11-02T00:00:00Z') });
    await repo.update(c.id, { churnRisk: risk(20), lastContactAt: new Date('2026-11-03T00:00:00Z') });
    const order = async (options: Parameters<CustomerRepository['list']>[0]) => (await repo.list(options)).items.map((x) => x.externalId);
    expect(await order({ sort: 'churnRisk', order: 'desc' })).toEqual(['S-A', 'S-C', 'S-B']);
    expect(await order({ sort: 'churnRisk', order: 'asc' })).toEqual(['S-B', 'S-C', 'S-A']);
    expect(await order({ sort: 'tier', order: 'asc' })).toEqual(['S-B', 'S-C', 'S-A']);
    expect(await order({ sort: 'company' })).toEqual(['S-B', 'S-C', 'S-A']);
    expect(await order({ sort: 'name', order: 'desc' })).toEqual(['S-C', 'S-B', 'S-A']);
    expect(await order({ sort: 'lastContactAt', order: 'desc', limit: 2 })).toEqual(['S-C', 'S-A']);
    const page = await repo.list({ sort: 'name', offset: 1, limit: 1 });
    expect(page.items.map((x) => x.externalId)).toEqual(['S-B']);
    expect(page.total).toBe(3);
    expect(page.items[0]).not.toHaveProperty('tierRank');
    expect(b.tier).toBe('standard');
  });
});
