/**
 * A callback reminder delivered end to end: booked over HTTP, then sent as a proactive
 * message on the stored conversation reference to a stub channel server on loopback
 * (which can answer 429 first, as a busy channel does).
 */
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { startStubChannel } from '../support/stubChannel';

describe('Callback reminder delivery', () => {
  let running: RunningApp;
  beforeAll(async () => { running = await startApp({ storage: 'services' }); });
  afterAll(async () => { await running.stop(); });

  test('When a booked callback is due and the channel first answers 429, then the reminder reaches the client once, in their language', async () => {
    const channel = await startStubChannel();
    try {
      const id = `reminder-${Date.now()}`;
      channel.plan(id, [{ status: 429, retryAfter: 0 }]);
      const say = async (text: string) => (await send(running.baseUrl, messageActivity(id, text, { locale: 'zh-CN', serviceUrl: channel.url }))).replies.map((r) => r.text).join('\n');
      await say('预约回电');
      await say('还款');
      await say('下周二上午10点');
      await say('13812345678');
      const booked = await say('是');
      const reference = /CBK-\d{8}-[A-Z2-9]{4}/.exec(booked)?.[0];
      expect(reference).toBeDefined();
      await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();

      const stored = await (running.app.parts.mongo as any).collection('callbacks').findOne({ reference });
      const reminders = running.app.parts.reminders as { runOnce(now: Date): Promise<{ sent: string[]; failed: string[] }> };
      const dueTime = new Date(new Date(stored.slotStart).getTime() - 10 * 60000);
      const first = await reminders.runOnce(dueTime);
      expect(first.sent).toEqual([reference]);
      const second = await reminders.runOnce(new Date(dueTime.getTime() + 60000));
      expect(second.sent).toEqual([]);

      const delivered = channel.received.filter((r) => r.conversationId === id);
      expect(delivered.map((r) => r.status)).toEqual([429, 200]); // the 429, then the retry
      expect(delivered[1].body.text).toContain(reference);
      expect(delivered[1].body.text).toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await channel.close();
    }
  });
});
