import type { Activity } from 'botbuilder';
import pino from 'pino';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedTranscriptStore } from '../../../models/transcripts/embeddedTranscriptStore';
import { BufferedTranscriptLogger, type TranscriptBatchSink } from '../../../services/transcripts/bufferedTranscriptLogger';

/** A real (in-memory embedded) store behind a switch that can make writes fail or hang. */
class SwitchableSink implements TranscriptBatchSink {
  readonly store = new EmbeddedTranscriptStore({ database: new EmbeddedDatabase(null) });
  readonly batches: number[] = [];
  readonly attemptsAt: number[] = [];
  failing = false;
  hanging = false;

  async logActivities(activities: Partial<Activity>[], entryIds: readonly string[]): Promise<void> {
    this.attemptsAt.push(Date.now());
    if (this.hanging) return new Promise(() => undefined);
    if (this.failing) throw new Error('store down');
    this.batches.push(activities.length);
    await this.store.logActivities(activities, entryIds);
  }

  async stored(conversationId: string): Promise<Activity[]> {
    const all: Activity[] = [];
    let token: string | undefined;
    do {
      const page = await this.store.getTranscriptActivities('webchat', conversationId, token);
      all.push(...page.items);
      token = page.continuationToken;
    } while (token);
    return all;
  }
}

function capturingLogger() {
  const lines: Array<Record<string, any>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const activity = (i: number, text = `message ${i}`): Partial<Activity> => ({
  type: 'message', id: `m${i}`, channelId: 'webchat', conversation: { id: 'conv' } as Activity['conversation'],
  from: { id: 'user', name: 'User' }, text, timestamp: new Date(Date.UTC(2026, 10, 29, 3, 0, i)),
});

describe('BufferedTranscriptLogger', () => {
  test('When 12 activities are logged with a batch size of 5, then they are written in batches 5, 5, 2 and in order', async () => {
    const sink = new SwitchableSink();
    const { logger } = capturingLogger();
    const transcripts = new BufferedTranscriptLogger({ sink, logger, batchSize: 5, flushIntervalMs: 10_000 });
    sink.hanging = false;
    for (let i = 0; i < 12; i++) transcripts.logActivity(activity(i));
    await transcripts.flush(2000);
    expect(sink.batches).toEqual([5, 5, 2]);
    expect((await sink.stored('conv')).map((a) => a.id)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    expect(transcripts.stats()).toEqual({ buffered: 0, written: 12, failedAttempts: 0, overflowed: 0 });
  });

  test('When fewer than a batch are logged, then they are written after the flush interval without a flush call', async () => {
    const sink = new SwitchableSink();
    const transcripts = new BufferedTranscriptLogger({ sink, logger: capturingLogger().logger, batchSize: 50, flushIntervalMs: 30 });
    transcripts.logActivity(activity(1));
    transcripts.logActivity(activity(2));
    expect(sink.batches).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.batches).toEqual([2]);
  });

  test('When the store hangs, then logActivity still returns at once without a promise', () => {
    const sink = new SwitchableSink();
    sink.hanging = true;
    const transcripts = new BufferedTranscriptLogger({ sink, logger: capturingLogger().logger, batchSize: 1 });
    const started = Date.now();
    for (let i = 0; i < 100; i++) expect(transcripts.logActivity(activity(i))).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(500);
    expect(transcripts.stats().buffered).toBe(100);
  });

  test('When writes fail, then the batch is retried with growing, capped delays and nothing is lost or duplicated', async () => {
    const sink = new SwitchableSink();
    const { logger, lines } = capturingLogger();
    const transcripts = new BufferedTranscriptLogger({ sink, logger, batchSize: 3, flushIntervalMs: 5, retryBaseMs: 20, retryMaxMs: 80 });
    sink.failing = true;
    for (let i = 0; i < 7; i++) transcripts.logActivity(activity(i));
    await new Promise((r) => setTimeout(r, 400));
    // The schedule is read from what the logger says it will wait (wall-clock gaps between
    // attempts swing with the machine's load); that it really waits shows in how few attempts
    // fit in 400 ms: without the waits there would be hundreds.
    const waits = lines.filter((l) => l.msg.includes('will retry')).map((l) => l.retryInMs);
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits).toEqual([20, 40, 80, 80, 80, 80, 80, 80, 80, 80].slice(0, waits.length));
    expect(sink.attemptsAt.length).toBeLessThanOrEqual(12);
    expect(transcripts.stats().failedAttempts).toBe(sink.attemptsAt.length);
    expect(lines.some((l) => l.msg.includes('will retry') && l.buffered === 7)).toBe(true);

    sink.failing = false;
    for (let i = 7; i < 9; i++) transcripts.logActivity(activity(i));
    await transcripts.flush(2000);
    expect((await sink.stored('conv')).map((a) => a.id)).toEqual(Array.from({ length: 9 }, (_, i) => `m${i}`));
    expect(transcripts.stats()).toMatchObject({ buffered: 0, written: 9 });
  });

  test('When the buffer passes its bound, then it turns unhealthy, counts and logs the overflow, keeps every entry and recovers', async () => {
    const sink = new SwitchableSink();
    const { logger, lines } = capturingLogger();
    const transcripts = new BufferedTranscriptLogger({ sink, logger, batchSize: 2, maxBuffered: 3, retryBaseMs: 10, retryMaxMs: 20 });
    sink.failing = true;
    for (let i = 0; i < 3; i++) transcripts.logActivity(activity(i));
    expect(transcripts.isHealthy()).toBe(true);
    for (let i = 3; i < 6; i++) transcripts.logActivity(activity(i, `secret ${i}`));
    expect(transcripts.isHealthy()).toBe(false);
    expect(transcripts.stats()).toMatchObject({ buffered: 6, overflowed: 3 });
    const overflowLog = lines.find((l) => l.msg.includes('past its bound'));
    expect(overflowLog).toMatchObject({ level: 50, maxBuffered: 3, overflowed: 1 });
    expect(JSON.stringify(lines)).not.toContain('secret');

    sink.failing = false;
    await transcripts.flush(2000);
    expect(transcripts.isHealthy()).toBe(true);
    expect((await sink.stored('conv'))).toHaveLength(6);
  });

  test('When an activity holds a card number, then the stored copy is masked and the caller\'s object is untouched', async () => {
    const sink = new SwitchableSink();
    const transcripts = new BufferedTranscriptLogger({ sink, logger: capturingLogger().logger });
    const original = activity(1, '我的卡号 6222021234567890');
    transcripts.logActivity(original);
    await transcripts.flush(2000);
    expect((await sink.stored('conv'))[0].text).toBe('我的卡号 ************7890');
    expect(original.text).toBe('我的卡号 6222021234567890');
  });

  test('When the store stays down, then flush rejects after its timeout and the entries stay queued', async () => {
    const sink = new SwitchableSink();
    sink.failing = true;
    const transcripts = new BufferedTranscriptLogger({ sink, logger: capturingLogger().logger, retryBaseMs: 10, retryMaxMs: 20 });
    transcripts.logActivity(activity(1));
    await expect(transcripts.flush(100)).rejects.toThrow(/timed out.*1 activities unwritten/);
    expect(transcripts.stats().buffered).toBe(1);
    sink.failing = false;
    await transcripts.flush(2000);
    expect(transcripts.stats()).toMatchObject({ buffered: 0, written: 1 });
  });

  test('When an activity has no conversation, then logActivity throws and the queue stays unblocked', async () => {
    const sink = new SwitchableSink();
    const transcripts = new BufferedTranscriptLogger({ sink, logger: capturingLogger().logger });
    expect(() => transcripts.logActivity({ type: 'message', channelId: 'webchat', text: 'x' })).toThrow(/conversation\.id/);
    transcripts.logActivity(activity(1));
    await transcripts.flush(2000);
    expect(transcripts.stats()).toMatchObject({ buffered: 0, written: 1 });
  });

  test('When required options are missing or invalid, then construction fails', () => {
    const logger = capturingLogger().logger;
    expect(() => new BufferedTranscriptLogger({ sink: undefined as unknown as TranscriptBatchSink, logger })).toThrow(/sink/);
    expect(() => new BufferedTranscriptLogger({ sink: new SwitchableSink(), logger, batchSize: 0 })).toThrow(/batchSize/);
  });
});
