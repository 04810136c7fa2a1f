import type { Activity, TranscriptLogger } from 'botbuilder';
import type { Logger } from 'pino';
import { newTranscriptEntryId } from '../../models/transcripts/transcriptEntry';
import { maskActivity } from '../privacy/piiMasker';

/**
 * Where batches go: `MongoTranscriptStore` or `EmbeddedTranscriptStore`. `entryIds` are
 * fixed when an activity is queued, so a batch retried after an unclear failure (written,
 * but the reply lost) is stored once.
 */
export interface TranscriptBatchSink {
  logActivities(activities: Partial<Activity>[], entryIds: readonly string[]): Promise<void>;
}

/** Options for {@link BufferedTranscriptLogger}. */
export interface BufferedTranscriptLoggerOptions {
  sink: TranscriptBatchSink;
  logger: Logger;
  /** Most activities per write (default 100). */
  batchSize?: number;
  /** How long a lone activity may wait for company before it is written (default 200 ms). */
  flushIntervalMs?: number;
  /** Queue length past which the logger reports itself unhealthy (default 10 000). */
  maxBuffered?: number;
  /** First retry delay after a failed write, doubled on each failure (default 100 ms). */
  retryBaseMs?: number;
  /** Cap on the retry delay (default 10 000 ms). */
  retryMaxMs?: number;
}

/** Counters for health checks and logs. */
export interface TranscriptLoggerStats {
  /** Activities waiting to be written. */
  buffered: number;
  /** Activities written since start. */
  written: number;
  /** Failed batch writes since start (each is retried). */
  failedAttempts: number;
  /** Activities accepted while the queue was already past `maxBuffered` (kept, not dropped). */
  overflowed: number;
}

interface QueuedEntry {
  entryId: string;
  activity: Partial<Activity>;
}

/** How often, at most, the overflow warning is repeated while the queue stays past its bound. */
const OVERFLOW_LOG_EVERY_MS = 5000;

/**
 * A botbuilder `TranscriptLogger` for `TranscriptLoggerMiddleware` that never makes a turn
 * wait for the database: `logActivity` masks personal data, queues the copy and returns.
 * A background flusher writes batches in order; a failed batch is retried with capped
 * exponential backoff, and nothing behind it is written first, so order holds and nothing
 * is dropped.
 *
 * Past `maxBuffered`, entries are still kept in memory (losing audit data is worse than
 * memory pressure for a bank), `isHealthy()` turns false so `/readyz` takes the replica out
 * of rotation, and the overflow is logged by count (never the content).
 */
export class BufferedTranscriptLogger implements TranscriptLogger {
  private readonly sink: TranscriptBatchSink;
  private readonly log: Logger;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  private queue: QueuedEntry[] = [];
  private written = 0;
  private failedAttempts = 0;
  private overflowed = 0;
  private lastOverflowLogAt = 0;
  private draining = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private readonly idleWaiters = new Set<() => void>();

  constructor(options: BufferedTranscriptLoggerOptions) {
    if (!options?.sink) throw new TypeError('BufferedTranscriptLogger: options.sink is required');
    if (!options.logger) throw new TypeError('BufferedTranscriptLogger: options.logger is required');
    this.sink = options.sink;
    this.log = options.logger;
    this.batchSize = positive('batchSize', options.batchSize ?? 100);
    this.flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs ?? 200);
    this.maxBuffered = positive('maxBuffered', options.maxBuffered ?? 10_000);
    this.retryBaseMs = positive('retryBaseMs', options.retryBaseMs ?? 100);
    this.retryMaxMs = positive('retryMaxMs', options.retryMaxMs ?? 10_000);
  }

  /**
   * Queues a masked copy of the activity and returns at once. Throws (and queues nothing) for
   * an activity without `channelId` or `conversation.id`; `TranscriptLoggerMiddleware` logs that.
   */
  logActivity(activity: Partial<Activity>): void {
    if (!activity) throw new Error('Activity is required.');
    // Refused here, not in the store: an entry the store can never accept would block the queue.
    if (!activity.channelId || !activity.conversation?.id) throw new Error('Activity needs channelId and conversation.id to be logged.');
    if (this.queue.length >= this.maxBuffered) this.noteOverflow();
    this.queue.push({ entryId: newTranscriptEntryId(), activity: maskActivity(activity) });
    if (this.queue.length >= this.batchSize) this.startDraining();
    else this.scheduleDrain();
  }

  /** False while more than `maxBuffered` activities wait (the store is down or too slow). */
  isHealthy(): boolean {
    return this.queue.length <= this.maxBuffered;
  }

  stats(): TranscriptLoggerStats {
    return { buffered: this.queue.length, written: this.written, failedAttempts: this.failedAttempts, overflowed: this.overflowed };
  }

  /**
   * Writes everything queued (including what arrives meanwhile) now, skipping the wait of
   * a pending retry. Rejects if the queue is not empty after `timeoutMs`; entries stay queued.
   */
  async flush(timeoutMs: number): Promise<void> {
    if (this.queue.length === 0 && !this.draining) return;
    let onIdle!: () => void;
    let timeout: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve) => {
      onIdle = resolve;
      this.idleWaiters.add(resolve);
    });
    const expired = new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`Transcript flush timed out after ${timeoutMs} ms with ${this.queue.length} activities unwritten`)), timeoutMs);
    });
    this.startDraining();
    this.wakeFromBackoff?.();
    try {
      await Promise.race([idle, expired]);
    } finally {
      clearTimeout(timeout);
      this.idleWaiters.delete(onIdle);
    }
  }

  private scheduleDrain(): void {
    if (this.draining || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startDraining();
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private startDraining(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  /** The only writer: one batch in flight at a time, always from the head of the queue. */
  private async drain(): Promise<void> {
    let failuresInARow = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      try {
        await this.sink.logActivities(batch.map((e) => e.activity), batch.map((e) => e.entryId));
        this.queue.splice(0, batch.length);
        this.written += batch.length;
        if (failuresInARow > 0) this.log.info({ buffered: this.queue.length, failedAttempts: failuresInARow }, 'transcript writes recovered');
        failuresInARow = 0;
      } catch (err) {
        this.failedAttempts++;
        failuresInARow++;
        const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (failuresInARow - 1));
        this.log.warn({ err: errorSummary(err), buffered: this.queue.length, retryInMs: delay, failuresInARow }, 'transcript batch write failed; will retry');
        await this.sleep(delay);
      }
    }
    this.draining = false;
    for (const resolve of this.idleWaiters) resolve();
  }

  /** A retry wait that `flush` can cut short. The jitter keeps replicas from retrying in step. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeFromBackoff = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms * (0.8 + Math.random() * 0.4));
      timer.unref();
      this.wakeFromBackoff = done;
    });
  }

  private noteOverflow(): void {
    this.overflowed++;
    const now = Date.now();
    if (now - this.lastOverflowLogAt < OVERFLOW_LOG_EVERY_MS) return;
    this.lastOverflowLogAt = now;
    this.log.error({ buffered: this.queue.length, maxBuffered: this.maxBuffered, overflowed: this.overflowed },
      'transcript buffer past its bound; activities kept in memory, readiness failing');
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`BufferedTranscriptLogger: options.${name} must be a positive number`);
  return value;
}

/** Error name and message only: a driver error can carry the failed documents, i.e. user text. */
function errorSummary(err: unknown): { name?: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
}
