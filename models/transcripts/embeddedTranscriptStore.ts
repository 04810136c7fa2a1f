import type { Activity, PagedResult, TranscriptInfo, TranscriptStore } from 'botbuilder';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  TRANSCRIPT_PAGE_SIZE, type TranscriptEntryDoc, encodeToken, fromEntryDoc,
  newTranscriptEntryId, pageConversations, requireIds, toEntryDoc,
  transcriptPageFilter,
} from './transcriptEntry';

/** Options for {@link EmbeddedTranscriptStore}. */
export interface EmbeddedTranscriptStoreOptions {
  /** The embedded database (files under `DATA_DIR`, or in memory with `null`). */
  database: EmbeddedDatabase;
  /** Collection (file) name; defaults to `transcript_activities`. */
  collection?: string;
}

/**
 * The embedded default botbuilder `TranscriptStore`, kept in an NeDB file so transcripts
 * survive a restart. Same behaviour and stored form as {@link MongoTranscriptStore}.
 */
export class EmbeddedTranscriptStore implements TranscriptStore {
  private readonly database: EmbeddedDatabase;
  private readonly collectionName: string;
  private indexed: Promise<void> | undefined;

  constructor(options: EmbeddedTranscriptStoreOptions) {
    if (!options?.database) throw new TypeError('EmbeddedTranscriptStore: options.database is required');
    this.database = options.database;
    this.collectionName = options.collection ?? 'transcript_activities';
  }

  /** Logs one activity. */
  async logActivity(activity: Activity): Promise<void> {
    await this.logActivities([activity]);
  }

  /**
   * Logs a batch. With `entryIds` a retried batch is idempotent (see
   * `MongoTranscriptStore.logActivities`). Entries go in one by one because an NeDB array
   * insert is all-or-nothing: one already-stored entry would refuse the whole batch.
   */
  async logActivities(activities: Partial<Activity>[], entryIds?: readonly string[]): Promise<void> {
    if (entryIds && entryIds.length !== activities.length) throw new Error('entryIds must match activities one to one');
    const docs = activities.map((a, i) => toEntryDoc(a, entryIds?.[i] ?? newTranscriptEntryId()));
    const store = await this.store();
    for (const doc of docs) {
      try {
        await store.insertAsync(doc);
      } catch (err) {
        if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
      }
    }
  }

  /** A page (20) of a conversation's activities from `startDate` on, oldest first. */
  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Promise<PagedResult<Activity>> {
    requireIds(channelId, conversationId);
    const filter = transcriptPageFilter(channelId, conversationId, continuationToken, startDate);
    if (!filter) return { items: [], continuationToken: undefined as unknown as string };
    const store = await this.store();
    const docs = await store.findAsync(filter).sort({ timestamp: 1, _id: 1 }).limit(TRANSCRIPT_PAGE_SIZE);
    return {
      items: docs.map(fromEntryDoc),
      continuationToken: (docs.length === TRANSCRIPT_PAGE_SIZE ? encodeToken(docs[docs.length - 1]) : undefined) as string,
    };
  }

  /** A page (20) of the channel's conversations, oldest first; the token is the last conversation id. */
  async listTranscripts(channelId: string, continuationToken?: string): Promise<PagedResult<TranscriptInfo>> {
    requireIds(channelId, undefined, false);
    const store = await this.store();
    const docs = await store.findAsync({ channelId }, { conversationId: 1, timestamp: 1 });
    const created = new Map<string, Date>();
    for (const d of docs) {
      const seen = created.get(d.conversationId);
      if (!seen || d.timestamp < seen) created.set(d.conversationId, d.timestamp);
    }
    const sorted = [...created.entries()]
      .map(([id, c]) => ({ channelId, id, created: c }))
      .sort((a, b) => a.created.getTime() - b.created.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return pageConversations(sorted, continuationToken);
  }

  /** Deletes every activity of one conversation. */
  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    requireIds(channelId, conversationId);
    const store = await this.store();
    await store.removeAsync({ channelId, conversationId }, { multi: true });
  }

  private async store() {
    const store = await this.database.collection<TranscriptEntryDoc>(this.collectionName);
    this.indexed ??= store.ensureIndexAsync({ fieldName: 'conversationId' });
    await this.indexed;
    return store;
  }
}
