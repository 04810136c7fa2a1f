import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  compareEvents, slotKey,
  type BookOutcome, type Callback, type CallbackAnalyticsQueries, type CallbackDeskRepository, type CallbackEvent, type CallbackListFilter,
  type CallbackOutcomeRecord, type CallbackPage, type CallbackRepository, type CallbackStaffRef, type NewCallback, type RescheduleOutcome,
} from '../../services/callbacks/callbackRepository';
import { dueReminderFilter } from './reminderQueries';
import { deskListQuery, deskPage } from './deskQueries';

interface SlotDocument { _id: string; booked: number }

/**
 * Callbacks in the embedded database. NeDB runs one operation at a time per datastore, so
 * the same conditional single-document updates that make the Mongo implementation safe
 * make this one safe too; the code mirrors it step for step on purpose.
 */
export class EmbeddedCallbackRepository implements CallbackRepository, CallbackAnalyticsQueries, CallbackDeskRepository {
  private ready: Promise<void> | undefined;
  private eventsReady: Promise<void> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedCallbackRepository needs a database');
  }

  async book(callback: NewCallback, capacity: number): Promise<BookOutcome> {
    if (!(await this.takeSeat(callback.slotStart, capacity))) return { booked: false, reason: 'full' };
    const { reminderDueAt, ...rest } = callback;
    const record: Callback = { ...rest, status: 'booked', reminder: { dueAt: reminderDueAt, state: 'pending' }, updatedAt: callback.createdAt };
    try {
      await (await this.callbacks()).insertAsync({ ...record });
    } catch (error) {
      await this.releaseSeat(callback.slotStart);
      if (isUniqueViolation(error)) return { booked: false, reason: 'duplicate_reference' };
      throw error;
    }
    return { booked: true, callback: record };
  }

  async findByReference(reference: string): Promise<Callback | undefined> {
    const doc = await (await this.callbacks()).findOneAsync({ reference });
    return doc ? toCallback(doc) : undefined;
  }

  async listBooked(channelId: string, userId: string, from: Date): Promise<Callback[]> {
    const docs = await (await this.callbacks()).findAsync({ channelId, userId, status: 'booked', slotStart: { $gte: from } }).sort({ slotStart: 1 });
    return docs.map(toCallback);
  }

  async listForUser(channelId: string, userId: string): Promise<Callback[]> {
    const docs = await (await this.callbacks()).findAsync({ channelId, userId }).sort({ slotStart: 1, reference: 1 });
    return docs.map(toCallback);
  }

  async listBySlotBetween(from: Date, to: Date): Promise<Callback[]> {
    const docs = await (await this.callbacks()).findAsync({ slotStart: { $gte: from, $lt: to } }).sort({ slotStart: 1, reference: 1 });
    return docs.map(toCallback);
  }

  async reschedule(reference: string, newSlotStart: Date, reminderDueAt: Date, capacity: number, at: Date): Promise<RescheduleOutcome> {
    const current = await this.findByReference(reference);
    if (!current || current.status !== 'booked') return { moved: false, reason: 'not_found' };
    if (current.slotStart.getTime() === newSlotStart.getTime()) return { moved: true, callback: current };
    if (!(await this.takeSeat(newSlotStart, capacity))) return { moved: false, reason: 'full' };
    const { numAffected, affectedDocuments } = await (await this.callbacks()).updateAsync(
      { reference, status: 'booked', slotStart: current.slotStart },
      { $set: { slotStart: newSlotStart, reminder: { dueAt: reminderDueAt, state: 'pending' }, updatedAt: at } },
      { returnUpdatedDocs: true },
    );
    if (numAffected !== 1 || !affectedDocuments) {
      // Cancelled or moved by another turn in between: give the new seat back.
      await this.releaseSeat(newSlotStart);
      return { moved: false, reason: 'not_found' };
    }
    await this.releaseSeat(current.slotStart);
    return { moved: true, callback: toCallback(affectedDocuments) };
  }

  async cancel(reference: string, at: Date): Promise<Callback | undefined> {
    const { numAffected, affectedDocuments } = await (await this.callbacks()).updateAsync(
      { reference, status: 'booked' },
      { $set: { status: 'cancelled', updatedAt: at } },
      { returnUpdatedDocs: true },
    );
    if (numAffected !== 1 || !affectedDocuments) return undefined;
    const cancelled = toCallback(affectedDocuments);
    await this.releaseSeat(cancelled.slotStart);
    return cancelled;
  }

  async seatsTaken(slotStarts: Date[]): Promise<Map<string, number>> {
    const keys = slotStarts.map(slotKey);
    const docs = await (await this.slots()).findAsync({ _id: { $in: keys } });
    const taken = new Map<string, number>(keys.map((k) => [k, 0]));
    for (const doc of docs) taken.set(doc._id, doc.booked);
    return taken;
  }

  async claimDueReminders(now: Date, claimer: string, limit: number, leaseMs: number): Promise<Callback[]> {
    const store = await this.callbacks();
    const due = dueReminderFilter(now, leaseMs);
    const candidates = await store.findAsync(due).sort({ 'reminder.dueAt': 1 }).limit(limit);
    const claimed: Callback[] = [];
    for (const candidate of candidates) {
      // The filter is checked again inside the update: a competing claimer may have won.
      const { numAffected, affectedDocuments } = await store.updateAsync(
        { $and: [{ _id: candidate._id }, due] },
        { $set: { 'reminder.state': 'claimed', 'reminder.claimedBy': claimer, 'reminder.claimedAt': now } },
        { returnUpdatedDocs: true },
      );
      if (numAffected === 1 && affectedDocuments) claimed.push(toCallback(affectedDocuments));
    }
    return claimed;
  }

  async markReminderSent(reference: string, claimer: string, at: Date): Promise<boolean> {
    const { numAffected } = await (await this.callbacks()).updateAsync(
      { reference, 'reminder.state': 'claimed', 'reminder.claimedBy': claimer },
      { $set: { 'reminder.state': 'sent', updatedAt: at } },
      {},
    );
    return numAffected === 1;
  }

  async list(filter: CallbackListFilter): Promise<CallbackPage> {
    const store = await this.callbacks();
    const query = deskListQuery(filter);
    const { offset, limit } = deskPage(filter);
    const [docs, total] = await Promise.all([
      store.findAsync(query).sort({ slotStart: 1, reference: 1 }).skip(offset).limit(limit),
      store.countAsync(query),
    ]);
    return { items: docs.map(toCallback), total };
  }

  async assign(reference: string, assignee: CallbackStaffRef, by: CallbackStaffRef, at: Date): Promise<Callback | undefined> {
    const { numAffected, affectedDocuments } = await (await this.callbacks()).updateAsync(
      { reference, status: 'booked' },
      { $set: { assignee: { staffId: assignee.staffId, displayName: assignee.displayName, assignedAt: at, assignedBy: staffRef(by) }, updatedAt: at } },
      { returnUpdatedDocs: true },
    );
    if (numAffected !== 1 || !affectedDocuments) return undefined;
    await this.addEvent({ reference, type: 'assigned', at, by: staffRef(by), assignee: staffRef(assignee) });
    return toCallback(affectedDocuments);
  }

  async recordOutcome(reference: string, outcome: CallbackOutcomeRecord): Promise<Callback | undefined> {
    const record = { outcome: outcome.outcome, by: staffRef(outcome.by), at: outcome.at, ...(outcome.note ? { note: outcome.note } : {}) };
    const { numAffected, affectedDocuments } = await (await this.callbacks()).updateAsync(
      { reference, status: 'booked' },
      { $set: { status: outcome.outcome, outcome: record, updatedAt: outcome.at } },
      { returnUpdatedDocs: true },
    );
    if (numAffected !== 1 || !affectedDocuments) return undefined;
    await this.addEvent({ reference, type: outcome.outcome, at: outcome.at, by: record.by, ...(record.note ? { note: record.note } : {}) });
    return toCallback(affectedDocuments);
  }

  async addEvent(event: CallbackEvent): Promise<void> {
    await (await this.events()).insertAsync({ ...event });
  }

  async listEvents(reference: string): Promise<CallbackEvent[]> {
    const docs = await (await this.events()).findAsync({ reference });
    return docs.map(({ _id, ...rest }) => rest as CallbackEvent).sort(compareEvents);
  }

  /**
   * Nothing to do: here a seat is a counter and the booking is stored in the same process
   * right after it, so only a crash inside that one step could leave a seat behind, and the
   * embedded database is for a single development process.
   */
  async releaseOrphanSeats(_takenBefore: Date): Promise<number> {
    return 0;
  }

  /**
   * Conditional increment of the slot's counter. The first seat creates the counter; when two
   * bookings race to create it, the unique _id lets one win and the other retries the update.
   */
  private async takeSeat(slotStart: Date, capacity: number): Promise<boolean> {
    if (capacity <= 0) return false;
    const slots = await this.slots();
    const filter = { _id: slotKey(slotStart), booked: { $lt: capacity } };
    if ((await slots.updateAsync(filter, { $inc: { booked: 1 } }, {})).numAffected === 1) return true;
    try {
      await slots.insertAsync({ _id: slotKey(slotStart), booked: 1 });
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await slots.updateAsync(filter, { $inc: { booked: 1 } }, {})).numAffected === 1;
    }
  }

  private async releaseSeat(slotStart: Date): Promise<void> {
    await (await this.slots()).updateAsync({ _id: slotKey(slotStart), booked: { $gt: 0 } }, { $inc: { booked: -1 } }, {});
  }

  private async callbacks() {
    const store = await this.db.collection<Record<string, any>>('callbacks');
    this.ready ??= (async () => {
      await store.ensureIndexAsync({ fieldName: 'reference', unique: true });
      await store.ensureIndexAsync({ fieldName: 'userId' });
    })();
    await this.ready;
    return store;
  }

  private async events() {
    const store = await this.db.collection<Record<string, any>>('callbackEvents');
    this.eventsReady ??= store.ensureIndexAsync({ fieldName: 'reference' });
    await this.eventsReady;
    return store;
  }

  private async slots() {
    return this.db.collection<SlotDocument>('callbackSlots');
  }
}


function toCallback(doc: Record<string, any>): Callback {
  const { _id, ...rest } = doc;
  const reminder = { ...rest.reminder };
  if (reminder.claimedBy === undefined) delete reminder.claimedBy;
  if (reminder.claimedAt === undefined) delete reminder.claimedAt;
  const callback = { ...rest, reminder } as Callback;
  for (const key of ['customerId', 'assignee', 'outcome'] as const) if (callback[key] === undefined) delete callback[key];
  return callback;
}

/** Only the two fields, whatever else the caller's object carries (a session, a role). */
function staffRef(ref: CallbackStaffRef): CallbackStaffRef {
  return { staffId: ref.staffId, displayName: ref.displayName };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { errorType?: string })?.errorType === 'uniqueViolated';
}
