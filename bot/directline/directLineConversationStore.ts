import type { Activity } from 'botbuilder';

/** One Direct Line conversation as the endpoint keeps it. */
export interface DirectLineConversation {
  id: string;
  /** The user bound to the conversation's tokens. */
  userId: string;
  /** Locale given when the conversation started (stamped on activities that carry none). */
  locale?: string;
  /** True once the bot has been told the user joined (conversationUpdate sent). */
  started: boolean;
  /** Last time anything happened (ms), for idle eviction. */
  touchedAt: number;
}

/** A page of activities after a watermark, as GET /activities and the stream send it. */
export interface ActivitySet {
  activities: Partial<Activity>[];
  watermark: string;
}

interface Entry {
  conversation: DirectLineConversation;
  /** Activities in order; `seq` of activities[i] is firstSeq + i. */
  activities: Partial<Activity>[];
  firstSeq: number;
  listeners: Set<(set: ActivitySet) => void>;
}

/**
 * Conversations and their activities with watermarks, in this process's memory.
 *
 * Why memory and not a Redis list: the stream must push to the one WebSocket a conversation
 * has, and that socket lives in one process; with a shared list every process would also need
 * pub/sub to learn of new activities. Rapport's Direct Line therefore needs sticky routing by
 * conversation (a load balancer hashing the conversation id in the path) when more than one
 * process serves it, and a restart ends open Web Chat conversations (the client gets 404 and
 * starts a new one; state, transcripts and tickets are in the real stores and survive).
 * A watermark is the sequence number of the last activity a client has seen.
 */
export class DirectLineConversationStore {
  private readonly entries = new Map<string, Entry>();

  /**
   * @param historyLimit activities kept per conversation; a client further behind than that
   *   misses the oldest ones (Azure's Direct Line also keeps a bounded history).
   * @param idleMs a conversation with no activity for this long is forgotten.
   */
  constructor(private readonly historyLimit: number, private readonly idleMs: number, private readonly now: () => number = Date.now) {
    if (!(historyLimit > 0) || !(idleMs > 0)) throw new Error('DirectLineConversationStore needs a positive historyLimit and idleMs');
  }

  create(id: string, userId: string, locale?: string): DirectLineConversation {
    const conversation: DirectLineConversation = { id, userId, locale, started: false, touchedAt: this.now() };
    this.entries.set(id, { conversation, activities: [], firstSeq: 1, listeners: new Set() });
    return conversation;
  }

  get(id: string): DirectLineConversation | undefined {
    return this.entries.get(id)?.conversation;
  }

  /**
   * Gives the activity its id (`conversationId|seq`, as Azure's Direct Line does) and
   * timestamp, keeps it, and pushes it to the conversation's listeners.
   */
  append(conversationId: string, activity: Partial<Activity>): Partial<Activity> | undefined {
    const entry = this.entries.get(conversationId);
    if (!entry) return undefined;
    const seq = entry.firstSeq + entry.activities.length;
    const stored = { ...activity, id: `${conversationId}|${String(seq).padStart(7, '0')}`, timestamp: (activity.timestamp ?? new Date(this.now())) };
    entry.activities.push(stored);
    if (entry.activities.length > this.historyLimit) {
      entry.activities.shift();
      entry.firstSeq += 1;
    }
    entry.conversation.touchedAt = this.now();
    const set: ActivitySet = { activities: [stored], watermark: String(seq) };
    for (const listener of entry.listeners) listener(set);
    return stored;
  }

  /** Activities after the watermark (all kept ones when it is empty or not a number). */
  since(conversationId: string, watermark?: string): ActivitySet | undefined {
    const entry = this.entries.get(conversationId);
    if (!entry) return undefined;
    const last = entry.firstSeq + entry.activities.length - 1;
    const seen = Number.parseInt(watermark ?? '', 10);
    const from = Number.isFinite(seen) ? Math.max(0, seen - entry.firstSeq + 1) : 0;
    return { activities: entry.activities.slice(from), watermark: String(Math.max(last, 0)) };
  }

  /** Calls the listener for every activity appended from now on; returns the unsubscribe. */
  subscribe(conversationId: string, listener: (set: ActivitySet) => void): () => void {
    const entry = this.entries.get(conversationId);
    if (!entry) return () => undefined;
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  /** Forgets conversations idle for longer than idleMs and with nobody listening. */
  evictIdle(): number {
    const cutoff = this.now() - this.idleMs;
    let evicted = 0;
    for (const [id, entry] of this.entries) {
      if (entry.conversation.touchedAt < cutoff && entry.listeners.size === 0) {
        this.entries.delete(id);
        evicted += 1;
      }
    }
    return evicted;
  }
}
