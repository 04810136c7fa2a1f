import type { Localizer } from '../i18n/localizer';
import { formatDateTime } from '../i18n/formatters';
import type { ProactiveSender } from '../proactive/proactiveSender';
import type { Callback, CallbackRepository } from './callbackRepository';

/** Configuration of {@link CallbackReminderScheduler}. */
export interface CallbackReminderSchedulerOptions {
  repository: CallbackRepository;
  sender: ProactiveSender;
  localizer: Localizer;
  timeZone: string;
  /** Unique per bot process (e.g. host:pid): whoever claims a reminder sends it. */
  claimerId: string;
  /** How often due reminders are looked for. Default 30 000. */
  intervalMs?: number;
  /** After this long an unsent claim is presumed dead and may be claimed again. Default 120 000. */
  leaseMs?: number;
  /** A send that takes longer is abandoned (left claimed, never retried early). Default 30 000; must be below leaseMs. */
  sendTimeoutMs?: number;
  /** Reminders claimed per run. Default 50. */
  batchSize?: number;
  now?: () => Date;
  /** Told about a failed send; the scheduler keeps going. */
  onError?: (error: unknown, callback: Callback) => void;
}

/** What one run did, per reminder. */
export interface ReminderRunReport {
  sent: string[];
  failed: string[];
}

/**
 * Sends each callback reminder once, even with several bot processes and across restarts.
 *
 * Delivery choice: at most once in normal operation. A process claims a reminder (the store
 * lets exactly one claimer win), sends it, then marks it sent. A send that fails or times out
 * stays claimed and is NOT retried by this process. Only when a claim is older than
 * `leaseMs` (its process crashed) may another process claim it again; because every send
 * is bounded by `sendTimeoutMs` < `leaseMs`, a live process never has a send in flight when
 * its lease runs out. The one remaining duplicate is a crash in the instant between the
 * channel accepting the message and `markReminderSent` — we accept that tiny window rather
 * than lose every reminder of a crashed process.
 */
export class CallbackReminderScheduler {
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly sendTimeoutMs: number;
  private readonly batchSize: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: CallbackReminderSchedulerOptions) {
    const { repository, sender, localizer, timeZone, claimerId } = options ?? {};
    if (!repository || !sender || !localizer || !timeZone || !claimerId) {
      throw new Error('CallbackReminderScheduler needs repository, sender, localizer, timeZone and claimerId');
    }
    this.intervalMs = options.intervalMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
    this.batchSize = options.batchSize ?? 50;
    this.now = options.now ?? (() => new Date());
    if (this.sendTimeoutMs >= this.leaseMs) throw new Error('CallbackReminderScheduler: sendTimeoutMs must be shorter than leaseMs');
  }

  /** Runs now and then every `intervalMs`; runs never overlap. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.runOnce(this.now()).catch(() => undefined).finally(() => { this.running = undefined; });
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  /** Stops the timer and waits for a run in progress, so shutdown never cuts a send in half. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Claims the reminders due at `now`, sends each in the booking's language (awaited) and marks it sent. */
  async runOnce(now: Date): Promise<ReminderRunReport> {
    const { repository, claimerId } = this.options;
    const report: ReminderRunReport = { sent: [], failed: [] };
    // Housekeeping rides on the same timer: seats left by a process that died mid-booking.
    await repository.releaseOrphanSeats(new Date(now.getTime() - this.leaseMs));
    const claimed = await repository.claimDueReminders(now, claimerId, this.batchSize, this.leaseMs);
    for (const callback of claimed) {
      try {
        await this.send(callback);
        await repository.markReminderSent(callback.reference, claimerId, this.now());
        report.sent.push(callback.reference);
      } catch (error) {
        report.failed.push(callback.reference);
        this.options.onError?.(error, callback);
      }
    }
    return report;
  }

  private async send(callback: Callback): Promise<void> {
    const { localizer, sender, timeZone } = this.options;
    const text = localizer.t(callback.language, 'callback.reminder', {
      time: formatDateTime(callback.slotStart, callback.language, timeZone),
      reference: callback.reference,
      phone: callback.phone,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reminder send timed out after ${this.sendTimeoutMs} ms`)), this.sendTimeoutMs);
    });
    try {
      await Promise.race([sender.sendToConversation({ channelId: callback.channelId, conversationId: callback.conversationId, userId: callback.userId }, text), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
