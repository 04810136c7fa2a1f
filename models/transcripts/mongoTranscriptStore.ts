import type { Activity, PagedResult, TranscriptInfo, TranscriptStore } from 'botbuilder';
import { Schema, type Connection, type Model } from 'mongoose';
import {
  TRANSCRIPT_PAGE_SIZE, type TranscriptEntryDoc, encodeToken, fromEntryDoc,
  newTranscriptEntryId, requireIds, toEntryDoc,
  transcriptPageFilter,
} from './transcriptEntry';

/** Options for {@link MongoTranscriptStore}. */
export interface MongoTranscriptStoreOptions {
  /** A dedicated mongoose connection (see `openMongoConnection`); the caller closes it. */
  connection: Connection;
  /** Collection name; defaults to `transcript_activities`. */
  collection?: string;
}

const transcriptEntrySchema = new Schema<TranscriptEntryDoc>({
  _id: { type: String, required: true },
  channelId: { type: String, required: true },
  conversationId: { type: String, required: true },
  timestamp: { type: Date, required: true },
  activity: { type: String, required: true },
}, { versionKey: false, timestamps: false });
transcriptEntrySchema.index({ channelId: 1, conversationId: 1, timestamp: 1 });

/** One row per transcript (conversation), `_id` = JSON of [channelId, conversationId]. */
interface TranscriptConversationDoc {
  _id: string;
  channelId: string;
  conversationId: string;
  created: Date;
}

const transcriptConversationSchema = new Schema<TranscriptConversationDoc>({
  _id: { type: String, required: true },
  channelId: { type: String, required: true },
  conversationId: { type: String, required: true },
  created: { type: Date, required: true },
}, { versionKey: false, timestamps: false });
transcriptConversationSchema.index({ channelId: 1, created: 1, conversationId: 1 });

/**
 * botbuilder `TranscriptStore` on MongoDB (or a Mongo-wire server such as FerretDB), with
 * `MemoryTranscriptStore`'s behaviour: pages of 20 ordered by timestamp, `startDate`
 * filter, a continuation token when a page is full, the same argument errors. Each activity
 * comes back exactly as logged (stored as JSON text; `timestamp` as a `Date`; no `_id`).
 *
 * Continuation tokens of `getTranscriptActivities` are opaque (the last item's position),
 * not activity ids, because ids repeat (a `messageUpdate` carries its message's id).
 */
const RECORDED_CACHE_LIMIT = 100_000;

export class MongoTranscriptStore implements TranscriptStore {
  /** Conversations whose summary row this process has written (bounded; cleared when full). */
  private readonly recorded = new Set<string>();
  private readonly model: Model<TranscriptEntryDoc>;
  private readonly conversations: Model<TranscriptConversationDoc>;

  constructor(options: MongoTranscriptStoreOptions) {
    if (!options?.connection) throw new TypeError('MongoTranscriptStore: options.connection is required');
    const collection = options.collection ?? 'transcript_activities';
    this.model = options.connection.models[collection] as Model<TranscriptEntryDoc>
      ?? options.connection.model<TranscriptEntryDoc>(collection, transcriptEntrySchema, collection);
    const summaries = `${collection}_conversations`;
    this.conversations = options.connection.models[summaries] as Model<TranscriptConversationDoc>
      ?? options.connection.model<TranscriptConversationDoc>(summaries, transcriptConversationSchema, summaries);
  }

  /** Resolves once the collection's indexes exist (call at start-up to fail fast). */
  async init(): Promise<void> {
    await Promise.all([this.model.init(), this.conversations.init()]);
  }

  /** Logs one activity. */
  async logActivity(activity: Activity): Promise<void> {
    await this.logActivities([activity]);
  }

  /**
   * Logs a batch in one unordered insert. With `entryIds` (one per activity, e.g. from
   * {@link newTranscriptEntryId} when the batch was first queued) a retried batch is
   * idempotent: entries already stored are skipped by the unique `_id`.
   */
  async logActivities(activities: Partial<Activity>[], entryIds?: readonly string[]): Promise<void> {
    if (entryIds && entryIds.length !== activities.length) throw new Error('entryIds must match activities one to one');
    if (activities.length === 0) return;
    const docs = activities.map((a, i) => toEntryDoc(a, entryIds?.[i] ?? newTranscriptEntryId()));
    await this.init();
    try {
      await this.model.collection.insertMany(docs as any[], { ordered: false });
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
    await this.recordConversations(docs);
  }

  /**
   * Keeps one row per conversation with its earliest timestamp, for `listTranscripts`.
   * A summary collection rather than an aggregation because FerretDB 1.x has no `$min` or
   * `$first` accumulator; `$min` as an update operator makes the upsert order-independent
   * and safe to repeat when a batch is retried.
   */
  private async recordConversations(docs: TranscriptEntryDoc[]): Promise<void> {
    const earliest = new Map<string, TranscriptEntryDoc>();
    for (const doc of docs) {
      const key = JSON.stringify([doc.channelId, doc.conversationId]);
      // This process logs a conversation's activities in order, so once its row is written a
      // later batch can't hold an earlier timestamp: skip the upsert (the hot path under load).
      if (this.recorded.has(key)) continue;
      const seen = earliest.get(key);
      if (!seen || doc.timestamp < seen.timestamp) earliest.set(key, doc);
    }
    if (earliest.size === 0) return;
    await this.conversations.bulkWrite([...earliest.entries()].map(([key, doc]) => ({
      updateOne: {
        filter: { _id: key },
        update: { $setOnInsert: { channelId: doc.channelId, conversationId: doc.conversationId }, $min: { created: doc.timestamp } },
        upsert: true,
      },
    })), { ordered: false });
    if (this.recorded.size + earliest.size > RECORDED_CACHE_LIMIT) this.recorded.clear();
    for (const key of earliest.keys()) this.recorded.add(key);
  }

  /** A page (20) of a conversation's activities from `startDate` on, oldest first. */
  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    requireIds(channelId, conversationId);
    const filter = transcriptPageFilter(channelId, conversationId, continuationToken, startDate);
    if (!filter) return { items: [], continuationToken: undefined as unknown as string };
    const docs = await this.model.find(filter).sort({ timestamp: 1, _id: 1 }).limit(TRANSCRIPT_PAGE_SIZE).lean<TranscriptEntryDoc[]>();
    return {
      items: docs.map(fromEntryDoc),
      continuationToken: (docs.length === TRANSCRIPT_PAGE_SIZE ? encodeToken(docs[docs.length - 1]) : undefined) as string,
    };
  }

  /** A page (20) of the channel's conversations, oldest first; the token is the last conversation id. */
  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    requireIds(channelId, undefined, false);
    await this.init();
    const filter: Record<string, unknown> = { channelId };
    if (continuationToken) {
      const after = await this.conversations.findOne({ channelId, conversationId: continuationToken }).lean<TranscriptConversationDoc>();
      // An unknown token gives an empty page, as in MemoryTranscriptStore.
      if (!after) return { items: [], continuationToken: undefined as unknown as string };
      filter.$or = [{ created: { $gt: after.created } }, { created: after.created, conversationId: { $gt: after.conversationId } }];
    }
    const rows = await this.conversations.find(filter).sort({ created: 1, conversationId: 1 })
      .limit(TRANSCRIPT_PAGE_SIZE).lean<TranscriptConversationDoc[]>();
    const items = rows.map((r) => ({ channelId, id: r.conversationId, created: new Date(r.created) }));
    return {
      items,
      continuationToken: (items.length === TRANSCRIPT_PAGE_SIZE ? items[items.length - 1].id : undefined) as string,
    };
  }

  /** Deletes every activity of one conversation. */
  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    requireIds(channelId, conversationId);
    await this.model.deleteMany({ channelId, conversationId });
    await this.conversations.deleteMany({ channelId, conversationId });
    this.recorded.delete(JSON.stringify([channelId, conversationId]));
  }
}

/** True when a bulk insert failed only on entries that are already stored. */
function onlyDuplicateKeys(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }> };
  const writeErrors = e?.writeErrors;
  if (Array.isArray(writeErrors) && writeErrors.length > 0) {
    return writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
  }
  return e?.code === 11000;
}
