/**
 * One contract for `CampaignContacts` (what the campaign sender reads per batch): the per-record
 * implementation over the repositories (embedded store) and the batched Mongo one must answer alike.
 */
import type { ConversationReference } from 'botbuilder';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import { EmbeddedConversationRepository } from '../../models/conversations/embeddedConversationRepository';
import { MongoConversationRepository } from '../../models/conversations/mongoConversationRepository';
import { MongoCampaignContacts } from '../../models/campaigns/mongoCampaignContacts';
import { RepositoryCampaignContacts, type CampaignContacts } from '../../services/campaigns/campaignContacts';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { ConversationRepository } from '../../models/conversations/conversationRepository';
import { mongoConnections } from '../support/storeFactories';

interface World { contacts: CampaignContacts; customers: CustomerRepository; conversations: ConversationRepository; clock: { at: Date } }

const connectMongo = mongoConnections();

const factories: Array<[string, () => Promise<World>]> = [
  ['per record (embedded)', async () => {
    const clock = { at: new Date('2026-11-29T03:00:00Z') };
    const db = new EmbeddedDatabase(null);
    const customers = new EmbeddedCustomerRepository(db);
    const conversations = new EmbeddedConversationRepository({ database: db, now: () => clock.at });
    return { contacts: new RepositoryCampaignContacts({ customers, conversations }), customers, conversations, clock };
  }],
  ['batched (Mongo)', async () => {
    const clock = { at: new Date('2026-11-29T03:00:00Z') };
    const connection = await connectMongo();
    const customers = new MongoCustomerRepository(connection);
    const conversations = new MongoConversationRepository({ connection, now: () => clock.at });
    return { contacts: new MongoCampaignContacts(connection), customers, conversations, clock };
  }],
];

const reference = (conversationId: string, userId: string, channelId = 'webchat'): Partial<ConversationReference> => ({
  conversation: { id: conversationId } as ConversationReference['conversation'], user: { id: userId, name: 'Client' }, bot: { id: 'rapport', name: 'Rapport' },
  channelId, serviceUrl: 'http://127.0.0.1:9',
});

describe.each(factories)('CampaignContacts (%s)', (_name, create) => {
  test('When customers are read by id, then each comes back as the repository returns it, unknown ids left out', async () => {
    const w = await create();
    const a = await w.customers.create({ name: 'A', language: 'en', tags: ['x'], consent: { surveys: true, marketing: false }, channelUsers: [{ channelId: 'webchat', userId: 'ua' }] });
    const b = await w.customers.create({ name: 'B', language: 'zh-CN', consent: { surveys: false, marketing: true } });
    const read = await w.contacts.customers([a.id, b.id, 'nobody']);
    expect([...read.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(read.get(a.id)).toEqual(await w.customers.get(a.id));
    expect(read.get(b.id)).toEqual(await w.customers.get(b.id));
    expect((await w.contacts.customers([])).size).toBe(0);
  });

  test('When a customer has several chat identities and conversations, then the most recently active open one is chosen', async () => {
    const w = await create();
    const customer = await w.customers.create({ name: 'C', channelUsers: [{ channelId: 'webchat', userId: 'u1' }, { channelId: 'msteams', userId: 'u2' }] });
    const lonely = await w.customers.create({ name: 'D', channelUsers: [{ channelId: 'webchat', userId: 'u3' }] });
    const nobody = await w.customers.create({ name: 'E' });
    await w.conversations.upsertFromTurn(reference('old', 'u1'), { channelId: 'webchat', conversationId: 'old', userId: 'u1' });
    w.clock.at = new Date('2026-11-29T04:00:00Z');
    await w.conversations.upsertFromTurn(reference('teams', 'u2', 'msteams'), { channelId: 'msteams', conversationId: 'teams', userId: 'u2' });
    w.clock.at = new Date('2026-11-29T05:00:00Z');
    await w.conversations.upsertFromTurn(reference('closed', 'u1'), { channelId: 'webchat', conversationId: 'closed', userId: 'u1', status: 'closed' });
    // Same user id on another channel is someone else.
    await w.conversations.upsertFromTurn(reference('other', 'u3', 'msteams'), { channelId: 'msteams', conversationId: 'other', userId: 'u3' });

    const latest = await w.contacts.latestConversations([customer, lonely, nobody]);
    expect(latest.get(customer.id)).toMatchObject({ channelId: 'msteams', conversationId: 'teams' });
    expect(latest.get(customer.id)?.reference.serviceUrl).toBe('http://127.0.0.1:9');
    expect(latest.has(lonely.id)).toBe(false);
    expect(latest.has(nobody.id)).toBe(false);
  });
});
