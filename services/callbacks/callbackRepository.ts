import type { Language } from '../i18n/localizer';

/** Where a booking stands. Only `booked` holds a seat in its slot. */
export type CallbackStatus = 'booked' | 'cancelled' | 'done' | 'missed';

/** The reminder of one booking, claimed by exactly one bot process before it is sent. */
export interface CallbackReminder {
  dueAt: Date;
  state: 'pending' | 'claimed' | 'sent';
  claimedBy?: string;
  claimedAt?: Date;
}

/** A callback a client booked with their relationship manager. */
export interface Callback {
  /** `CBK-YYYYMMDD-XXXX`, unique. */
  reference: string;
  channelId: string;
  userId: string;
  conversationId: string;
  customerId?: string;
  language: Language;
  topic: string;
  /** E.164 */
  phone: string;
  slotStart: Date;
  status: CallbackStatus;
  reminder: CallbackReminder;
  /** The staff member who took the call (absent until someone takes it). */
  assignee?: CallbackAssignee;
  /** What staff recorded once the call was made or attempted (status `done` or `missed`). */
  outcome?: CallbackOutcomeRecord;
  createdAt: Date;
  updatedAt: Date;
}

/** A staff member as a callback records them: the id for queries, the name for people. */
export interface CallbackStaffRef {
  staffId: string;
  displayName: string;
}

/** Who holds a callback, and since when. */
export interface CallbackAssignee extends CallbackStaffRef {
  assignedAt: Date;
  assignedBy: CallbackStaffRef;
}

/** The two ends of a call staff can record. */
export type CallbackOutcome = 'done' | 'missed';
export const CALLBACK_OUTCOMES: readonly CallbackOutcome[] = ['done', 'missed'];

/** A recorded outcome: done (spoke with the client) or missed (no answer, wrong number...). */
export interface CallbackOutcomeRecord {
  outcome: CallbackOutcome;
  note?: string;
  by: CallbackStaffRef;
  at: Date;
}

/** What happened to a callback after it was booked, in the order it happened. */
export type CallbackEventType = 'assigned' | 'done' | 'missed' | 'client_notified' | 'client_not_notified';

/** One entry of a callback's history (stored apart from the callback, append-only). */
export interface CallbackEvent {
  reference: string;
  type: CallbackEventType;
  at: Date;
  /** The staff member behind it; absent for what the system did (telling the client). */
  by?: CallbackStaffRef;
  /** assigned: the staff member it went to. */
  assignee?: CallbackStaffRef;
  note?: string;
  /** client_not_notified: why (e.g. 'unreachable', 'timeout'). */
  reason?: string;
}

/** Filters of the staff desk's callback list; all optional, combined with AND. */
export interface CallbackListFilter {
  /** Slot start at or after this instant. */
  from?: Date;
  /** Slot start before this instant. */
  to?: Date;
  /** Any of these statuses. */
  statuses?: CallbackStatus[];
  /** Held by this staff member, or `null` for nobody. */
  assigneeId?: string | null;
  /** Due now: the slot started at or before this instant and the callback is still `booked`. */
  dueAt?: Date;
  offset?: number;
  limit?: number;
}

/** One page of the list: earliest slot first (reference breaks ties), and how many match in all. */
export interface CallbackPage {
  items: Callback[];
  total: number;
}

/** The longest page the desk list returns. */
export const MAX_CALLBACK_PAGE = 200;

/** What the service hands the repository to book: the record without its derived state. */
export type NewCallback = Omit<Callback, 'status' | 'reminder' | 'updatedAt'> & { reminderDueAt: Date };

/** The outcome of taking a seat and storing a booking. */
export type BookOutcome =
  | { booked: true; callback: Callback }
  | { booked: false; reason: 'full' | 'duplicate_reference' };

/** The outcome of moving a booking to another slot. */
export type RescheduleOutcome =
  | { moved: true; callback: Callback }
  | { moved: false; reason: 'full' | 'not_found' };

/**
 * Persistence port for callbacks and their slot seats (embedded and Mongo implementations,
 * one contract suite). Every method is safe to call from several processes at once without
 * transactions: seats are counted by single-document conditional updates, references are
 * unique, and reminders are claimed one document at a time.
 */
export interface CallbackRepository {
  /**
   * Takes a seat in `callback.slotStart` if fewer than `capacity` are taken, then stores the
   * booking; gives the seat back if the booking cannot be stored.
   */
  book(callback: NewCallback, capacity: number): Promise<BookOutcome>;
  findByReference(reference: string): Promise<Callback | undefined>;
  /** The user's `booked` callbacks with a slot at or after `from`, earliest first. */
  listBooked(channelId: string, userId: string, from: Date): Promise<Callback[]>;
  /** Takes a seat in the new slot first, then moves the booking and releases the old seat. */
  reschedule(reference: string, newSlotStart: Date, reminderDueAt: Date, capacity: number, at: Date): Promise<RescheduleOutcome>;
  /** Cancels a `booked` callback and releases its seat; false when there was none to cancel. */
  cancel(reference: string, at: Date): Promise<Callback | undefined>;
  /** Seats taken per slot start (ISO string key), for the given slots. */
  seatsTaken(slotStarts: Date[]): Promise<Map<string, number>>;
  /**
   * Claims up to `limit` due reminders for `claimer`: pending ones whose `dueAt` has come
   * and whose slot has not started, plus ones claimed before `now - leaseMs` and never sent
   * (their claimer crashed). Each claim is one conditional update, so two processes never
   * claim the same reminder at the same time.
   */
  claimDueReminders(now: Date, claimer: string, limit: number, leaseMs: number): Promise<Callback[]>;
  /** Marks a reminder sent; only its current claimer can, so a late process cannot. */
  markReminderSent(reference: string, claimer: string, at: Date): Promise<boolean>;
  /**
   * Frees seats taken before `takenBefore` that no booked callback holds (a process died
   * between taking the seat and storing or moving the booking). Young seats are left alone:
   * their booking may still be on its way. Returns how many were freed.
   */
  releaseOrphanSeats(takenBefore: Date): Promise<number>;
}

/**
 * The staff desk's side of the store: the list staff work from, taking a callback, recording its
 * outcome, and the history of what happened. Status changes are single-document updates guarded
 * on the status the caller expects (`booked`), so a callback that was cancelled or worked
 * meanwhile is left alone and the method answers undefined. History entries are separate
 * documents, only ever inserted, so two writers never overwrite each other's entry.
 */
export interface CallbackDeskRepository {
  list(filter: CallbackListFilter): Promise<CallbackPage>;
  findByReference(reference: string): Promise<Callback | undefined>;
  /** Gives a `booked` callback to `assignee` (replacing any holder) and records 'assigned'; undefined when it is not booked. */
  assign(reference: string, assignee: CallbackStaffRef, by: CallbackStaffRef, at: Date): Promise<Callback | undefined>;
  /** Moves a `booked` callback to `done` or `missed` with the outcome and records the event; undefined when it is not booked. */
  recordOutcome(reference: string, outcome: CallbackOutcomeRecord): Promise<Callback | undefined>;
  /** Appends one entry to a callback's history. */
  addEvent(event: CallbackEvent): Promise<void>;
  /** A callback's history, oldest first. */
  listEvents(reference: string): Promise<CallbackEvent[]>;
}

/** Entries with the same instant are told apart by the order things happen in. */
const EVENT_ORDER: Record<CallbackEventType, number> = { assigned: 0, done: 1, missed: 1, client_notified: 2, client_not_notified: 2 };

/** Oldest first; one instant in the order a callback is worked. Both stores sort with it. */
export function compareEvents(a: CallbackEvent, b: CallbackEvent): number {
  return a.at.getTime() - b.at.getTime() || EVENT_ORDER[a.type] - EVENT_ORDER[b.type];
}

/** Read-only queries for the relationship analytics (churn risk, dashboard); both stores implement them. */
export interface CallbackAnalyticsQueries {
  /** Every callback of one chat user, whatever its status, earliest slot first. */
  listForUser(channelId: string, userId: string): Promise<Callback[]>;
  /** Every callback whose slot starts in [from, to), earliest first. */
  listBySlotBetween(from: Date, to: Date): Promise<Callback[]>;
}

/** The key a slot's seat counter is stored under. */
export function slotKey(slotStart: Date): string {
  return slotStart.toISOString();
}
