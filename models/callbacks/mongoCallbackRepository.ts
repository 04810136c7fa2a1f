import { Schema, type Connection, type Model } from 'mongoose';
import {
  CALLBACK_OUTCOMES, compareEvents, slotKey,
  type BookOutcome, type Callback, type CallbackAnalyticsQueries, type CallbackDeskRepository, type CallbackEvent, type CallbackListFilter,
  type CallbackOutcomeRecord, type CallbackPage, type CallbackRepository, type CallbackStaffRef, type NewCallback, type RescheduleOutcome,
} from '../../services/callbacks/callbackRepository';
import { dueReminderFilter } from './reminderQueries';
import { deskListQuery, deskPage } from './deskQueries';

const REFERENCE = /^CBK-\d{8}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** What is stored beyond the port's record: the seat the booking holds and the claim attempt. */
type StoredCallback = Callback & { seatId: string; reminder: Callback['reminder'] & { attempt?: number } };

const reminderSchema = new Schema({
  dueAt: { type: Date, required: true },
  state: { type: String, required: true, enum: ['pending', 'claimed', 'sent'] },
  claimedBy: { type: String },
  claimedAt: { type: Date },
  attempt: { type: Number, min: 0 },
}, { _id: false });

const staffRefSchema = new Schema({
  staffId: { type: String, required: true },
  displayName: { type: String, required: true },
}, { _id: false });

const assigneeSchema = new Schema({
  staffId: { type: String, required: true },
  displayName: { type: String, required: true },
  assignedAt: { type: Date, required: true },
  assignedBy: { type: staffRefSchema, required: true },
}, { _id: false });

const outcomeSchema = new Schema({
  outcome: { type: String, required: true, enum: CALLBACK_OUTCOMES },
  note: { type: String, maxlength: 2000 },
  by: { type: staffRefSchema, required: true },
  at: { type: Date, required: true },
}, { _id: false });

const callbackSchema = new Schema<StoredCallback>({
  reference: { type: String, required: true, match: REFERENCE },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  conversationId: { type: String, required: true },
  customerId: { type: String },
  language: { type: String, required: true, enum: ['zh-CN', 'en'] },
  topic: { type: String, required: true, minlength: 1, maxlength: 500 },
  phone: { type: String, required: true, match: E164 },
  slotStart: { type: Date, required: true },
  status: { type: String, required: true, enum: ['booked', 'cancelled', 'done', 'missed'] },
  reminder: { type: reminderSchema, required: true },
  assignee: { type: assigneeSchema },
  outcome: { type: outcomeSchema },
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
  seatId: { type: String, required: true },
}, { versionKey: false });
callbackSchema.index({ reference: 1 }, { unique: true });
callbackSchema.index({ slotStart: 1, status: 1 });
callbackSchema.index({ channelId: 1, userId: 1 });
callbackSchema.index({ 'reminder.state': 1, 'reminder.dueAt': 1 });
callbackSchema.index({ 'assignee.staffId': 1, slotStart: 1 });

/** A callback's history: one document per entry, only ever inserted (never a $push on the callback, which FerretDB could lose to a racing update). */
const eventSchema = new Schema<CallbackEvent>({
  reference: { type: String, required: true },
  type: { type: String, required: true, enum: ['assigned', 'done', 'missed', 'client_notified', 'client_not_notified'] },
  at: { type: Date, required: true },
  by: { type: staffRefSchema },
  assignee: { type: staffRefSchema },
  note: { type: String, maxlength: 2000 },
  reason: { type: String },
}, { versionKey: false });
eventSchema.index({ reference: 1, at: 1 });

/**
 * One document per taken seat: `_id` is `<slot start ISO>#<seat number>`, seat numbers
 * 0..capacity-1. Taking a seat is an insert, so the unique `_id` alone decides who gets it.
 */
interface CallbackSeat { _id: string; slotStart: Date; reference: string; takenAt: Date }
const seatSchema = new Schema<CallbackSeat>({
  _id: { type: String, required: true },
  slotStart: { type: Date, required: true },
  reference: { type: String, required: true },
  takenAt: { type: Date, required: true },
}, { versionKey: false });
seatSchema.index({ slotStart: 1 });
seatSchema.index({ takenAt: 1 });

/** Who won attempt n at a reminder: `_id` is `<reference>#<attempt>`, unique, so one claimer per attempt. */
interface ReminderClaim { _id: string; reference: string; claimedBy: string; claimedAt: Date }
const claimSchema = new Schema<ReminderClaim>({
  _id: { type: String, required: true },
  reference: { type: String, required: true },
  claimedBy: { type: String, required: true },
  claimedAt: { type: Date, required: true },
}, { versionKey: false });

/**
 * Callbacks in MongoDB. The test server is FerretDB 1.x on SQLite, where even a
 * single-document conditional update (`findOneAndUpdate`, guarded `$inc`) is a read then a
 * write and two racing processes can both pass the guard (the contract suite caught 2 of 20
 * racers booking the last seat with a guarded counter). The one primitive that holds there
 * and on MongoDB alike is the unique `_id` on insert, so every "only one may win" decision
 * here is an insert: a seat document per taken seat, a claim document per reminder attempt.
 */
export class MongoCallbackRepository implements CallbackRepository, CallbackAnalyticsQueries, CallbackDeskRepository {
  private readonly callbacks: Model<StoredCallback>;
  private readonly events: Model<CallbackEvent>;
  private readonly seats: Model<CallbackSeat>;
  private readonly claims: Model<ReminderClaim>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoCallbackRepository needs a connection');
    this.callbacks = connection.models.Callback ?? connection.model<StoredCallback>('Callback', callbackSchema);
    this.seats = connection.models.CallbackSeat ?? connection.model<CallbackSeat>('CallbackSeat', seatSchema);
    this.claims = connection.models.CallbackReminderClaim ?? connection.model<ReminderClaim>('CallbackReminderClaim', claimSchema);
    this.events = connection.models.CallbackEvent ?? connection.model<CallbackEvent>('CallbackEvent', eventSchema);
  }

  async book(callback: NewCallback, capacity: number): Promise<BookOutcome> {
    await this.ensureIndexes();
    const seatId = await this.takeSeat(callback.slotStart, capacity, callback.reference, callback.createdAt);
    if (!seatId) return { booked: false, reason: 'full' };
    const { reminderDueAt, ...rest } = callback;
    const record: Callback = { ...rest, status: 'booked', reminder: { dueAt: reminderDueAt, state: 'pending' }, updatedAt: callback.createdAt };
    try {
      await this.callbacks.create({ ...record, seatId });
    } catch (error) {
      await this.seats.deleteOne({ _id: seatId });
      if (isDuplicateKey(error)) return { booked: false, reason: 'duplicate_reference' };
      throw error;
    }
    return { booked: true, callback: record };
  }

  async findByReference(reference: string): Promise<Callback | undefined> {
    const doc = await this.callbacks.findOne({ reference }).lean();
    return doc ? clean(doc) : undefined;
  }

  async listBooked(channelId: string, userId: string, from: Date): Promise<Callback[]> {
    const docs = await this.callbacks.find({ channelId, userId, status: 'booked', slotStart: { $gte: from } }).sort({ slotStart: 1 }).lean();
    return docs.map(clean);
  }

  async listForUser(channelId: string, userId: string): Promise<Callback[]> {
    const docs = await this.callbacks.find({ channelId, userId }).sort({ slotStart: 1, reference: 1 }).lean();
    return docs.map(clean);
  }

  async listBySlotBetween(from: Date, to: Date): Promise<Callback[]> {
    const docs = await this.callbacks.find({ slotStart: { $gte: from, $lt: to } }).sort({ slotStart: 1, reference: 1 }).lean();
    return docs.map(clean);
  }

  async reschedule(reference: string, newSlotStart: Date, reminderDueAt: Date, capacity: number, at: Date): Promise<RescheduleOutcome> {
    const current = await this.callbacks.findOne({ reference }).lean();
    if (!current || current.status !== 'booked') return { moved: false, reason: 'not_found' };
    if (current.slotStart.getTime() === newSlotStart.getTime()) return { moved: true, callback: clean(current) };
    const seatId = await this.takeSeat(newSlotStart, capacity, reference, at);
    if (!seatId) return { moved: false, reason: 'full' };
    const moved = await this.callbacks.findOneAndUpdate(
      { reference, status: 'booked', seatId: current.seatId },
      { $set: { slotStart: newSlotStart, seatId, reminder: { dueAt: reminderDueAt, state: 'pending', attempt: current.reminder.attempt ?? 0 }, updatedAt: at } },
      { returnDocument: 'after' },
    ).lean();
    if (!moved) {
      // Cancelled or moved by another turn in between: give the new seat back.
      await this.seats.deleteOne({ _id: seatId });
      return { moved: false, reason: 'not_found' };
    }
    await this.seats.deleteOne({ _id: current.seatId });
    return { moved: true, callback: clean(moved) };
  }

  async cancel(reference: string, at: Date): Promise<Callback | undefined> {
    const cancelled = await this.callbacks.findOneAndUpdate(
      { reference, status: 'booked' },
      { $set: { status: 'cancelled', updatedAt: at } },
      { returnDocument: 'after' },
    ).lean();
    if (!cancelled) return undefined;
    // Deleting a seat by id is idempotent, so even two racing cancels free it once.
    await this.seats.deleteOne({ _id: cancelled.seatId });
    return clean(cancelled);
  }

  async seatsTaken(slotStarts: Date[]): Promise<Map<string, number>> {
    const seats = await this.seats.find({ slotStart: { $in: slotStarts } }, { slotStart: 1 }).lean();
    const taken = new Map<string, number>(slotStarts.map((s) => [slotKey(s), 0]));
    for (const seat of seats) taken.set(slotKey(seat.slotStart), (taken.get(slotKey(seat.slotStart)) ?? 0) + 1);
    return taken;
  }

  async claimDueReminders(now: Date, claimer: string, limit: number, leaseMs: number): Promise<Callback[]> {
    const candidates = await this.callbacks.find(dueReminderFilter(now, leaseMs)).sort({ 'reminder.dueAt': 1 }).limit(limit).lean<StoredCallback[]>();
    const claimed: Callback[] = [];
    for (const candidate of candidates) {
      // Attempts only grow, so a claimer working from a stale read collides with the winner's claim.
      const attempt = (candidate.reminder.attempt ?? 0) + 1;
      try {
        await this.claims.create({ _id: `${candidate.reference}#${attempt}`, reference: candidate.reference, claimedBy: claimer, claimedAt: now });
      } catch (error) {
        if (isDuplicateKey(error)) continue;
        throw error;
      }
      const reminder = { dueAt: candidate.reminder.dueAt, state: 'claimed' as const, claimedBy: claimer, claimedAt: now, attempt };
      await this.callbacks.updateOne({ reference: candidate.reference }, { $set: { reminder, updatedAt: now } });
      claimed.push(clean({ ...candidate, reminder, updatedAt: now }));
    }
    return claimed;
  }

  async markReminderSent(reference: string, claimer: string, at: Date): Promise<boolean> {
    const result = await this.callbacks.updateOne(
      { reference, 'reminder.state': 'claimed', 'reminder.claimedBy': claimer },
      { $set: { 'reminder.state': 'sent', updatedAt: at } },
    );
    return result.modifiedCount === 1;
  }

  async releaseOrphanSeats(takenBefore: Date): Promise<number> {
    const seats = await this.seats.find({ takenAt: { $lt: takenBefore } }).lean();
    if (seats.length === 0) return 0;
    const holders = await this.callbacks.find({ reference: { $in: [...new Set(seats.map((s) => s.reference))] }, status: 'booked' }, { seatId: 1 }).lean();
    const held = new Set(holders.map((h) => h.seatId));
    const orphans = seats.filter((s) => !held.has(s._id)).map((s) => s._id);
    if (orphans.length === 0) return 0;
    const result = await this.seats.deleteMany({ _id: { $in: orphans } });
    return result.deletedCount;
  }

  async list(filter: CallbackListFilter): Promise<CallbackPage> {
    const query = deskListQuery(filter);
    const { offset, limit } = deskPage(filter);
    const [docs, total] = await Promise.all([
      this.callbacks.find(query).sort({ slotStart: 1, reference: 1 }).skip(offset).limit(limit).lean(),
      this.callbacks.countDocuments(query),
    ]);
    return { items: docs.map(clean), total };
  }

  /**
   * Guarded on `status: 'booked'`. On MongoDB the guard and the write are one atomic step; on
   * FerretDB 1.x (the test server: no transactions) the update is a read then a write, so two
   * staff taking the same callback in the same instant can both pass the guard and the later
   * write wins. That is harmless for a hand-over (the history keeps both entries); the guard
   * still stops taking a callback that was cancelled or worked before.
   */
  async assign(reference: string, assignee: CallbackStaffRef, by: CallbackStaffRef, at: Date): Promise<Callback | undefined> {
    const updated = await this.callbacks.findOneAndUpdate(
      { reference, status: 'booked' },
      { $set: { assignee: { ...staffRef(assignee), assignedAt: at, assignedBy: staffRef(by) }, updatedAt: at } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) return undefined;
    await this.addEvent({ reference, type: 'assigned', at, by: staffRef(by), assignee: staffRef(assignee) });
    return clean(updated);
  }

  /**
   * Guarded on `status: 'booked'`, so a cancelled or already worked callback is never
   * overwritten. As with {@link assign}, FerretDB 1.x can let two outcomes recorded in the same
   * instant both pass the guard (the later one stands; both are in the history); MongoDB cannot.
   */
  async recordOutcome(reference: string, outcome: CallbackOutcomeRecord): Promise<Callback | undefined> {
    const record = { outcome: outcome.outcome, by: staffRef(outcome.by), at: outcome.at, ...(outcome.note ? { note: outcome.note } : {}) };
    const updated = await this.callbacks.findOneAndUpdate(
      { reference, status: 'booked' },
      { $set: { status: outcome.outcome, outcome: record, updatedAt: outcome.at } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) return undefined;
    await this.addEvent({ reference, type: outcome.outcome, at: outcome.at, by: record.by, ...(record.note ? { note: record.note } : {}) });
    return clean(updated);
  }

  async addEvent(event: CallbackEvent): Promise<void> {
    await this.events.create(event);
  }

  async listEvents(reference: string): Promise<CallbackEvent[]> {
    const docs = await this.events.find({ reference }, { _id: 0 }).lean();
    return docs.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== null && v !== undefined)) as unknown as CallbackEvent).sort(compareEvents);
  }

  /** Tries seats 0..capacity-1 in turn; the first insert that is not a duplicate holds the seat. */
  private async takeSeat(slotStart: Date, capacity: number, reference: string, takenAt: Date): Promise<string | undefined> {
    for (let seat = 0; seat < capacity; seat++) {
      const _id = `${slotKey(slotStart)}#${seat}`;
      try {
        await this.seats.create({ _id, slotStart, reference, takenAt });
        return _id;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    return undefined;
  }

  /** The unique reference index must exist before the first insert, or a duplicate could slip in. */
  private async ensureIndexes(): Promise<void> {
    this.indexes ??= this.callbacks.init();
    await this.indexes;
  }
}


function clean(doc: Record<string, any>): Callback {
  const { _id, seatId: _seat, ...rest } = doc;
  const { attempt: _attempt, ...reminder } = { ...rest.reminder };
  for (const key of ['claimedBy', 'claimedAt']) if (reminder[key] == null) delete reminder[key];
  const callback = { ...rest, reminder } as Callback;
  for (const key of ['customerId', 'assignee', 'outcome'] as const) if (callback[key] == null) delete callback[key];
  if (callback.outcome && callback.outcome.note == null) delete callback.outcome.note;
  return callback;
}

/** Only the two fields, whatever else the caller's object carries (a session, a role). */
function staffRef(ref: CallbackStaffRef): CallbackStaffRef {
  return { staffId: ref.staffId, displayName: ref.displayName };
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number })?.code === 11000;
}
