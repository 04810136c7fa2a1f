import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { channelUserKey, type ChannelUser } from '../../services/customers/customerRepository';
import type { ChannelOptOutRepository } from '../../services/campaigns/channelOptOutRepository';

/** Opt-outs of unlinked chat users in the embedded database, one document per chat identity. */
export class EmbeddedChannelOptOutRepository implements ChannelOptOutRepository {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedChannelOptOutRepository needs an EmbeddedDatabase');
  }

  async record(channelUser: ChannelUser, at: Date): Promise<void> {
    const store = await this.store();
    try {
      await store.insertAsync({ key: channelUserKey(channelUser), ...channelUser, optedOutAt: at });
    } catch (err) {
      if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
    }
  }

  async find(channelUser: ChannelUser): Promise<Date | undefined> {
    const doc = await (await this.store()).findOneAsync({ key: channelUserKey(channelUser) });
    return doc ? new Date(doc.optedOutAt) : undefined;
  }

  async remove(channelUser: ChannelUser): Promise<void> {
    await (await this.store()).removeAsync({ key: channelUserKey(channelUser) }, { multi: true });
  }

  private async store() {
    const store = await this.db.collection('channelOptOuts');
    this.ready ??= store.ensureIndexAsync({ fieldName: 'key', unique: true });
    await this.ready;
    return store;
  }
}
