/**
 * The callback desk's business rules on the embedded store: what can be listed, taken and
 * recorded when, what the client is told after a missed call (and what happens when they
 * cannot be reached), and the audit trail.
 */
import path from 'node:path';
import { DateTime } from 'luxon';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { EmbeddedAuditEventRepository } from '../../../models/audit/embeddedAuditEventRepository';
import { AppError } from '../../../services/appError';
import { CallbackDesk, MAX_OUTCOME_NOTE_CHARS } from '../../../services/callbacks/callbackDesk';
import type { NewCallback } from '../../../services/callbacks/callbackRepository';
import { Localizer } from '../../../services/i18n/localizer';
import type { ProactiveSender, ProactiveTarget } from '../../../services/proactive/proactiveSender';

const ZONE = 'Asia/Shanghai';
const localizer = new Localizer(path.resolve(__dirname, '../../../locales'));
const at = (text: string) => DateTime.fromFormat(text, 'yyyy-LL-dd HH:mm', { zone: ZONE }).toJSDate();
const LI = { staffId: 'staff-li', displayName: '李娜', ip: '10.0.0.7' };
const WANG = { staffId: 'staff-wang', displayName: 'Wang Wei' };

/** A channel that records what it is given, or fails the way the proactive messenger does. */
class RecordingSender implements ProactiveSender {
  readonly sent: Array<{ target: ProactiveTarget; text: string }> = [];
  mode: 'ok' | 'unreachable' | 'hang' = 'ok';
  async sendToConversation(target: ProactiveTarget, text: string): Promise<void> {
    if (this.mode === 'unreachable') throw new AppError('unreachable', 'no conversation reference', 404);
    if (this.mode === 'hang') return new Promise<void>(() => undefined);
    this.sent.push({ target, text });
  }
}

function world(now = '2026-12-01 15:10') {
  const db = new EmbeddedDatabase(null);
  const repository = new EmbeddedCallbackRepository(db);
  const audit = new EmbeddedAuditEventRepository(db);
  const sender = new RecordingSender();
  const errors: string[] = [];
  const clock = { now: at(now) };
  const desk = new CallbackDesk({
    repository, sender, localizer, audit, timeZone: ZONE, slotMinutes: 30, sendTimeoutMs: 100,
    onError: (_error, what) => errors.push(what), now: () => clock.now,
  });
  let n = 0;
  const book = async (slot: string, overrides: Partial<NewCallback> = {}) => {
    const reference = `CBK-20261130-${'ABCDEFGHJKMN'[n++]}2AA`;
    const slotStart = at(slot);
    await repository.book({
      reference, channelId: 'webchat', userId: `client-${n}`, conversationId: `conv-${n}`, language: 'zh-CN', topic: '流动资金贷款续贷',
      phone: '+8613812345678', slotStart, createdAt: at('2026-11-30 10:00'), reminderDueAt: slotStart, ...overrides,
    }, 5);
    return reference;
  };
  return { desk, repository, audit, sender, errors, clock, book };
}

/** The AppError a call fails with, as status and code. */
async function failure(work: Promise<unknown>): Promise<[number, string]> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return [error.status, error.code];
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('CallbackDesk.list', () => {
  test('When no day is given, then today\'s callbacks in the bank\'s time zone come by slot, the started ones still booked marked due now', async () => {
    const w = world();
    const afternoon = await w.book('2026-12-01 16:00');
    const started = await w.book('2026-12-01 15:00');
    const morning = await w.book('2026-12-01 09:30');
    await w.book('2026-11-30 23:30'); // yesterday in Shanghai, though the same UTC day as 09:30
    await w.book('2026-12-02 00:00');
    await w.repository.recordOutcome(morning, { outcome: 'done', by: WANG, at: at('2026-12-01 09:40') });
    const page = await w.desk.list();
    expect(page).toMatchObject({ from: '2026-12-01', to: '2026-12-01', timeZone: ZONE, total: 3 });
    expect(page.items.map((c) => [c.reference, c.status, c.dueNow])).toEqual([[morning, 'done', false], [started, 'booked', true], [afternoon, 'booked', false]]);
    expect(page.items[1].slotEnd).toEqual(at('2026-12-01 15:30'));
    expect((await w.desk.list({ dueNow: true })).items.map((c) => c.reference)).toEqual([started]);
    expect((await w.desk.list({ day: '2026-11-30' })).total).toBe(1);
    expect((await w.desk.list({ from: '2026-11-30', to: '2026-12-02' })).total).toBe(5);
    expect((await w.desk.list({ limit: 1, offset: 1 })).items.map((c) => c.reference)).toEqual([started]);
  });

  test('When staff filter by holder and status, then only those come back', async () => {
    const w = world();
    const mine = await w.book('2026-12-01 16:00');
    const free = await w.book('2026-12-01 16:30');
    await w.desk.assign(mine, LI, LI);
    expect((await w.desk.list({ assigneeId: LI.staffId })).items.map((c) => c.reference)).toEqual([mine]);
    expect((await w.desk.list({ assigneeId: null })).items.map((c) => c.reference)).toEqual([free]);
    expect((await w.desk.list({ statuses: ['done', 'missed'] })).total).toBe(0);
  });

  test.each([
    [{ day: '2026-12-32' }, 'invalid_range'],
    [{ day: '1 Dec' }, 'invalid_range'],
    [{ day: '2026-12-01', from: '2026-12-01' }, 'invalid_range'],
    [{ from: '2026-12-05', to: '2026-12-01' }, 'invalid_range'],
    [{ from: '2026-01-01', to: '2026-03-01' }, 'invalid_range'],
    [{ statuses: ['lost'] }, 'invalid_status'],
    [{ limit: 0 }, 'invalid_limit'],
    [{ limit: 1000 }, 'invalid_limit'],
    [{ offset: -1 }, 'invalid_offset'],
  ])('When the list is asked for %j, then it is refused with 400 %s', async (query, code) => {
    expect(await failure(world().desk.list(query as never))).toEqual([400, code]);
  });
});

describe('CallbackDesk.assign', () => {
  test('When an agent takes a callback and hands it to a colleague, then the colleague holds it and both steps are audited and in the history', async () => {
    const w = world();
    const reference = await w.book('2026-12-01 16:00');
    expect(await w.desk.assign(reference.toLowerCase(), LI, LI)).toMatchObject({ reference, assignee: { staffId: LI.staffId, displayName: '李娜', assignedBy: { staffId: LI.staffId, displayName: '李娜' } } });
    w.clock.now = at('2026-12-01 15:11');
    await w.desk.assign(reference, WANG, LI);
    const { callback, history } = await w.desk.get(reference);
    expect(callback.assignee).toMatchObject({ staffId: WANG.staffId });
    expect(history.map((e) => [e.type, e.by?.staffId, e.assignee?.staffId])).toEqual([['assigned', LI.staffId, LI.staffId], ['assigned', LI.staffId, WANG.staffId]]);
    const audit = await w.audit.list({ type: 'callback.assign' });
    expect(audit.map((a) => [a.staffId, a.caseId, a.ip, a.detail])).toEqual([
      [LI.staffId, reference, LI.ip, { reference, assignee: WANG.staffId, previous: LI.staffId }],
      [LI.staffId, reference, LI.ip, { reference, assignee: LI.staffId, previous: null }],
    ]);
  });

  test('When the callback is unknown, cancelled or already worked, then taking it is 404 or 409 and nothing is audited', async () => {
    const w = world();
    const cancelled = await w.book('2026-12-01 16:00');
    const done = await w.book('2026-12-01 15:00');
    await w.repository.cancel(cancelled, at('2026-12-01 08:00'));
    await w.desk.recordOutcome(done, { outcome: 'done' }, LI);
    expect(await failure(w.desk.assign('CBK-20261201-ZZZZ', LI, LI))).toEqual([404, 'callback_not_found']);
    expect(await failure(w.desk.assign(cancelled, LI, LI))).toEqual([409, 'callback_cancelled']);
    expect(await failure(w.desk.assign(done, LI, LI))).toEqual([409, 'callback_closed']);
    expect(await w.audit.list({ type: 'callback.assign' })).toEqual([]);
  });
});

describe('CallbackDesk.recordOutcome', () => {
  test('When the slot has not started, then no outcome can be recorded (409 callback_not_started); from its first minute it can', async () => {
    const w = world('2026-12-01 15:59');
    const reference = await w.book('2026-12-01 16:00');
    expect(await failure(w.desk.recordOutcome(reference, { outcome: 'done' }, LI))).toEqual([409, 'callback_not_started']);
    expect((await w.repository.findByReference(reference))?.status).toBe('booked');
    w.clock.now = at('2026-12-01 16:00');
    expect((await w.desk.recordOutcome(reference, { outcome: 'done' }, LI)).callback.status).toBe('done');
  });

  test('When a call is done, then the outcome records who, when and the note, is audited, the client gets no message, and it cannot be recorded again', async () => {
    const w = world();
    const reference = await w.book('2026-12-01 15:00');
    const result = await w.desk.recordOutcome(reference, { outcome: 'done', note: '  已与王总确认续贷材料  ' }, LI);
    expect(result).toEqual({ callback: expect.objectContaining({ status: 'done', dueNow: false, outcome: { outcome: 'done', note: '已与王总确认续贷材料', by: { staffId: LI.staffId, displayName: '李娜' }, at: at('2026-12-01 15:10') } }) });
    expect(w.sender.sent).toEqual([]);
    expect(await w.audit.list({ type: 'callback.outcome' })).toEqual([expect.objectContaining({ staffId: LI.staffId, caseId: reference, detail: { reference, outcome: 'done', noteChars: 10 } })]);
    expect(await failure(w.desk.recordOutcome(reference, { outcome: 'missed', note: 'no answer' }, WANG))).toEqual([409, 'callback_closed']);
    expect((await w.desk.get(reference)).history.map((e) => e.type)).toEqual(['done']);
  });

  test.each([
    ['an unknown outcome', { outcome: 'kept' }, 400, 'invalid_outcome'],
    ['no outcome', {}, 400, 'invalid_outcome'],
    ['a note that is a number', { outcome: 'done', note: 42 }, 400, 'invalid_note'],
    ['a note one character too long', { outcome: 'done', note: 'x'.repeat(MAX_OUTCOME_NOTE_CHARS + 1) }, 400, 'invalid_note'],
    ['missed without a note', { outcome: 'missed' }, 400, 'note_required'],
    ['missed with a blank note', { outcome: 'missed', note: '   ' }, 400, 'note_required'],
  ])('When the outcome has %s, then it is refused with %i %s', async (_what, input, status, code) => {
    const w = world();
    const reference = await w.book('2026-12-01 15:00');
    expect(await failure(w.desk.recordOutcome(reference, input as { outcome: unknown }, LI))).toEqual([status, code]);
    expect((await w.repository.findByReference(reference))?.status).toBe('booked');
  });

  test('When a note is exactly the longest allowed, then it is kept whole', async () => {
    const w = world();
    const reference = await w.book('2026-12-01 15:00');
    const note = '回'.repeat(MAX_OUTCOME_NOTE_CHARS);
    expect((await w.desk.recordOutcome(reference, { outcome: 'done', note }, LI)).callback.outcome?.note).toBe(note);
  });

  test('When the callback is unknown or cancelled, then recording is 404 or 409', async () => {
    const w = world();
    const cancelled = await w.book('2026-12-01 15:00');
    await w.repository.cancel(cancelled, at('2026-12-01 08:00'));
    expect(await failure(w.desk.recordOutcome('CBK-20261201-ZZZZ', { outcome: 'done' }, LI))).toEqual([404, 'callback_not_found']);
    expect(await failure(w.desk.recordOutcome(cancelled, { outcome: 'done' }, LI))).toEqual([409, 'callback_cancelled']);
  });

  test.each([
    ['zh-CN', /我们已于.*致电 \+8613812345678.*未能联系上您.*预约回电/],
    ['en', /We tried to call you at \+8613812345678 .*couldn't reach you.*book a callback/],
  ] as const)('When a call to a %s client is missed, then they are told in their language on their conversation, and the history says so', async (language, text) => {
    const w = world();
    const reference = await w.book('2026-12-01 15:00', { language, channelId: 'msteams', userId: 'u-9', conversationId: 'conv-9' });
    const result = await w.desk.recordOutcome(reference, { outcome: 'missed', note: '无人接听' }, WANG);
    expect(result).toMatchObject({ clientNotified: true, callback: { status: 'missed', outcome: { outcome: 'missed', note: '无人接听' } } });
    expect(w.sender.sent).toHaveLength(1);
    expect(w.sender.sent[0].target).toEqual({ channelId: 'msteams', userId: 'u-9', conversationId: 'conv-9' });
    expect(w.sender.sent[0].text).toMatch(text);
    expect(w.sender.sent[0].text).toContain(reference);
    expect(w.sender.sent[0].text).toContain('15:00');
    expect((await w.desk.get(reference)).history.map((e) => e.type)).toEqual(['missed', 'client_notified']);
    expect(w.errors).toEqual([]);
  });

  test.each([
    ['unreachable', 'unreachable'],
    ['hang', 'timeout'],
  ] as const)('When the client cannot be reached (%s), then the missed outcome still stands and the history says the client was not notified', async (mode, reason) => {
    const w = world();
    const reference = await w.book('2026-12-01 15:00');
    w.sender.mode = mode;
    const result = await w.desk.recordOutcome(reference, { outcome: 'missed', note: 'wrong number' }, LI);
    expect(result.clientNotified).toBe(false);
    expect((await w.repository.findByReference(reference))?.status).toBe('missed');
    expect((await w.desk.get(reference)).history.map((e) => [e.type, e.reason])).toEqual([['missed', undefined], ['client_not_notified', reason]]);
    expect(await w.audit.list({ type: 'callback.outcome' })).toHaveLength(1);
    expect(w.errors).toEqual([`missed-call message for ${reference}`]);
  });
});
