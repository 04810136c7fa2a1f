import { Schema, type Connection, type Model } from 'mongoose';
import { channelUserKey, type ChannelUser } from '../../services/customers/customerRepository';
import type { ChannelOptOutRepository } from '../../services/campaigns/channelOptOutRepository';

interface ChannelOptOutDocument extends ChannelUser {
  /** `${channelId}:${userId}`, unique. */
  key: string;
  optedOutAt: Date;
}

const schema = new Schema<ChannelOptOutDocument>({
  key: { type: String, required: true },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  optedOutAt: { type: Date, required: true },
}, { versionKey: false });
schema.index({ key: 1 }, { unique: true });

/** Opt-outs of unlinked chat users in MongoDB: a unique insert per chat identity (the first instant is kept). */
export class MongoChannelOptOutRepository implements ChannelOptOutRepository {
  private readonly model: Model<ChannelOptOutDocument>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoChannelOptOutRepository needs a mongoose connection');
    this.model = connection.models.ChannelOptOut ?? connection.model<ChannelOptOutDocument>('ChannelOptOut', schema);
  }

  async record(channelUser: ChannelUser, at: Date): Promise<void> {
    this.indexes ??= this.model.init();
    await this.indexes;
    try {
      await this.model.create({ key: channelUserKey(channelUser), channelId: channelUser.channelId, userId: channelUser.userId, optedOutAt: at });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  async find(channelUser: ChannelUser): Promise<Date | undefined> {
    const doc = await this.model.findOne({ key: channelUserKey(channelUser) }).lean();
    return doc ? new Date(doc.optedOutAt) : undefined;
  }

  async remove(channelUser: ChannelUser): Promise<void> {
    await this.model.deleteMany({ key: channelUserKey(channelUser) });
  }
}
