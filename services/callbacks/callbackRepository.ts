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
  createdAt: Date;
  updatedAt: Date;
}

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
