import path from 'node:path';
import { DateTime } from 'luxon';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { CallbackService, type BookingInput } from '../../../services/callbacks/callbackService';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { MongoCallbackRepository } from '../../../models/callbacks/mongoCallbackRepository';
import { hasInvalidCalendarDate, hasInvalidClockTime, resolveRequestedTime } from '../../../services/callbacks/requestedTime';
import { repoRoot } from '../../support/dialogHarness';
import { mongoConnections } from '../../support/storeFactories';

const ZONE = 'Asia/Shanghai';
const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'), { timeZone: ZONE, logger: { warn: () => undefined } });
const at = (text: string) => DateTime.fromFormat(text, 'yyyy-LL-dd HH:mm', { zone: ZONE }).toJSDate();
const show = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat('yyyy-LL-dd HH:mm');

const connectMongo = mongoConnections();

function service(now = '2026-11-30 10:00', capacityPerSlot = 2) {
  const repository = new EmbeddedCallbackRepository(new EmbeddedDatabase(null));
  return new CallbackService(repository, { calendar, timeZone: ZONE, capacityPerSlot, now: () => at(now) });
}

function input(slot: string, overrides: Partial<BookingInput> = {}): BookingInput {
  return { channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', topic: 'repayment', phone: '+8613812345678', slotStart: at(slot), ...overrides };
}

describe('CallbackService.checkSlot', () => {
  test.each([
    ['2026-11-30 09:30', { ok: false, reason: 'past' }],
    ['2026-12-01 08:30', { ok: false, reason: 'outside_hours' }],
    ['2026-12-01 17:30', { ok: false, reason: 'outside_hours' }],
    ['2026-12-01 20:00', { ok: false, reason: 'outside_hours' }],
    ['2026-12-05 10:00', { ok: false, reason: 'holiday' }],
    ['2026-12-01 09:00', { ok: true }],
    ['2026-12-01 17:00', { ok: true }],
    ['2027-01-01 10:00', { ok: true }],
    ['2027-01-02 10:00', { ok: false, reason: 'holiday' }],
  ])('When a client asks for %s (now Monday 2026-11-30 10:00), then the verdict is %j', async (slot, verdict) => {
    expect(await service().checkSlot(at(slot))).toMatchObject(verdict);
  });

  test('When a client asks for a public holiday, then it is refused; a make-up Saturday is bookable', async () => {
    const s = service('2026-09-28 10:00');
    expect(await s.checkSlot(at('2026-10-02 10:00'))).toEqual({ ok: false, reason: 'holiday' });
    expect(await s.checkSlot(at('2026-10-10 10:00'))).toMatchObject({ ok: true });
  });

  test('When a time is between slot boundaries, then the slot it falls in is suggested', async () => {
    const verdict = await service().checkSlot(at('2026-12-01 15:10'));
    expect(verdict).toMatchObject({ ok: false, reason: 'not_on_slot_boundary' });
    expect(show((verdict as { rounded: Date }).rounded)).toBe('2026-12-01 15:00');
  });

  test('When a slot has as many bookings as staff on duty, then it is full', async () => {
    const s = service();
    await s.book(input('2026-12-01 15:00', { userId: 'a' }));
    expect(await s.checkSlot(at('2026-12-01 15:00'))).toMatchObject({ ok: true });
    await s.book(input('2026-12-01 15:00', { userId: 'b' }));
    expect(await s.checkSlot(at('2026-12-01 15:00'))).toEqual({ ok: false, reason: 'full' });
    expect(await s.book(input('2026-12-01 15:00'))).toEqual({ booked: false, reason: 'full' });
  });
});

describe('CallbackService.checkDay', () => {
  test.each([
    ['2026-11-29 00:00', '2026-11-30 10:00', 'past'],
    ['2026-11-30 00:00', '2026-11-30 17:10', 'past'],
    ['2026-11-30 00:00', '2026-11-30 10:00', 'ok'],
    ['2026-12-05 00:00', '2026-11-30 10:00', 'holiday'],
    ['2026-10-01 00:00', '2026-09-28 10:00', 'holiday'],
  ])('When a client names the day %s at %s, then the day is %s', (day, now, verdict) => {
    expect(service(now).checkDay(at(day))).toBe(verdict);
  });
});

describe('CallbackService.nearestFreeSlots', () => {
  test('When the asked slot is full, then the three nearest free ones are offered in time order, skipping full ones', async () => {
    const s = service('2026-11-30 10:00', 1);
    await s.book(input('2026-12-01 15:00'));
    await s.book(input('2026-12-01 15:30'));
    expect((await s.nearestFreeSlots(at('2026-12-01 15:00'))).map(show)).toEqual(['2026-12-01 14:00', '2026-12-01 14:30', '2026-12-01 16:00']);
  });

  test('When the asked time is in the past, then only future slots are offered, the earliest first', async () => {
    expect((await service().nearestFreeSlots(at('2026-11-29 15:00'))).map(show)).toEqual(['2026-11-30 10:30', '2026-11-30 11:00', '2026-11-30 11:30']);
  });

  test('When the asked time was long ago (a misread "12月32日" came back as last December), then the next free slots from now are offered, not none', async () => {
    expect((await service().nearestFreeSlots(at('2025-12-03 09:00'))).map(show)).toEqual(['2026-11-30 10:30', '2026-11-30 11:00', '2026-11-30 11:30']);
  });

  test('When the asked day is a holiday week, then only working-day slots are offered', async () => {
    const slots = (await service('2026-09-28 10:00').nearestFreeSlots(at('2026-10-04 10:00'))).map(show);
    expect(slots).toHaveLength(3);
    for (const slot of slots) expect(calendar.isWorkingDay(at(slot))).toBe(true);
  });
});

describe('CallbackService bookings', () => {
  test('When a client books the same time twice, then the second is refused with the first booking and takes no seat; another client still gets one', async () => {
    const s = service('2026-11-30 10:00', 2);
    const first = await s.book(input('2026-12-01 15:00'));
    expect(first.booked).toBe(true);
    const again = await s.book(input('2026-12-01 15:00', { conversationId: 'another-chat', topic: 'other' }));
    expect(again).toMatchObject({ booked: false, reason: 'already_booked', existing: { reference: first.booked ? first.callback.reference : '' } });
    expect(await s.listForUser('webchat', 'u1')).toHaveLength(1);
    expect((await s.book(input('2026-12-01 15:00', { userId: 'u2' }))).booked).toBe(true);
    expect((await s.book(input('2026-12-01 15:30'))).booked).toBe(true);
  });

  test('When a client moves one callback onto the time of another of theirs, then it is refused as already booked and both stay where they were', async () => {
    const s = service('2026-11-30 10:00', 2);
    const first = await s.book(input('2026-12-01 15:00'));
    const second = await s.book(input('2026-12-01 16:00'));
    if (!first.booked || !second.booked) throw new Error('setup');
    expect(await s.reschedule(second.callback.reference, 'webchat', 'u1', at('2026-12-01 15:00'))).toEqual({ moved: false, reason: 'already_booked' });
    expect((await s.listForUser('webchat', 'u1')).map((b) => show(b.slotStart))).toEqual(['2026-12-01 15:00', '2026-12-01 16:00']);
  });

  test('When a client books, then the reference is CBK with today\'s date and the reminder is due 30 minutes before', async () => {
    const result = await service().book(input('2026-12-01 15:00'));
    expect(result.booked).toBe(true);
    if (!result.booked) return;
    expect(result.callback.reference).toMatch(/^CBK-20261130-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/);
    expect(show(result.callback.reminder.dueAt)).toBe('2026-12-01 14:30');
  });

  test('When a client books the very next slot, then the reminder is due now rather than in the past', async () => {
    const result = await service('2026-11-30 10:10').book(input('2026-11-30 10:30'));
    expect(result.booked && show(result.callback.reminder.dueAt)).toBe('2026-11-30 10:10');
  });

  test('When someone else quotes a client\'s reference, then they cannot see, move or cancel it', async () => {
    const s = service();
    const result = await s.book(input('2026-12-01 15:00'));
    const reference = result.booked ? result.callback.reference : '';
    expect(await s.findForUser(reference, 'webchat', 'intruder')).toBeUndefined();
    expect(await s.reschedule(reference, 'webchat', 'intruder', at('2026-12-02 10:00'))).toEqual({ moved: false, reason: 'not_found' });
    expect(await s.cancel(reference, 'webchat', 'intruder')).toBeUndefined();
    expect(await s.cancel(reference, 'teams', 'u1')).toBeUndefined();
    expect((await s.listForUser('webchat', 'u1')).map((c) => c.reference)).toEqual([reference]);
    expect((await s.reschedule(reference, 'webchat', 'u1', at('2026-12-02 10:00'))).moved).toBe(true);
    expect((await s.cancel(reference, 'webchat', 'u1'))?.status).toBe('cancelled');
    expect(await s.listForUser('webchat', 'u1')).toEqual([]);
  });

  test('When a client reschedules to a holiday, then it is refused with the reason', async () => {
    const s = service();
    const result = await s.book(input('2026-12-01 15:00'));
    const reference = result.booked ? result.callback.reference : '';
    expect(await s.reschedule(reference, 'webchat', 'u1', at('2026-12-06 10:00'))).toEqual({ moved: false, reason: 'holiday' });
  });

  test('When 20 clients book the last seat through the service on Mongo, then exactly one gets it', async () => {
    const s = new CallbackService(new MongoCallbackRepository(await connectMongo()), { calendar, timeZone: ZONE, capacityPerSlot: 2, now: () => at('2026-11-30 10:00') });
    await s.book(input('2026-12-01 15:00', { userId: 'early' }));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.book(input('2026-12-01 15:00', { userId: `racer-${i}` }))));
    expect(results.filter((r) => r.booked)).toHaveLength(1);
    expect(await s.checkSlot(at('2026-12-01 15:00'))).toEqual({ ok: false, reason: 'full' });
  });

  test('When the service is built without its parts or with a slot length that does not divide an hour, then it refuses to start', () => {
    const repository = new EmbeddedCallbackRepository(new EmbeddedDatabase(null));
    expect(() => new CallbackService(undefined as never, { calendar, timeZone: ZONE })).toThrow(/repository/);
    expect(() => new CallbackService(repository, { calendar, timeZone: ZONE, slotMinutes: 25 })).toThrow(/slotMinutes/);
  });
});

describe('Requested time', () => {
  test.each(['25:00', '明天25:00', '13:75', '26点', '13pm'])('When a client types "%s", then it is an impossible clock time', (text) => {
    expect(hasInvalidClockTime(text)).toBe(true);
  });
  test.each(['15:00', '明天下午三点', '下周二上午10点', 'tomorrow at 3pm', '24:00', 'next Tuesday 10:00'])('When a client types "%s", then it is not flagged', (text) => {
    expect(hasInvalidClockTime(text)).toBe(false);
  });
  test.each(['2月30日下午3点', '12月32日', '13月1日', '十二月三十二日', 'February 30', 'Feb 30th at 3pm', '31st of April', 'June 31'])('When a client types "%s", then it is a date no calendar has', (text) => {
    expect(hasInvalidCalendarDate(text)).toBe(true);
  });
  test.each(['2月29日', '12月31日', '十二月一号', '明天下午三点', 'April 30', 'Dec 31 at 10am', '3 May 2pm', 'I need a decent 30 minutes'])('When a client types "%s", then it is not flagged as a date', (text) => {
    expect(hasInvalidCalendarDate(text)).toBe(false);
  });
  test('When a reading is ambiguous (10:00 or 22:00), then the one inside business hours wins; a date alone is a day', () => {
    const now = at('2026-11-30 10:00');
    const open = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).hour < 17;
    const r = resolveRequestedTime([{ value: '2026-12-08 22:00:00' }, { value: '2026-12-08 10:00:00' }], ZONE, now, open);
    expect(r?.kind === 'instant' && show(r.start)).toBe('2026-12-08 10:00');
    const d = resolveRequestedTime([{ value: '2026-12-01' }], ZONE, now, open);
    expect(d?.kind).toBe('day');
  });
});
