import { TurnContext, type Middleware } from 'botbuilder';
import type { Logger } from '../logger';
import type { ConversationRepository } from '../../models/conversations/conversationRepository';
import { turnLanguage } from '../../dialogs/turnLanguage';

/**
 * Keeps each conversation's record (channel, user, language, the ConversationReference that
 * proactive messages need) up to date without putting a database write on the turn's hot
 * path: the latest reference per conversation is coalesced and written in the background.
 */
export class ConversationTrackingMiddleware implements Middleware {
  private readonly pending = new Map<string, Parameters<ConversationRepository['upsertFromTurn']>>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly repository: ConversationRepository, private readonly logger: Logger, private readonly flushDelayMs = 500) {
    if (!repository) throw new Error('ConversationTrackingMiddleware needs a repository');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    await next();
    const { activity } = context;
    if (!activity.conversation?.id || !activity.from?.id) return;
    const reference = TurnContext.getConversationReference(activity);
    this.pending.set(`${activity.channelId}/${activity.conversation.id}`, [reference, {
      channelId: activity.channelId,
      conversationId: activity.conversation.id,
      userId: activity.from.id,
      language: turnLanguage(context),
    }]);
    this.schedule();
  }

  /** Writes everything pending (shutdown, tests). */
  async flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    while (this.flushing || this.pending.size > 0) {
      if (this.flushing) await this.flushing;
      else await this.writePending();
    }
  }

  private schedule(): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writePending();
    }, this.flushDelayMs);
    this.timer.unref();
  }

  private writePending(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.flushing = (async () => {
      for (const args of batch) {
        try {
          await this.repository.upsertFromTurn(...args);
        } catch (error) {
          this.logger.warn({ err: { message: (error as Error).message }, conversationId: args[1].conversationId }, 'conversation record not saved; will retry');
          const key = `${args[1].channelId}/${args[1].conversationId}`;
          if (!this.pending.has(key)) this.pending.set(key, args);
        }
      }
    })().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.schedule();
    });
    return this.flushing;
  }
}
