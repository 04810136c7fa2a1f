import type { Connection } from 'mongoose';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import { mongoUri } from '../support/services';

const connections: Connection[] = [];
afterAll(async () => { await Promise.all(connections.map((c) => c.close())); });

const factories: Array<[string, () => Promise<CustomerRepository>]> = [
  ['embedded', async () => new EmbeddedCustomerRepository(new EmbeddedDatabase(null))],
  ['mongo', async () => {
    const c = await openMongoConnection(mongoUri());
    connections.push(c);
    return new MongoCustomerRepository(c);
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
