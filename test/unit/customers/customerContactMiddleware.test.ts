import { ActivityTypes, TestAdapter } from 'botbuilder';
import pino from 'pino';
import { CustomerContactMiddleware } from '../../../bot/middleware/customerContactMiddleware';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../../models/customers/embeddedCustomerRepository';
import type { CustomerRepository } from '../../../services/customers/customerRepository';

const T0 = new Date('2026-11-30T02:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

async function setUp(repoOverride?: Partial<CustomerRepository>) {
  const customers = new EmbeddedCustomerRepository(new EmbeddedDatabase(null));
  const calls = { lookups: 0, writes: 0 };
  const counted: Pick<CustomerRepository, 'findByChannelUser' | 'update'> = {
    findByChannelUser: (channelId, userId) => { calls.lookups++; return (repoOverride?.findByChannelUser ?? customers.findByChannelUser.bind(customers))(channelId, userId); },
    update: (id, fields, at) => { calls.writes++; return (repoOverride?.update ?? customers.update.bind(customers))(id, fields, at); },
  };
  let now = T0;
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(JSON.parse(line).msg); } });
  const middleware = new CustomerContactMiddleware(counted, logger, { now: () => now });
  const adapter = new TestAdapter(async (context) => { await context.sendActivity(`echo ${context.activity.text ?? context.activity.type}`); }).use(middleware);
  const say = async (text: string, from = 'user1') => {
    await adapter.send({ type: ActivityTypes.Message, text, from: { id: from, name: from } }).assertReply(`echo ${text}`);
    await middleware.flush();
  };
  return { customers, calls, warnings, middleware, adapter, say, setNow: (at: Date) => { now = at; } };
}

describe('CustomerContactMiddleware', () => {
  test('When a linked client writes, then their lastContactAt is the time of the message', async () => {
    const { customers, say } = await setUp();
    const c = await customers.upsertByExternalId('CRM-1', {}, T0);
    await customers.linkChannelUser(c.id, { channelId: 'test', userId: 'user1' });
    await say('你好');
    expect((await customers.get(c.id))?.lastContactAt).toEqual(T0);
  });

  test('When a client writes again within the hour, then nothing is written; after the hour, it is', async () => {
    const { customers, say, setNow, calls } = await setUp();
    const c = await customers.upsertByExternalId('CRM-1', {}, T0);
    await customers.linkChannelUser(c.id, { channelId: 'test', userId: 'user1' });
    await say('one');
    setNow(minutes(59));
    await say('two');
    expect(calls.writes).toBe(1);
    expect((await customers.get(c.id))?.lastContactAt).toEqual(T0);
    setNow(minutes(61));
    await say('three');
    expect(calls.writes).toBe(2);
    expect((await customers.get(c.id))?.lastContactAt).toEqual(minutes(61));
  });

  test('When a stored lastContactAt is within the hour (another process wrote it), then this process does not write again', async () => {
    const { customers, say, calls } = await setUp();
    const c = await customers.upsertByExternalId('CRM-1', {}, T0);
    await customers.linkChannelUser(c.id, { channelId: 'test', userId: 'user1' });
    await customers.update(c.id, { lastContactAt: minutes(-10) });
    await say('hi');
    expect(calls.writes).toBe(0);
  });

  test('When many messages arrive within 5 minutes, then the chat user is looked up once; after 5 minutes, again', async () => {
    const { customers, say, setNow, calls } = await setUp();
    await customers.upsertByExternalId('CRM-1', {}, T0);
    for (let i = 0; i < 5; i++) await say(`m${i}`);
    expect(calls.lookups).toBe(1);
    expect(calls.writes).toBe(0);
    setNow(minutes(6));
    await say('later');
    expect(calls.lookups).toBe(2);
  });

  test('When the store fails, then the turn still gets its reply and the failure is logged', async () => {
    const { say, warnings } = await setUp({ findByChannelUser: async () => { throw new Error('store down'); } });
    await say('hello');
    expect(warnings).toContain('last contact not recorded');
  });

  test('When the activity is not a message, then nothing is looked up', async () => {
    const { adapter, middleware, calls } = await setUp();
    await adapter.send({ type: ActivityTypes.ConversationUpdate, from: { id: 'user1', name: 'u' }, membersAdded: [] }).assertReply('echo conversationUpdate');
    await middleware.flush();
    expect(calls.lookups).toBe(0);
  });
});
