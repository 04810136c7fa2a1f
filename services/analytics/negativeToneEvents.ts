/**
 * Negative-tone events: one small record per negative-sentiment message of a client the bank
 * knows (a linked customer), for the churn-risk "negative tone" signal. The handoff relay's
 * SentimentMonitor already scores every message; recording is one insert, off the turn.
 */
export interface NegativeToneEvent {
  customerId: string;
  channelId: string;
  conversationId: string;
  /** The message's sentiment score (below zero). */
  score: number;
  at: Date;
}

/** Persistence port (embedded and Mongo implementations in models/conversations). */
export interface NegativeToneEventRepository {
  record(event: NegativeToneEvent): Promise<void>;
  /** Instants of the customer's negative messages at or after `since`, oldest first. */
  listSince(customerId: string, since: Date): Promise<Date[]>;
}
