import { DateTime } from 'luxon';
import type { BusinessCalendar } from '../calendar/businessCalendar';
import { generateReference } from '../tickets/referenceGenerator';
import type { Callback, CallbackRepository } from './callbackRepository';

/** Why a requested start cannot be booked. */
export type SlotRejection = 'past' | 'outside_hours' | 'holiday' | 'full' | 'not_on_slot_boundary';

/** The verdict on a requested slot; a start between boundaries comes back with the slot it falls in. */
export type SlotCheck =
  | { ok: true; start: Date }
  | { ok: false; reason: SlotRejection; rounded?: Date };

/** What a client tells the bot to book a callback. */
export type BookingInput = Pick<Callback,
  'channelId' | 'userId' | 'conversationId' | 'customerId' | 'language' | 'topic' | 'phone' | 'slotStart'>;

export type BookingResult =
  | { booked: true; callback: Callback }
  | { booked: false; reason: SlotRejection }
  /** The client already has a callback at that time: a second one would take another manager's seat for nothing. */
  | { booked: false; reason: 'already_booked'; existing: Callback };
export type RescheduleResult = { moved: true; callback: Callback } | { moved: false; reason: SlotRejection | 'not_found' | 'already_booked' };

/** Configuration of {@link CallbackService}. */
export interface CallbackServiceOptions {
  calendar: Pick<BusinessCalendar, 'isWorkingDay' | 'openingHoursOn'>;
  /** IANA zone of business hours and references. */
  timeZone: string;
  /** Length of a callback slot. Default 30. */
  slotMinutes?: number;
  /** Staff on duty = callbacks per slot. Default 2. */
  capacityPerSlot?: number;
  /** How long before the slot the reminder goes out. Default 30. */
  reminderLeadMinutes?: number;
  now?: () => Date;
}

/** How far ahead alternatives are looked for: a month of business days is plenty. */
const SEARCH_DAYS = 45;
const REFERENCE_ATTEMPTS = 5;

/**
 * Callback booking rules: slots of `slotMinutes` inside business hours on working days,
 * `capacityPerSlot` bookings each, never in the past; only the client who booked can see,
 * move or cancel a booking (anyone else is told it does not exist).
 */
export class CallbackService {
  readonly timeZone: string;
  readonly slotMinutes: number;
  readonly capacityPerSlot: number;
  readonly reminderLeadMinutes: number;
  private readonly calendar: CallbackServiceOptions['calendar'];
  private readonly now: () => Date;

  constructor(private readonly repository: CallbackRepository, options: CallbackServiceOptions) {
    if (!repository) throw new Error('CallbackService needs a repository');
    if (!options?.calendar) throw new Error('CallbackService needs a business calendar');
    if (!options.timeZone) throw new Error('CallbackService needs a time zone');
    this.calendar = options.calendar;
    this.timeZone = options.timeZone;
    this.slotMinutes = options.slotMinutes ?? 30;
    this.capacityPerSlot = options.capacityPerSlot ?? 2;
    this.reminderLeadMinutes = options.reminderLeadMinutes ?? 30;
    this.now = options.now ?? (() => new Date());
    if (!(this.slotMinutes > 0 && 60 % this.slotMinutes === 0)) throw new Error('CallbackService: slotMinutes must divide an hour');
    if (!(this.capacityPerSlot >= 0)) throw new Error('CallbackService: capacityPerSlot must be 0 or more');
  }

  /** The clock the service books against (the dialog resolves "tomorrow" against it too). */
  currentTime(): Date {
    return this.now();
  }

  /** Whether `start` can be booked now. Checks the calendar before capacity, so the reason is the most useful one. */
  async checkSlot(start: Date): Promise<SlotCheck> {
    const rounded = this.roundDown(start);
    const hours = this.calendar.openingHoursOn(rounded);
    if (rounded.getTime() + this.slotMinutes * 60_000 <= this.now().getTime()) return { ok: false, reason: 'past' };
    if (!hours) return { ok: false, reason: 'holiday' };
    if (rounded < hours.opens || rounded.getTime() + this.slotMinutes * 60_000 > hours.closes.getTime()) return { ok: false, reason: 'outside_hours' };
    if (rounded.getTime() !== start.getTime()) return { ok: false, reason: 'not_on_slot_boundary', rounded };
    if (start <= this.now()) return { ok: false, reason: 'past' };
    const taken = (await this.repository.seatsTaken([start])).get(start.toISOString()) ?? 0;
    if (taken >= this.capacityPerSlot) return { ok: false, reason: 'full' };
    return { ok: true, start };
  }

  /**
   * The `n` bookable slots nearest to `around`: walking outwards one slot at a time, the
   * later candidate is tried before the earlier one at the same distance (clients asked for
   * that time or later more often than earlier), and slots in the past are never offered
   * (a time already over is searched from now, however long ago it was).
   */
  async nearestFreeSlots(around: Date, n = 3): Promise<Date[]> {
    const step = this.slotMinutes * 60_000;
    const now = this.now();
    const anchor = this.roundDown(around < now ? now : around).getTime();
    const limit = (SEARCH_DAYS * 24 * 60) / this.slotMinutes;
    const free: Date[] = [];
    let batch: Date[] = [];
    for (let k = 0; k <= limit && free.length < n; k++) {
      for (const t of k === 0 ? [anchor] : [anchor + k * step, anchor - k * step]) {
        const start = new Date(t);
        if (this.isOpenSlot(start)) batch.push(start);
      }
      if (batch.length >= 16 || k === limit) {
        const taken = await this.repository.seatsTaken(batch);
        free.push(...batch.filter((c) => (taken.get(c.toISOString()) ?? 0) < this.capacityPerSlot));
        batch = [];
      }
    }
    if (batch.length > 0 && free.length < n) {
      const taken = await this.repository.seatsTaken(batch);
      free.push(...batch.filter((c) => (taken.get(c.toISOString()) ?? 0) < this.capacityPerSlot));
    }
    // Nearest first decides which; the client reads them in time order.
    return free.slice(0, n).sort((a, b) => a.getTime() - b.getTime());
  }

  /** Whether a day the client named (no time) can have callbacks: over, not a business day, or ok. */
  checkDay(day: Date): 'ok' | 'past' | 'holiday' {
    if (DateTime.fromJSDate(day, { zone: this.timeZone }).endOf('day').toJSDate() < this.now()) return 'past';
    const hours = this.calendar.openingHoursOn(day);
    if (!hours) return 'holiday';
    // Today after the last slot has started counts as over, too.
    return hours.closes.getTime() - this.slotMinutes * 60_000 <= this.now().getTime() ? 'past' : 'ok';
  }

  /** The first `n` bookable slots from now on, for a client who gave only a day. */
  async firstFreeSlotsOn(day: Date, n = 3): Promise<Date[]> {
    const opening = this.calendar.openingHoursOn(day)?.opens ?? day;
    return this.nearestFreeSlots(opening > this.now() ? opening : this.now(), n);
  }

  /** The client's own upcoming booking at exactly `start`, if they have one. */
  async bookedByUserAt(channelId: string, userId: string, start: Date): Promise<Callback | undefined> {
    return (await this.listForUser(channelId, userId)).find((b) => b.slotStart.getTime() === start.getTime());
  }

  /** Books a slot (not twice at one time for one client); a reference collision (rare) is retried with a fresh reference. */
  async book(input: BookingInput): Promise<BookingResult> {
    const existing = await this.bookedByUserAt(input.channelId, input.userId, input.slotStart);
    if (existing) return { booked: false, reason: 'already_booked', existing };
    const check = await this.checkSlot(input.slotStart);
    if (!check.ok) return { booked: false, reason: check.reason };
    for (let attempt = 0; attempt < REFERENCE_ATTEMPTS; attempt++) {
      const createdAt = this.now();
      const outcome = await this.repository.book({
        ...input,
        reference: generateReference('CBK', createdAt, this.timeZone),
        createdAt,
        reminderDueAt: this.reminderDueAt(input.slotStart),
      }, this.capacityPerSlot);
      if (outcome.booked) return outcome;
      if (outcome.reason === 'full') return { booked: false, reason: 'full' };
    }
    throw new Error(`CallbackService: no free reference after ${REFERENCE_ATTEMPTS} attempts`);
  }

  /** The client's upcoming bookings, earliest first. */
  async listForUser(channelId: string, userId: string): Promise<Callback[]> {
    return this.repository.listBooked(channelId, userId, this.now());
  }

  /** One of the client's upcoming bookings, or undefined when it is not theirs or not upcoming. */
  async findForUser(reference: string, channelId: string, userId: string): Promise<Callback | undefined> {
    const callback = await this.repository.findByReference(reference);
    if (!callback || callback.channelId !== channelId || callback.userId !== userId || callback.status !== 'booked') return undefined;
    return callback;
  }

  async reschedule(reference: string, channelId: string, userId: string, newStart: Date): Promise<RescheduleResult> {
    const current = await this.findForUser(reference, channelId, userId);
    if (!current) return { moved: false, reason: 'not_found' };
    // Its own seat would make a full slot look unavailable: moving to where it is is a no-op.
    if (current.slotStart.getTime() === newStart.getTime()) return { moved: true, callback: current };
    if (await this.bookedByUserAt(channelId, userId, newStart)) return { moved: false, reason: 'already_booked' };
    const check = await this.checkSlot(newStart);
    if (!check.ok) return { moved: false, reason: check.reason };
    return this.repository.reschedule(reference, newStart, this.reminderDueAt(newStart), this.capacityPerSlot, this.now());
  }

  /** Cancels the client's booking; undefined when there is no such booking of theirs. */
  async cancel(reference: string, channelId: string, userId: string): Promise<Callback | undefined> {
    if (!(await this.findForUser(reference, channelId, userId))) return undefined;
    return this.repository.cancel(reference, this.now());
  }

  /** The start of the slot that `instant` falls in. */
  roundDown(instant: Date): Date {
    const local = DateTime.fromJSDate(instant, { zone: this.timeZone });
    const minute = Math.floor(local.minute / this.slotMinutes) * this.slotMinutes;
    return local.set({ minute, second: 0, millisecond: 0 }).toJSDate();
  }

  /** Whether `instant` lies in a future slot inside business hours (capacity aside): picks among ambiguous readings. */
  isBookableTime(instant: Date): boolean {
    return this.isOpenSlot(this.roundDown(instant));
  }

  private isOpenSlot(start: Date): boolean {
    if (start <= this.now()) return false;
    const hours = this.calendar.openingHoursOn(start);
    return !!hours && start >= hours.opens && start.getTime() + this.slotMinutes * 60_000 <= hours.closes.getTime();
  }

  /** The reminder is due `reminderLeadMinutes` before the slot, but never before it is booked. */
  private reminderDueAt(slotStart: Date): Date {
    const due = new Date(slotStart.getTime() - this.reminderLeadMinutes * 60_000);
    return due < this.now() ? this.now() : due;
  }
}
