import type { Language } from '../i18n/localizer';
import type { HandoffReason } from './handoffRequester';

/**
 * Where a conversation is in the handoff state machine:
 * `bot` → `queued` → `with_staff` → `bot` (or `closed`). Every transition is a conditional,
 * atomic change in the store; a transition that lost a race fails with 409.
 */
export type HandoffStatus = 'bot' | 'queued' | 'with_staff' | 'closed';

/** A staff member as the handoff desk sees them (authentication lives in the staff module). */
export interface StaffRef {
  staffId: string;
  displayName: string;
  role: 'agent' | 'supervisor' | 'admin';
}

/** One escalation: a conversation waiting for, or talking with, staff. */
export interface HandoffCase {
  /** Stable id of this escalation (a conversation can be escalated again later: a new case). */
  caseId: string;
  channelId: string;
  conversationId: string;
  userId: string;
  customerId?: string;
  language: Language;
  reason: HandoffReason;
  /** e.g. the complaint reference that triggered it */
  detail?: string;
  status: HandoffStatus;
  /** Higher first; see the priority function's TSDoc for the formula. */
  priority: number;
  /** Customer value tier when known ('standard' | 'priority' | 'premier'). */
  tier?: string;
  queuedAt: Date;
  claimedBy?: StaffRef;
  claimedAt?: Date;
  endedAt?: Date;
}

/** What the console shows per queued case besides the case. */
export interface QueueEntry extends HandoffCase {
  position: number;
  waitingSeconds: number;
}

/** A message in a live handoff, as the console shows it (text only; never HTML). */
export interface HandoffMessage {
  caseId: string;
  from: 'client' | 'staff' | 'bot';
  text: string;
  at: Date;
  staff?: StaffRef;
}

/** Events the desk emits (across bot processes); the console subscribes to them. */
export type HandoffEvent =
  | { type: 'queued'; case: HandoffCase }
  | { type: 'left_queue'; case: HandoffCase }
  | { type: 'claimed'; case: HandoffCase }
  | { type: 'transferred'; case: HandoffCase; from: StaffRef }
  | { type: 'ended'; case: HandoffCase; outcome: 'bot' | 'closed' }
  | { type: 'message'; message: HandoffMessage };

/**
 * The staff side of handoff: what the console's HTTP API calls. Implemented by the handoff
 * service; authorisation (who may call what) is checked by the console routes before calling.
 */
export interface HandoffDesk {
  /** Queued cases, highest priority first. */
  listQueue(): Promise<QueueEntry[]>;
  /** Cases being handled (all of them, or one staff member's). */
  listActive(staffId?: string): Promise<HandoffCase[]>;
  getCase(caseId: string): Promise<HandoffCase | undefined>;
  /** Takes a queued case. Two claims at once: one wins, the other gets AppError 409 `already_taken` naming who took it. */
  claim(caseId: string, staff: StaffRef): Promise<HandoffCase>;
  /** Hands a case held by `from` to another staff member. */
  transfer(caseId: string, from: StaffRef, to: StaffRef): Promise<HandoffCase>;
  /** Ends a live case: back to the bot (which then offers the CSAT survey) or closed. */
  end(caseId: string, staff: StaffRef, outcome: 'bot' | 'closed'): Promise<HandoffCase>;
  /** Sends a staff reply to the client (proactive, awaited, retried) and records it in the transcript. */
  reply(caseId: string, staff: StaffRef, text: string): Promise<HandoffMessage>;
  /** Messages of a case so far (from the transcript). */
  messages(caseId: string): Promise<HandoffMessage[]>;
  /** Subscribes to events from every bot process; returns the unsubscribe function. */
  subscribe(listener: (event: HandoffEvent) => void): () => void;
}
