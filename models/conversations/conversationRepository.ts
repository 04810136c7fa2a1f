import type { ConversationReference } from 'botbuilder';
import { AppError } from '../../services/appError';

/**
 * Where a conversation stands in the handoff state machine (bot → queued → withStaff →
 * bot/closed). The handoff service owns the transitions; a turn only sets it when asked.
 */
export type ConversationStatus = 'bot' | 'queued' | 'withStaff' | 'closed';

/** One conversation as Rapport remembers it, including what proactive messages need. */
export interface Conversation {
  channelId: string;
  conversationId: string;
  userId: string;
  customerId?: string;
  language?: string;
  status: ConversationStatus;
  createdAt: Date;
  lastActivityAt: Date;
  /** From `TurnContext.getConversationReference`, for `adapter.continueConversationAsync`. */
  reference: Partial<ConversationReference>;
}

/** What a turn knows about its conversation. Optional fields left out keep their stored value. */
export interface ConversationTurnFields {
  channelId: string;
  conversationId: string;
  userId: string;
  language?: string;
  customerId?: string;
  status?: ConversationStatus;
}

/**
 * Port for conversations. `upsertFromTurn` runs on every turn: it creates the conversation
 * (status `bot`) or refreshes its reference, user, last activity and any given field, as
 * one atomic step per conversation, so concurrent turns never create two records.
 */
export interface ConversationRepository {
  upsertFromTurn(reference: Partial<ConversationReference>, fields: ConversationTurnFields): Promise<void>;
  /** The conversation, or `undefined` when unknown. */
  get(channelId: string, conversationId: string): Promise<Conversation | undefined>;
  /** The user's conversations on one channel, most recently active first. */
  findByUser(channelId: string, userId: string): Promise<Conversation[]>;
  /**
   * The conversations of any of these chat users, most recently active first: one query for a
   * batch (a campaign launch looks up hundreds of clients at a time).
   */
  findByUsers(users: Array<{ channelId: string; userId: string }>): Promise<Conversation[]>;
}

/** Statuses a caller may set. */
export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ['bot', 'queued', 'withStaff', 'closed'];

/** Shared argument check, so every implementation refuses the same input with the same 400. */
export function checkTurnFields(reference: Partial<ConversationReference>, fields: ConversationTurnFields): void {
  if (!reference || typeof reference !== 'object') throw AppError.badRequest('conversation_reference_required', 'A conversation reference is required');
  for (const name of ['channelId', 'conversationId', 'userId'] as const) {
    if (!fields?.[name] || typeof fields[name] !== 'string') throw AppError.badRequest('conversation_field_required', `Conversation field ${name} is required`, { field: name });
  }
  if (fields.status !== undefined && !CONVERSATION_STATUSES.includes(fields.status)) {
    throw AppError.badRequest('conversation_status_invalid', `Unknown conversation status ${String(fields.status)}`);
  }
}

/** The stored shape both implementations share (the reference kept as JSON text). */
export interface ConversationRecord {
  channelId: string;
  conversationId: string;
  userId: string;
  customerId?: string | null;
  language?: string | null;
  status: ConversationStatus;
  createdAt: Date;
  lastActivityAt: Date;
  reference: string;
}

/** Builds the public {@link Conversation} from a stored record, leaving absent fields out. */
export function conversationFromRecord(doc: ConversationRecord): Conversation {
  const conversation: Conversation = {
    channelId: doc.channelId,
    conversationId: doc.conversationId,
    userId: doc.userId,
    status: doc.status,
    createdAt: new Date(doc.createdAt),
    lastActivityAt: new Date(doc.lastActivityAt),
    reference: JSON.parse(doc.reference),
  };
  if (doc.customerId != null) conversation.customerId = doc.customerId;
  if (doc.language != null) conversation.language = doc.language;
  return conversation;
}
