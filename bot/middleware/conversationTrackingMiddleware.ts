import { ActivityEventNames, ActivityTypes, TurnContext, type Activity, type Middleware } from 'botbuilder';
import type { Logger } from '../logger';
import type { ConversationRepository } from '../../models/conversations/conversationRepository';
import { turnLanguage } from '../../dialogs/turnLanguage';

const WRITE_CONCURRENCY = 16;
const RECORDED_LIMIT = 100_000;
const RETRY_DELAY_MS = 1000;

/**
 * Keeps each conversation's record (channel, user, language, the ConversationReference that
 * proactive messages need) up to date without putting a database write on the turn's hot
 * path: the latest reference per conversation is coalesced and written in the background.
 */
export class ConversationTrackingMiddleware implements Middleware {
  private readonly pending = new Map<string, Parameters<ConversationRepository['upsertFromTurn']>>();
  /** Conversations this process has written at least once (bounded; cleared when full). */
  private readonly recorded = new Set<string>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ConversationRepository,
    private readonly logger: Logger,
    private readonly options: {
      flushDelayMs?: number;
      /** Conversations that are not a client's (the staff Teams channel): never recorded, so never a campaign or analytics contact. */
      isStaffConversation?: (activity: Activity) => boolean;
    } = {},
  ) {
    if (!repository) throw new Error('ConversationTrackingMiddleware needs a repository');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    await next();
    const { activity } = context;
    if (!activity.conversation?.id || !activity.from?.id) return;
    // A proactive turn (a campaign, a reminder) is the bot writing, not the client: it changes neither
    // the reference nor the client's last activity.
    if (activity.type === ActivityTypes.Event && activity.name === ActivityEventNames.ContinueConversation) return;
    if (this.options.isStaffConversation?.(activity)) return;
    const reference = TurnContext.getConversationReference(activity);
    const key = `${activity.channelId}/${activity.conversation.id}`;
    const args: Parameters<ConversationRepository['upsertFromTurn']> = [reference, {
      channelId: activity.channelId,
      conversationId: activity.conversation.id,
      userId: activity.from.id,
      language: turnLanguage(context),
    }];
    // A conversation this process has not recorded yet is written before the turn ends: a
    // proactive message (an agent's reply from another process, a reminder) may need its
    // reference right away. Later turns only refresh it, so they are coalesced.
    if (!this.recorded.has(key)) {
      try {
        await this.repository.upsertFromTurn(...args);
        if (this.recorded.size >= RECORDED_LIMIT) this.recorded.clear();
        this.recorded.add(key);
        return;
      } catch (error) {
        this.logger.warn({ err: { message: (error as Error).message }, conversationId: args[1].conversationId }, 'conversation record not saved; will retry');
      }
    }
    this.pending.set(key, args);
    this.schedule();
  }

  /**
   * Writes everything pending (shutdown, tests). Gives up at the deadline rather than spin
   * against a store that is down; what is left is logged by count.
   */
  async flush(timeoutMs = 10000): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const deadline = Date.now() + timeoutMs;
    while ((this.flushing || this.pending.size > 0) && Date.now() < deadline) {
      if (this.flushing) await this.flushing;
      else await this.writePending();
    }
    if (this.pending.size > 0) this.logger.warn({ pending: this.pending.size }, 'conversation records not saved before the deadline');
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writePending();
    }, this.options.flushDelayMs ?? 500);
    this.timer.unref();
  }

  private writePending(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    let failures = 0;
    this.flushing = (async () => {
      // A few writes at a time: one round trip per record is the cost, not the database's CPU.
      for (let i = 0; i < batch.length; i += WRITE_CONCURRENCY) {
        await Promise.all(batch.slice(i, i + WRITE_CONCURRENCY).map(async (args) => {
          try {
            await this.repository.upsertFromTurn(...args);
          } catch (error) {
            failures += 1;
            if (failures === 1) this.logger.warn({ err: { message: (error as Error).message }, conversationId: args[1].conversationId }, 'conversation record not saved; will retry');
            const key = `${args[1].channelId}/${args[1].conversationId}`;
            if (!this.pending.has(key)) this.pending.set(key, args);
          }
        }));
      }
      // After a failure, wait before the next attempt instead of hammering a store that is down.
      if (failures > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS).unref());
    })().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
    return this.flushing;
  }
}
