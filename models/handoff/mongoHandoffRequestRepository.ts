import { Schema, type Connection, type Model } from 'mongoose';
import type { HandoffRequestRecord, HandoffRequestRepository } from '../../services/handoff/handoffRequestService';

const handoffRequestSchema = new Schema<HandoffRequestRecord>({
  channelId: { type: String, required: true },
  conversationId: { type: String, required: true },
  userId: { type: String, required: true },
  language: { type: String, required: true, enum: ['zh-CN', 'en'] },
  reason: { type: String, required: true },
  detail: { type: String },
  requestedAt: { type: Date, required: true },
  status: { type: String, required: true },
}, { versionKey: false });
handoffRequestSchema.index({ channelId: 1, conversationId: 1, requestedAt: 1 });

/** Handoff requests in MongoDB. */
export class MongoHandoffRequestRepository implements HandoffRequestRepository {
  private readonly model: Model<HandoffRequestRecord>;

  constructor(connection: Connection) {
    this.model = connection.models.HandoffRequest ?? connection.model<HandoffRequestRecord>('HandoffRequest', handoffRequestSchema);
  }

  async add(record: HandoffRequestRecord): Promise<void> {
    await this.model.create(record);
  }

  async listByConversation(channelId: string, conversationId: string): Promise<HandoffRequestRecord[]> {
    const docs = await this.model.find({ channelId, conversationId }, { _id: 0 }).sort({ requestedAt: 1 }).lean();
    return docs.map((d) => ({ ...d, detail: d.detail ?? undefined })) as HandoffRequestRecord[];
  }
}
