import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { HandoffRequestRecord, HandoffRequestRepository } from '../../services/handoff/handoffRequestService';

/** Handoff requests in the embedded database. */
export class EmbeddedHandoffRequestRepository implements HandoffRequestRepository {
  constructor(private readonly db: EmbeddedDatabase) {}

  async add(record: HandoffRequestRecord): Promise<void> {
    const store = await this.db.collection('handoffRequests');
    await store.insertAsync({ ...record });
  }

  async listByConversation(channelId: string, conversationId: string): Promise<HandoffRequestRecord[]> {
    const store = await this.db.collection('handoffRequests');
    const docs = await store.findAsync({ channelId, conversationId }).sort({ requestedAt: 1 });
    return docs.map(({ _id, ...rest }) => rest as HandoffRequestRecord);
  }
}
