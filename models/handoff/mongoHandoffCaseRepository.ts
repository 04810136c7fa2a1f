import type { Connection } from 'mongoose';
import type { HandoffMessage, HandoffStatus } from '../../services/handoff/handoffDesk';
import { transitionKey, type HandoffCaseRecord, type HandoffCaseRepository, type HandoffTransitionRecord } from '../../services/handoff/handoffCaseRepository';

const DUPLICATE_KEY = 11000;

function strip<T>(doc: Record<string, unknown> | null | undefined): T | undefined {
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  for (const key of Object.keys(rest)) if (rest[key] === null) delete rest[key];
  return rest as T;
}

/**
 * Handoff cases on MongoDB / FerretDB. A transition is an insert whose `_id` is
 * `${caseId}#${version}`; the `_id` index is unique on every Mongo-wire server, so exactly
 * one of any number of concurrent claims wins.
 */
export class MongoHandoffCaseRepository implements HandoffCaseRepository {
  constructor(private readonly connection: Connection) {
    if (!connection) throw new TypeError('MongoHandoffCaseRepository needs a connection');
  }

  private get cases() { return this.connection.collection<any>('handoffCases'); }
  private get transitions() { return this.connection.collection<any>('handoffTransitions'); }
  private get messagesCollection() { return this.connection.collection<any>('handoffMessages'); }

  async insert(record: HandoffCaseRecord, first: HandoffTransitionRecord): Promise<void> {
    await this.recordTransition(first);
    await this.cases.insertOne({ _id: record.caseId, ...record });
  }

  async get(caseId: string): Promise<HandoffCaseRecord | undefined> {
    return strip<HandoffCaseRecord>(await this.cases.findOne({ _id: caseId }));
  }

  async findOpen(channelId: string, conversationId: string): Promise<HandoffCaseRecord | undefined> {
    const docs = await this.cases.find({ channelId, conversationId, status: { $in: ['queued', 'with_staff'] } }).sort({ queuedAt: -1 }).limit(1).toArray();
    return strip<HandoffCaseRecord>(docs[0]);
  }

  async listByStatus(status: HandoffStatus): Promise<HandoffCaseRecord[]> {
    const docs = await this.cases.find({ status }).sort({ queuedAt: 1 }).toArray();
    return docs.map((d: Record<string, unknown>) => strip<HandoffCaseRecord>(d) as HandoffCaseRecord);
  }

  async recordTransition(transition: HandoffTransitionRecord): Promise<HandoffTransitionRecord | undefined> {
    const _id = transitionKey(transition.caseId, transition.version);
    try {
      await this.transitions.insertOne({ _id, ...transition });
      return undefined;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return strip<HandoffTransitionRecord>(await this.transitions.findOne({ _id }));
    }
  }

  async save(record: HandoffCaseRecord): Promise<void> {
    await this.cases.replaceOne({ _id: record.caseId }, { ...record });
  }

  async addMessage(message: HandoffMessage): Promise<void> {
    await this.messagesCollection.insertOne({ ...message });
  }

  async listMessages(caseId: string): Promise<HandoffMessage[]> {
    const docs = await this.messagesCollection.find({ caseId }).sort({ at: 1 }).toArray();
    return docs.map((d: Record<string, unknown>) => strip<HandoffMessage>(d) as HandoffMessage);
  }
}
