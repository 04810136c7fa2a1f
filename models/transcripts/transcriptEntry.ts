import crypto from 'node:crypto';
import type { Activity } from 'botbuilder';

/** Page size of every transcript store, as botbuilder's `MemoryTranscriptStore.pageSize`. */
export const TRANSCRIPT_PAGE_SIZE = 20;

/**
 * One logged activity as the stores keep it. The activity itself is kept as JSON text so
 * every field round-trips whatever its name (Mongo-wire servers and NeDB refuse some field
 * names, e.g. with `.` or `$`, and would add `_id`/`__v`); the columns beside it are only
 * for querying.
 */
export interface TranscriptEntryDoc {
  /** Unique per logged entry and chosen by the writer, so a retried batch can't duplicate. */
  _id: string;
  channelId: string;
  conversationId: string;
  timestamp: Date;
  activity: string;
}

const processTag = crypto.randomBytes(4).toString('hex');
let counter = 0;

/**
 * A new entry id. Ids from one process sort in the order they were made (time, then a
 * counter), which breaks timestamp ties in logging order, as `MemoryTranscriptStore` does.
 */
export function newTranscriptEntryId(): string {
  counter = (counter + 1) % 0x100000000;
  return `${Date.now().toString(16).padStart(12, '0')}${processTag}${counter.toString(16).padStart(8, '0')}`;
}

/** Checks the activity and builds its stored form. Throws the reference store's error on null. */
export function toEntryDoc(activity: Partial<Activity>, entryId: string): TranscriptEntryDoc {
  if (!activity) throw new Error('activity cannot be null for logActivity()');
  const channelId = activity.channelId;
  const conversationId = activity.conversation?.id;
  if (!channelId || !conversationId) throw new Error('activity needs channelId and conversation.id to be logged');
  const timestamp = activity.timestamp ? new Date(activity.timestamp) : new Date();
  return { _id: entryId, channelId, conversationId, timestamp, activity: JSON.stringify(activity) };
}

/** The activity exactly as logged, with its Date-typed fields (`Activity` declares them Dates) as Dates. */
export function fromEntryDoc(doc: Pick<TranscriptEntryDoc, 'activity'>): Activity {
  const activity = JSON.parse(doc.activity);
  for (const field of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    if (typeof activity[field] === 'string') activity[field] = new Date(activity[field]);
  }
  return activity as Activity;
}

/** Continuation token: the last item's position (timestamp and entry id), opaque to callers. */
export function encodeToken(doc: Pick<TranscriptEntryDoc, '_id' | 'timestamp'>): string {
  return `${doc.timestamp.getTime()}_${doc._id}`;
}

/** Reads a token made by {@link encodeToken}; throws an `Error` for anything else. */
export function decodeToken(token: string): { timestamp: Date; id: string } {
  const sep = token.indexOf('_');
  const ms = Number(token.slice(0, sep));
  if (sep <= 0 || !Number.isFinite(ms)) throw new Error('Invalid continuationToken');
  return { timestamp: new Date(ms), id: token.slice(sep + 1) };
}

/** Checks the arguments exactly as `MemoryTranscriptStore` does. */
export function requireIds(channelId: string, conversationId?: string, needConversation = true): void {
  if (!channelId) throw new Error('Missing channelId');
  if (needConversation && !conversationId) throw new Error('Missing conversationId');
}

/** Pages a sorted list of conversations the way `MemoryTranscriptStore.listTranscripts` does (token = last id). */
export function pageConversations<T extends { id: string }>(sorted: T[], continuationToken?: string): { items: T[]; continuationToken: string } {
  const start = continuationToken ? sorted.findIndex((t) => t.id === continuationToken) + 1 : 0;
  const items = continuationToken && start === 0 ? [] : sorted.slice(start, start + TRANSCRIPT_PAGE_SIZE);
  return {
    items,
    continuationToken: (items.length === TRANSCRIPT_PAGE_SIZE ? items[items.length - 1].id : undefined) as string,
  };
}

/**
 * The query for one page of a conversation's activities from `startDate` on, after the entry a
 * continuation token names; `undefined` for a token that is not one of ours (an empty page).
 * One query for both stores: NeDB reads the same Mongo query language.
 */
export function transcriptPageFilter(channelId: string, conversationId: string, continuationToken?: string, startDate?: Date): Record<string, unknown> | undefined {
  const and: Record<string, unknown>[] = [{ channelId }, { conversationId }];
  if (startDate) and.push({ timestamp: { $gte: startDate } });
  if (continuationToken) {
    let after: { timestamp: Date; id: string };
    try {
      after = decodeToken(continuationToken);
    } catch {
      return undefined;
    }
    and.push({ $or: [{ timestamp: { $gt: after.timestamp } }, { timestamp: after.timestamp, _id: { $gt: after.id } }] });
  }
  return { $and: and };
}
