import { EmbeddedChannelOptOutRepository } from '../../models/optOuts/embeddedChannelOptOutRepository';
import { MongoChannelOptOutRepository } from '../../models/optOuts/mongoChannelOptOutRepository';
import type { ChannelOptOutRepository } from '../../services/campaigns/channelOptOutRepository';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<ChannelOptOutRepository>(
  (database) => new EmbeddedChannelOptOutRepository(database),
  (connection) => new MongoChannelOptOutRepository(connection),
);

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
