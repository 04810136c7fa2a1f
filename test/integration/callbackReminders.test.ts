/**
 * Callback reminders against the real Mongo-wire server: two bot processes (two schedulers
 * with their own connections and claimer ids on one database) run at the same moment, then
 * the bot "restarts". The ProactiveSender is a recording channel double.
 */
import { MongoCallbackRepository } from '../../models/callbacks/mongoCallbackRepository';
import type { NewCallback } from '../../services/callbacks/callbackRepository';
import { CallbackReminderScheduler } from '../../services/callbacks/reminderScheduler';
import type { ProactiveSender, ProactiveTarget } from '../../services/proactive/proactiveSender';
import { createLocalizer } from '../support/dialogHarness';
import { mongoUri } from '../support/services';
import { mongoConnections } from '../support/storeFactories';

const ZONE = 'Asia/Shanghai';
const SLOT = new Date('2026-12-01T07:00:00Z'); // 15:00 in Shanghai
const DUE_AT = new Date('2026-12-01T06:30:00Z');
const localizer = createLocalizer();
const connect = mongoConnections();

class RecordingSender implements ProactiveSender {
  readonly sent: Array<{ target: ProactiveTarget; text: string }> = [];
  constructor(private readonly behaviour: (target: ProactiveTarget) => Promise<void> = async () => undefined) {}
  async sendToConversation(target: ProactiveTarget, text: string): Promise<void> {
    await this.behaviour(target);
    this.sent.push({ target, text });
  }
}

/** One bot process's repository: its own connection to the database at `uri`. */
async function process(uri: string) {
  return new MongoCallbackRepository(await connect(uri));
}

function scheduler(repository: MongoCallbackRepository, sender: ProactiveSender, claimerId: string) {
  return new CallbackReminderScheduler({ repository, sender, localizer, timeZone: ZONE, claimerId, leaseMs: 120_000, sendTimeoutMs: 1_000 });
}

function booking(i: number, overrides: Partial<NewCallback> = {}): NewCallback {
  return {
    reference: 'CBK-20261130-AAAA', channelId: 'webchat', userId: `client-${i}`,
    conversationId: `conv-${i}`, language: i % 2 === 0 ? 'zh-CN' : 'en', topic: 'repayment', phone: '+8613812345678',
    slotStart: SLOT, createdAt: new Date('2026-11-30T02:00:00Z'), reminderDueAt: DUE_AT, ...overrides,
  };
}

describe('Callback reminders on Mongo', () => {
  test('When two bot processes run at once for 30 due reminders, then each reminder is delivered exactly once, in its language, and a restart re-sends nothing', async () => {
    const uri = mongoUri();
    const [repoA, repoB] = [await process(uri), await process(uri)];
    const refs: string[] = [];
    for (let i = 0; i < 30; i++) {
      const b = booking(i, { reference: `CBK-20261130-${'23456789ABCDEFGHJKMNPQRSTUVWXYZ'[i]}ZZZ` });
      refs.push(b.reference);
      expect(await repoA.book(b, 100)).toMatchObject({ booked: true });
    }
    await repoA.book(booking(99, { reference: 'CBK-20261130-XATE', slotStart: new Date('2026-12-01T09:00:00Z'), reminderDueAt: new Date('2026-12-01T08:30:00Z') }), 100);
    const senderA = new RecordingSender(() => new Promise((r) => setTimeout(r, 2)));
    const senderB = new RecordingSender(() => new Promise((r) => setTimeout(r, 2)));
    const now = new Date('2026-12-01T06:31:00Z');

    const [reportA, reportB] = await Promise.all([scheduler(repoA, senderA, 'bot-a').runOnce(now), scheduler(repoB, senderB, 'bot-b').runOnce(now)]);

    const delivered = [...senderA.sent, ...senderB.sent];
    expect(delivered.map((d) => d.target.conversationId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `conv-${i}`).sort());
    expect([...reportA.sent, ...reportB.sent].sort()).toEqual([...refs].sort());
    const zh = delivered.find((d) => d.target.userId === 'client-0')!;
    const en = delivered.find((d) => d.target.userId === 'client-1')!;
    expect(zh.text).toContain('温馨提醒');
    expect(zh.text).toContain('2026年12月1日周二 15:00');
    expect(en.text).toContain('Reminder: your relationship manager will call you at +8613812345678 on Tue, 1 Dec 2026, 15:00');
    for (const ref of refs) expect((await repoA.findByReference(ref))?.reminder.state).toBe('sent');

    // Restart: new connection, new scheduler instance, later clock (past every lease).
    const restartedSender = new RecordingSender();
    const restarted = scheduler(await process(uri), restartedSender, 'bot-a');
    await restarted.runOnce(new Date('2026-12-01T06:40:00Z'));
    expect(restartedSender.sent).toEqual([]);
    expect((await repoA.findByReference('CBK-20261130-XATE'))?.reminder.state).toBe('pending');
  });

  test('When a process dies after claiming, then another process sends the reminder once the lease has passed, and not before', async () => {
    const uri = mongoUri();
    const repo = await process(uri);
    await repo.book(booking(1, { reference: 'CBK-20261130-DEAD' }), 10);
    const now = new Date('2026-12-01T06:31:00Z');
    expect(await repo.claimDueReminders(now, 'crashed-bot', 10, 120_000)).toHaveLength(1); // claimed, then the process died

    const sender = new RecordingSender();
    const survivor = scheduler(await process(uri), sender, 'bot-b');
    await survivor.runOnce(new Date(now.getTime() + 60_000));
    expect(sender.sent).toEqual([]);
    await survivor.runOnce(new Date(now.getTime() + 121_000));
    await survivor.runOnce(new Date(now.getTime() + 400_000));
    expect(sender.sent.map((s) => s.target.conversationId)).toEqual(['conv-1']);
  });

  test('When a send fails, then the scheduler reports it, keeps going and does not retry it itself', async () => {
    const repo = await process(mongoUri());
    await repo.book(booking(1, { reference: 'CBK-20261130-FA2K' }), 10);
    await repo.book(booking(2, { reference: 'CBK-20261130-G22D' }), 10);
    const errors: string[] = [];
    const sender = new RecordingSender(async (t) => { if (t.userId === 'client-1') throw new Error('channel down'); });
    const s = new CallbackReminderScheduler({ repository: repo, sender, localizer, timeZone: ZONE, claimerId: 'bot-a', leaseMs: 120_000, sendTimeoutMs: 1_000, onError: (_e, c) => errors.push(c.reference) });
    const now = new Date('2026-12-01T06:31:00Z');
    expect(await s.runOnce(now)).toEqual({ sent: ['CBK-20261130-G22D'], failed: ['CBK-20261130-FA2K'] });
    expect(errors).toEqual(['CBK-20261130-FA2K']);
    expect(await s.runOnce(new Date(now.getTime() + 30_000))).toEqual({ sent: [], failed: [] });
  });

  test('When started, then the scheduler sends due reminders on its timer and stop waits for the run', async () => {
    const repo = await process(mongoUri());
    await repo.book(booking(3, { reference: 'CBK-20261130-T2MR' }), 10);
    const sender = new RecordingSender();
    const s = new CallbackReminderScheduler({ repository: repo, sender, localizer, timeZone: ZONE, claimerId: 'bot-a', intervalMs: 20, now: () => new Date('2026-12-01T06:31:00Z') });
    s.start();
    const deadline = Date.now() + 5_000;
    while (sender.sent.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await s.stop();
    expect(sender.sent).toHaveLength(1);
  });

  test('When a process died between taking a seat and storing the booking, then a later scheduler run frees the seat, but not a young one', async () => {
    const uri = mongoUri();
    const connection = await connect(uri);
    const repo = new MongoCallbackRepository(connection);
    await repo.book(booking(1, { reference: 'CBK-20261130-HE2D' }), 2);
    // What a dead process leaves: a seat document with no booking holding it.
    await connection.models.CallbackSeat.create({ _id: `${SLOT.toISOString()}#1`, slotStart: SLOT, reference: 'CBK-20261130-G2NE', takenAt: new Date('2026-11-30T02:00:00Z') });
    expect(await repo.book(booking(2, { reference: 'CBK-20261130-WA2T' }), 2)).toEqual({ booked: false, reason: 'full' });
    const s = scheduler(repo, new RecordingSender(), 'bot-a');
    await s.runOnce(new Date('2026-11-30T02:01:00Z'));
    expect(await repo.book(booking(2, { reference: 'CBK-20261130-WA2T' }), 2)).toEqual({ booked: false, reason: 'full' });
    await s.runOnce(new Date('2026-11-30T02:10:00Z'));
    expect(await repo.book(booking(2, { reference: 'CBK-20261130-WA2T' }), 2)).toMatchObject({ booked: true });
    expect((await repo.seatsTaken([SLOT])).get(SLOT.toISOString())).toBe(2);
  });
});
