import type { ConversationReference } from 'botbuilder';
import { Schema, type Connection, type Model } from 'mongoose';
import {
  type Conversation, type ConversationRepository, type ConversationTurnFields,
  CONVERSATION_STATUSES, checkTurnFields, conversationFromRecord,
} from './conversationRepository';

/** Options for {@link MongoConversationRepository}. */
export interface MongoConversationRepositoryOptions {
  /** A dedicated mongoose connection (see `openMongoConnection`); the caller closes it. */
  connection: Connection;
  /** Collection name; defaults to `conversations`. */
  collection?: string;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
}

/** A stored conversation; the reference is JSON text because Teams references carry keys a Mongo-wire server may refuse. */
type ConversationDoc = Omit<Conversation, 'reference'> & { reference: string };

const conversationSchema = new Schema<ConversationDoc>({
  channelId: { type: String, required: true },
  conversationId: { type: String, required: true },
  userId: { type: String, required: true },
  customerId: String,
  language: String,
  status: { type: String, enum: CONVERSATION_STATUSES, required: true },
  createdAt: { type: Date, required: true },
  lastActivityAt: { type: Date, required: true },
  reference: { type: String, required: true },
}, { versionKey: false, timestamps: false });
conversationSchema.index({ channelId: 1, conversationId: 1 }, { unique: true });
conversationSchema.index({ channelId: 1, userId: 1, lastActivityAt: -1 });

const DUPLICATE_KEY = 11000;

/** {@link ConversationRepository} on MongoDB / FerretDB; one upsert per turn. */
export class MongoConversationRepository implements ConversationRepository {
  private readonly model: Model<ConversationDoc>;
  private readonly now: () => Date;

  constructor(options: MongoConversationRepositoryOptions) {
    if (!options?.connection) throw new TypeError('MongoConversationRepository: options.connection is required');
    const collection = options.collection ?? 'conversations';
    this.model = options.connection.models[collection] as Model<ConversationDoc>
      ?? options.connection.model<ConversationDoc>(collection, conversationSchema, collection);
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves once the unique index exists; without it concurrent first turns could insert twice. */
  async init(): Promise<void> {
    await this.model.init();
  }

  async upsertFromTurn(reference: Partial<ConversationReference>, fields: ConversationTurnFields): Promise<void> {
    checkTurnFields(reference, fields);
    await this.init();
    const now = this.now();
    const set: Partial<ConversationDoc> = { userId: fields.userId, reference: JSON.stringify(reference) };
    if (fields.language !== undefined) set.language = fields.language;
    if (fields.customerId !== undefined) set.customerId = fields.customerId;
    if (fields.status !== undefined) set.status = fields.status;
    const setOnInsert: Partial<ConversationDoc> = { createdAt: now };
    if (fields.status === undefined) setOnInsert.status = 'bot';
    const update = { $set: set, $setOnInsert: setOnInsert, $max: { lastActivityAt: now } };
    const filter = { channelId: fields.channelId, conversationId: fields.conversationId };
    try {
      await this.model.collection.updateOne(filter, update, { upsert: true });
    } catch (err) {
      // Two first turns racing: one insert won the unique index, so this one is now an update.
      if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      await this.model.collection.updateOne(filter, update, { upsert: true });
    }
  }

  async get(channelId: string, conversationId: string): Promise<Conversation | undefined> {
    const doc = await this.model.findOne({ channelId, conversationId }).lean<ConversationDoc>();
    return doc ? conversationFromRecord(doc) : undefined;
  }

  async findByUser(channelId: string, userId: string): Promise<Conversation[]> {
    const docs = await this.model.find({ channelId, userId }).sort({ lastActivityAt: -1, conversationId: 1 }).lean<ConversationDoc[]>();
    return docs.map(conversationFromRecord);
  }

  async findByUsers(users: Array<{ channelId: string; userId: string }>): Promise<Conversation[]> {
    if (!users.length) return [];
    // By user id (one $in), then the exact channel in code: a 500-branch $or is far slower on FerretDB.
    const wanted = new Set(users.map((u) => JSON.stringify([u.channelId, u.userId])));
    const docs = await this.model.find({ userId: { $in: [...new Set(users.map((u) => u.userId))] } }).sort({ lastActivityAt: -1, conversationId: 1 }).lean<ConversationDoc[]>();
    return docs.filter((d) => wanted.has(JSON.stringify([d.channelId, d.userId]))).map(conversationFromRecord);
  }
}
