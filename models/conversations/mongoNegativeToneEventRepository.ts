import { Schema, type Connection, type Model } from 'mongoose';
import type { NegativeToneEvent, NegativeToneEventRepository } from '../../services/analytics/negativeToneEvents';

const eventSchema = new Schema<NegativeToneEvent>({
  customerId: { type: String, required: true },
  channelId: { type: String, required: true },
  conversationId: { type: String, required: true },
  score: { type: Number, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });
eventSchema.index({ customerId: 1, at: 1 });

/** Negative-tone events in MongoDB: plain inserts (no contention), read by customer and time. */
export class MongoNegativeToneEventRepository implements NegativeToneEventRepository {
  private readonly model: Model<NegativeToneEvent>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoNegativeToneEventRepository needs a connection');
    this.model = connection.models.NegativeToneEvent ?? connection.model<NegativeToneEvent>('NegativeToneEvent', eventSchema);
  }

  async record(event: NegativeToneEvent): Promise<void> {
    await this.model.create(event);
  }

  async listSince(customerId: string, since: Date): Promise<Date[]> {
    const docs = await this.model.find({ customerId, at: { $gte: since } }, { at: 1 }).sort({ at: 1 }).lean();
    return docs.map((d) => new Date(d.at));
  }
}
