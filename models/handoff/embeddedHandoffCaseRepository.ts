import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { HandoffMessage, HandoffStatus } from '../../services/handoff/handoffDesk';
import { transitionKey, type HandoffCaseRecord, type HandoffCaseRepository, type HandoffTransitionRecord } from '../../services/handoff/handoffCaseRepository';

function strip<T>(doc: (T & { _id?: unknown }) | null | undefined): T | undefined {
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  return rest as T;
}

/** Handoff cases in the embedded database (one process). NeDB enforces `_id` uniqueness, which the transitions rely on. */
export class EmbeddedHandoffCaseRepository implements HandoffCaseRepository {
  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new TypeError('EmbeddedHandoffCaseRepository needs the embedded database');
  }

  async insert(record: HandoffCaseRecord, first: HandoffTransitionRecord): Promise<void> {
    await this.recordTransition(first);
    await (await this.db.collection('handoffCases')).insertAsync({ _id: record.caseId, ...record });
  }

  async get(caseId: string): Promise<HandoffCaseRecord | undefined> {
    return strip<HandoffCaseRecord>(await (await this.db.collection<any>('handoffCases')).findOneAsync({ _id: caseId }));
  }

  async findOpen(channelId: string, conversationId: string): Promise<HandoffCaseRecord | undefined> {
    const docs = await (await this.db.collection<any>('handoffCases')).findAsync({ channelId, conversationId, status: { $in: ['queued', 'with_staff'] } }).sort({ queuedAt: -1 });
    return strip<HandoffCaseRecord>(docs[0]);
  }

  async listByStatus(status: HandoffStatus): Promise<HandoffCaseRecord[]> {
    const docs = await (await this.db.collection<any>('handoffCases')).findAsync({ status }).sort({ queuedAt: 1 });
    return docs.map((d: any) => strip<HandoffCaseRecord>(d) as HandoffCaseRecord);
  }

  async recordTransition(transition: HandoffTransitionRecord): Promise<HandoffTransitionRecord | undefined> {
    const store = await this.db.collection<any>('handoffTransitions');
    const _id = transitionKey(transition.caseId, transition.version);
    try {
      await store.insertAsync({ _id, ...transition });
      return undefined;
    } catch (error) {
      if ((error as { errorType?: string }).errorType !== 'uniqueViolated') throw error;
      return strip<HandoffTransitionRecord>(await store.findOneAsync({ _id }));
    }
  }

  async save(record: HandoffCaseRecord): Promise<void> {
    await (await this.db.collection('handoffCases')).updateAsync({ _id: record.caseId }, { _id: record.caseId, ...record }, {});
  }

  async addMessage(message: HandoffMessage): Promise<void> {
    await (await this.db.collection('handoffMessages')).insertAsync({ ...message });
  }

  async listMessages(caseId: string): Promise<HandoffMessage[]> {
    const docs = await (await this.db.collection<any>('handoffMessages')).findAsync({ caseId }).sort({ at: 1 });
    return docs.map((d: any) => strip<HandoffMessage>(d) as HandoffMessage);
  }
}
