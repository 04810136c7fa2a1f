import type { Connection } from 'mongoose';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedChannelOptOutRepository } from '../../models/optOuts/embeddedChannelOptOutRepository';
import { MongoChannelOptOutRepository } from '../../models/optOuts/mongoChannelOptOutRepository';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import type { ChannelOptOutRepository } from '../../services/campaigns/channelOptOutRepository';
import { mongoUri } from '../support/services';

const connections: Connection[] = [];
afterAll(async () => { await Promise.all(connections.map((c) => c.close())); });

const factories: Array<[string, () => Promise<ChannelOptOutRepository>]> = [
  ['embedded', async () => new EmbeddedChannelOptOutRepository(new EmbeddedDatabase(null))],
  ['mongo', async () => {
    const c = await openMongoConnection(mongoUri());
    connections.push(c);
    return new MongoChannelOptOutRepository(c);
  }],
];

const user = { channelId: 'webchat', userId: 'visitor-1' };
const t1 = new Date('2026-11-29T01:00:00Z');
const t2 = new Date('2026-11-29T02:00:00Z');

describe.each(factories)('ChannelOptOutRepository (%s)', (_name, create) => {
  test('When a chat user opts out twice, then the first instant is kept and other users are unaffected', async () => {
    const repo = await create();
    await Promise.all([repo.record(user, t1), repo.record(user, t1)]);
    await repo.record(user, t2);
    expect(await repo.find(user)).toEqual(t1);
    expect(await repo.find({ channelId: 'webchat', userId: 'visitor-2' })).toBeUndefined();
  });

  test('When the record is removed, then the chat user is no longer opted out', async () => {
    const repo = await create();
    await repo.record(user, t1);
    await repo.remove(user);
    expect(await repo.find(user)).toBeUndefined();
  });
});
