import type { ConversationReference } from 'botbuilder';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  type Conversation, type ConversationRepository, type ConversationTurnFields, checkTurnFields, conversationFromRecord,
} from './conversationRepository';

/** Options for {@link EmbeddedConversationRepository}. */
export interface EmbeddedConversationRepositoryOptions {
  /** The embedded database (files under `DATA_DIR`, or in memory with `null`). */
  database: EmbeddedDatabase;
  /** Collection (file) name; defaults to `conversations`. */
  collection?: string;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

/** A stored conversation; the reference is JSON text because NeDB refuses field names with `.` or `$`. */
type ConversationDoc = Omit<Conversation, 'reference'> & {
  /** JSON of [channelId, conversationId]: the unique key, as Mongo's unique index is. */
  _id: string;
  reference: string;
};

/** The embedded default {@link ConversationRepository}, kept in an NeDB file. One process only. */
export class EmbeddedConversationRepository implements ConversationRepository {
  private readonly database: EmbeddedDatabase;
  private readonly collectionName: string;
  private readonly now: () => Date;
  /** Upserts are read-then-write in NeDB, so they run one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private indexed: Promise<void> | undefined;

  constructor(options: EmbeddedConversationRepositoryOptions) {
    if (!options?.database) throw new TypeError('EmbeddedConversationRepository: options.database is required');
    this.database = options.database;
    this.collectionName = options.collection ?? 'conversations';
    this.now = options.now ?? (() => new Date());
  }

  upsertFromTurn(reference: Partial<ConversationReference>, fields: ConversationTurnFields): Promise<void> {
    try {
      checkTurnFields(reference, fields);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.chain.then(() => this.upsertNow(reference, fields));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async get(channelId: string, conversationId: string): Promise<Conversation | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ _id: JSON.stringify([channelId, conversationId]) });
    return doc ? conversationFromRecord(doc) : undefined;
  }

  async findByUser(channelId: string, userId: string): Promise<Conversation[]> {
    const store = await this.store();
    const docs = await store.findAsync({ channelId, userId }).sort({ lastActivityAt: -1, conversationId: 1 });
    return docs.map(conversationFromRecord);
  }

  async findByUsers(users: Array<{ channelId: string; userId: string }>): Promise<Conversation[]> {
    if (!users.length) return [];
    const store = await this.store();
    const wanted = new Set(users.map((u) => JSON.stringify([u.channelId, u.userId])));
    const docs = await store.findAsync({ userId: { $in: [...new Set(users.map((u) => u.userId))] } }).sort({ lastActivityAt: -1, conversationId: 1 });
    return docs.filter((d) => wanted.has(JSON.stringify([d.channelId, d.userId]))).map(conversationFromRecord);
  }

  private async upsertNow(reference: Partial<ConversationReference>, fields: ConversationTurnFields): Promise<void> {
    const store = await this.store();
    const _id = JSON.stringify([fields.channelId, fields.conversationId]);
    const now = this.now();
    const existing = await store.findOneAsync({ _id });
    const doc: ConversationDoc = {
      ...(existing ?? { _id, channelId: fields.channelId, conversationId: fields.conversationId, status: 'bot', createdAt: now }),
      userId: fields.userId,
      reference: JSON.stringify(reference),
      lastActivityAt: existing && existing.lastActivityAt > now ? existing.lastActivityAt : now,
    } as ConversationDoc;
    if (fields.language !== undefined) doc.language = fields.language;
    if (fields.customerId !== undefined) doc.customerId = fields.customerId;
    if (fields.status !== undefined) doc.status = fields.status;
    await store.updateAsync({ _id }, doc, { upsert: true });
  }

  private async store() {
    const store = await this.database.collection<ConversationDoc>(this.collectionName);
    this.indexed ??= store.ensureIndexAsync({ fieldName: 'userId' });
    await this.indexed;
    return store;
  }
}
