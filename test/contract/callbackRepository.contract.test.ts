import { EmbeddedCallbackRepository } from '../../models/callbacks/embeddedCallbackRepository';
import { MongoCallbackRepository } from '../../models/callbacks/mongoCallbackRepository';
import { slotKey, type CallbackDeskRepository, type CallbackRepository, type NewCallback } from '../../services/callbacks/callbackRepository';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<CallbackRepository & CallbackDeskRepository>(
  (database) => new EmbeddedCallbackRepository(database),
  (connection) => new MongoCallbackRepository(connection),
);

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
let counter = 0;
/** A fresh valid reference per call (base-31 counter), so tests never collide by chance. */
function nextReference(): string {
  let n = counter++;
  let suffix = '';
  for (let i = 0; i < 4; i++) { suffix = ALPHABET[n % ALPHABET.length] + suffix; n = Math.floor(n / ALPHABET.length); }
  return `CBK-20261130-${suffix}`;
}

const SLOT = new Date('2026-12-01T07:00:00Z'); // 15:00 Shanghai
const OTHER_SLOT = new Date('2026-12-01T07:30:00Z');
const CREATED = new Date('2026-11-30T02:00:00Z');

function booking(overrides: Partial<NewCallback> = {}): NewCallback {
  const slotStart = overrides.slotStart ?? SLOT;
  return {
    reference: nextReference(), channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN',
    topic: 'loan', phone: '+8613812345678', slotStart, createdAt: CREATED,
    reminderDueAt: new Date(slotStart.getTime() - 30 * 60_000), ...overrides,
  };
}

describe.each(factories)('CallbackRepository (%s)', (_name, create) => {
  test('When a client books, then the booking is found by reference and listed for that user only, upcoming first', async () => {
    const repo = await create();
    const later = booking({ slotStart: OTHER_SLOT });
    const sooner = booking({ customerId: 'cust-1' });
    await repo.book(later, 2);
    const outcome = await repo.book(sooner, 2);
    await repo.book(booking({ userId: 'someone-else' }), 2);
    await repo.book(booking({ slotStart: new Date('2026-11-20T07:00:00Z') }), 2);
    expect(outcome).toMatchObject({ booked: true, callback: { reference: sooner.reference, status: 'booked', reminder: { state: 'pending' } } });
    const found = await repo.findByReference(sooner.reference);
    expect(found).toMatchObject({ reference: sooner.reference, customerId: 'cust-1', phone: '+8613812345678', status: 'booked' });
    expect(found?.slotStart).toEqual(SLOT);
    expect(found?.reminder.dueAt).toEqual(new Date('2026-12-01T06:30:00Z'));
    const listed = await repo.listBooked('webchat', 'u1', new Date('2026-11-30T00:00:00Z'));
    expect(listed.map((c) => c.reference)).toEqual([sooner.reference, later.reference]);
    expect(await repo.findByReference('CBK-20261130-ZZZZ')).toBeUndefined();
  });

  test('When a slot is at capacity, then the next booking is refused until a booking in it is cancelled', async () => {
    const repo = await create();
    const first = booking();
    await repo.book(first, 2);
    await repo.book(booking(), 2);
    expect(await repo.book(booking(), 2)).toEqual({ booked: false, reason: 'full' });
    expect((await repo.seatsTaken([SLOT, OTHER_SLOT])).get(slotKey(SLOT))).toBe(2);
    expect((await repo.cancel(first.reference, CREATED))?.status).toBe('cancelled');
    expect(await repo.cancel(first.reference, CREATED)).toBeUndefined();
    expect((await repo.seatsTaken([SLOT])).get(slotKey(SLOT))).toBe(1);
    expect(await repo.book(booking(), 2)).toMatchObject({ booked: true });
  });

  test('When 20 clients book the last free seat at once, then exactly one booking is made', async () => {
    const repo = await create();
    await repo.book(booking(), 3);
    await repo.book(booking(), 3);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.book(booking({ userId: `racer-${i}` }), 3)));
    expect(outcomes.filter((o) => o.booked)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.booked && o.reason === 'full')).toHaveLength(19);
    expect((await repo.seatsTaken([SLOT])).get(slotKey(SLOT))).toBe(3);
    const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.listBooked('webchat', `racer-${i}`, CREATED)));
    expect(racers.flat()).toHaveLength(1);
  });

  test('When 20 clients race for a fresh slot with one seat, then exactly one booking is made', async () => {
    const repo = await create();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => repo.book(booking({ slotStart: OTHER_SLOT }), 1)));
    expect(outcomes.filter((o) => o.booked)).toHaveLength(1);
    expect((await repo.seatsTaken([OTHER_SLOT])).get(slotKey(OTHER_SLOT))).toBe(1);
  });

  test('When a reference is already taken, then the booking is refused as a duplicate and its seat is given back', async () => {
    const repo = await create();
    const first = booking();
    await repo.book(first, 5);
    expect(await repo.book(booking({ reference: first.reference }), 5)).toEqual({ booked: false, reason: 'duplicate_reference' });
    expect((await repo.seatsTaken([SLOT])).get(slotKey(SLOT))).toBe(1);
  });

  test('When a booking is rescheduled, then it takes a seat in the new slot, frees the old one and gets a fresh reminder', async () => {
    const repo = await create();
    const mine = booking();
    await repo.book(mine, 1);
    await repo.book(booking({ slotStart: OTHER_SLOT, userId: 'u2' }), 1);
    expect(await repo.reschedule(mine.reference, OTHER_SLOT, new Date('2026-12-01T07:00:00Z'), 1, CREATED)).toEqual({ moved: false, reason: 'full' });
    const free = new Date('2026-12-01T08:00:00Z');
    const outcome = await repo.reschedule(mine.reference, free, new Date('2026-12-01T07:30:00Z'), 1, new Date('2026-11-30T03:00:00Z'));
    expect(outcome).toMatchObject({ moved: true, callback: { slotStart: free, reminder: { state: 'pending', dueAt: new Date('2026-12-01T07:30:00Z') } } });
    const seats = await repo.seatsTaken([SLOT, OTHER_SLOT, free]);
    expect([seats.get(slotKey(SLOT)), seats.get(slotKey(OTHER_SLOT)), seats.get(slotKey(free))]).toEqual([0, 1, 1]);
    await repo.cancel(mine.reference, CREATED);
    expect(await repo.reschedule(mine.reference, SLOT, CREATED, 1, CREATED)).toEqual({ moved: false, reason: 'not_found' });
    expect((await repo.seatsTaken([SLOT])).get(slotKey(SLOT))).toBe(0);
  });

  test('When two claimers claim due reminders at once, then each reminder goes to exactly one of them and future ones wait', async () => {
    const repo = await create();
    const now = new Date('2026-12-01T06:40:00Z');
    const due = Array.from({ length: 8 }, () => booking());
    for (const b of due) await repo.book(b, 10);
    await repo.book(booking({ slotStart: new Date('2026-12-01T09:00:00Z') }), 10); // reminder due 08:30, not yet
    await repo.book(booking({ slotStart: new Date('2026-12-01T06:30:00Z') }), 10); // slot already started
    const [a, b] = await Promise.all([repo.claimDueReminders(now, 'A', 100, 120_000), repo.claimDueReminders(now, 'B', 100, 120_000)]);
    const refs = [...a, ...b].map((c) => c.reference).sort();
    expect(refs).toEqual(due.map((d) => d.reference).sort());
    expect(a.every((c) => c.reminder.state === 'claimed' && c.reminder.claimedBy === 'A')).toBe(true);
    expect(await repo.claimDueReminders(now, 'C', 100, 120_000)).toEqual([]);
  });

  test('When a claim is older than the lease and unsent, then another claimer may take it; a sent reminder is never claimed again', async () => {
    const repo = await create();
    const now = new Date('2026-12-01T06:35:00Z');
    const crashed = booking();
    const sent = booking();
    await repo.book(crashed, 10);
    await repo.book(sent, 10);
    const claimed = await repo.claimDueReminders(now, 'A', 10, 120_000);
    expect(claimed).toHaveLength(2);
    expect(await repo.markReminderSent(sent.reference, 'B', now)).toBe(false);
    expect(await repo.markReminderSent(sent.reference, 'A', now)).toBe(true);
    expect(await repo.claimDueReminders(new Date(now.getTime() + 60_000), 'B', 10, 120_000)).toEqual([]);
    const reclaimed = await repo.claimDueReminders(new Date(now.getTime() + 120_000), 'B', 10, 120_000);
    expect(reclaimed.map((c) => [c.reference, c.reminder.claimedBy])).toEqual([[crashed.reference, 'B']]);
    expect(await repo.markReminderSent(crashed.reference, 'A', now)).toBe(false);
    expect((await repo.findByReference(sent.reference))?.reminder.state).toBe('sent');
  });

  test('When claims are limited, then no more than the limit are claimed per call', async () => {
    const repo = await create();
    for (let i = 0; i < 5; i++) await repo.book(booking(), 10);
    const now = new Date('2026-12-01T06:40:00Z');
    expect(await repo.claimDueReminders(now, 'A', 3, 120_000)).toHaveLength(3);
    expect(await repo.claimDueReminders(now, 'A', 3, 120_000)).toHaveLength(2);
  });

  test('When every seat is held by a booking, then releasing orphan seats frees none and capacity is unchanged', async () => {
    const repo = await create();
    await repo.book(booking(), 2);
    await repo.book(booking(), 2);
    expect(await repo.releaseOrphanSeats(new Date('2030-01-01T00:00:00Z'))).toBe(0);
    expect(await repo.book(booking(), 2)).toEqual({ booked: false, reason: 'full' });
  });

  describe('the staff desk', () => {
    const LI = { staffId: 'staff-li', displayName: '李娜' };
    const WANG = { staffId: 'staff-wang', displayName: 'Wang Wei' };
    const AT = new Date('2026-12-01T07:05:00Z');

    test('When the desk lists a day, then it gets that day\'s callbacks by slot (reference breaks ties), paged, with the total', async () => {
      const repo = await create();
      const [b, a] = [booking({ slotStart: OTHER_SLOT }), booking()];
      const c = booking({ slotStart: OTHER_SLOT });
      for (const x of [b, a, c]) await repo.book(x, 5);
      await repo.book(booking({ slotStart: new Date('2026-12-02T01:00:00Z') }), 5); // the next day
      const day = { from: new Date('2026-11-30T16:00:00Z'), to: new Date('2026-12-01T16:00:00Z') };
      const all = await repo.list(day);
      expect(all.total).toBe(3);
      expect(all.items.map((x) => x.reference)).toEqual([a.reference, ...[b.reference, c.reference].sort()]);
      const second = await repo.list({ ...day, offset: 1, limit: 1 });
      expect(second).toMatchObject({ total: 3, items: [{ reference: all.items[1].reference }] });
      expect((await repo.list({ ...day, offset: 3 })).items).toEqual([]);
    });

    test('When the desk filters by status, holder and due now, then only the matching callbacks come back', async () => {
      const repo = await create();
      const started = booking({ slotStart: new Date('2026-12-01T06:30:00Z') });
      const running = booking(); // 07:00, started at 07:05
      const later = booking({ slotStart: OTHER_SLOT });
      const cancelled = booking({ slotStart: new Date('2026-12-01T06:00:00Z') });
      for (const x of [started, running, later, cancelled]) await repo.book(x, 5);
      await repo.cancel(cancelled.reference, CREATED);
      await repo.assign(running.reference, LI, LI, AT);
      await repo.assign(later.reference, WANG, LI, AT);
      const refs = async (filter: Parameters<CallbackDeskRepository['list']>[0]) => (await repo.list(filter)).items.map((x) => x.reference);
      expect(await refs({ dueAt: AT })).toEqual([started.reference, running.reference]);
      expect(await refs({ statuses: ['cancelled'] })).toEqual([cancelled.reference]);
      expect(await refs({ statuses: ['cancelled'], dueAt: AT })).toEqual([]);
      expect(await refs({ statuses: ['booked', 'cancelled'] })).toEqual([cancelled.reference, started.reference, running.reference, later.reference]);
      expect(await refs({ assigneeId: LI.staffId })).toEqual([running.reference]);
      expect(await refs({ assigneeId: null })).toEqual([cancelled.reference, started.reference]);
      expect(await refs({ assigneeId: null, dueAt: AT })).toEqual([started.reference]);
      expect(await refs({ from: SLOT, to: OTHER_SLOT })).toEqual([running.reference]);
    });

    test('When staff take a callback and hand it on, then the holder is the last one and the history has both, oldest first', async () => {
      const repo = await create();
      const mine = booking();
      await repo.book(mine, 5);
      const taken = await repo.assign(mine.reference, LI, LI, AT);
      expect(taken).toMatchObject({ reference: mine.reference, status: 'booked', assignee: { ...LI, assignedAt: AT, assignedBy: LI } });
      const later = new Date(AT.getTime() + 60_000);
      await repo.assign(mine.reference, WANG, { ...LI, role: 'agent' } as typeof LI, later);
      expect((await repo.findByReference(mine.reference))?.assignee).toEqual({ ...WANG, assignedAt: later, assignedBy: LI });
      expect(await repo.listEvents(mine.reference)).toEqual([
        { reference: mine.reference, type: 'assigned', at: AT, by: LI, assignee: LI },
        { reference: mine.reference, type: 'assigned', at: later, by: LI, assignee: WANG },
      ]);
    });

    test('When an outcome is recorded, then the callback is done with who, when and the note, and nothing can be recorded over it', async () => {
      const repo = await create();
      const mine = booking();
      await repo.book(mine, 5);
      const done = await repo.recordOutcome(mine.reference, { outcome: 'done', note: '已沟通续贷事宜', by: LI, at: AT });
      expect(done).toMatchObject({ status: 'done', outcome: { outcome: 'done', note: '已沟通续贷事宜', by: LI, at: AT }, updatedAt: AT });
      expect(await repo.recordOutcome(mine.reference, { outcome: 'missed', note: 'no answer', by: WANG, at: AT })).toBeUndefined();
      expect(await repo.assign(mine.reference, WANG, WANG, AT)).toBeUndefined();
      expect(await repo.cancel(mine.reference, AT)).toBeUndefined();
      const stored = await repo.findByReference(mine.reference);
      expect(stored).toMatchObject({ status: 'done', outcome: { outcome: 'done', by: LI } });
      expect(stored).not.toHaveProperty('assignee');
      expect(await repo.listEvents(mine.reference)).toEqual([{ reference: mine.reference, type: 'done', at: AT, by: LI, note: '已沟通续贷事宜' }]);
    });

    test('When a call is missed without a note and the client is then told, then the history says missed, then not notified, in that order', async () => {
      const repo = await create();
      const mine = booking();
      await repo.book(mine, 5);
      const missed = await repo.recordOutcome(mine.reference, { outcome: 'missed', by: WANG, at: AT });
      expect(missed?.outcome).toEqual({ outcome: 'missed', by: WANG, at: AT });
      await repo.addEvent({ reference: mine.reference, type: 'client_not_notified', at: AT, reason: 'unreachable' });
      expect((await repo.listEvents(mine.reference)).map((e) => [e.type, e.reason])).toEqual([['missed', undefined], ['client_not_notified', 'unreachable']]);
      expect(await repo.listEvents('CBK-20261130-ZZZZ')).toEqual([]);
      expect((await repo.list({ statuses: ['missed'] })).items.map((x) => x.reference)).toEqual([mine.reference]);
    });

    test('When a callback was cancelled, then it can be neither taken nor given an outcome', async () => {
      const repo = await create();
      const mine = booking();
      await repo.book(mine, 5);
      await repo.cancel(mine.reference, CREATED);
      expect(await repo.assign(mine.reference, LI, LI, AT)).toBeUndefined();
      expect(await repo.recordOutcome(mine.reference, { outcome: 'done', by: LI, at: AT })).toBeUndefined();
      expect(await repo.recordOutcome('CBK-20261130-ZZZZ', { outcome: 'done', by: LI, at: AT })).toBeUndefined();
      expect((await repo.findByReference(mine.reference))?.status).toBe('cancelled');
      expect(await repo.listEvents(mine.reference)).toEqual([]);
    });
  });
});
