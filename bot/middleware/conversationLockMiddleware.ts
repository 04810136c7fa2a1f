import type { Middleware, TurnContext } from 'botbuilder';
import type { ConversationLock } from '../../services/concurrency/conversationLock';

/**
 * Runs the turns of one conversation one at a time (state load → dialogs → state save), so
 * two messages arriving together are processed in order rather than interleaved. The eTag
 * check on state writes stays as the safety net.
 */
export class ConversationLockMiddleware implements Middleware {
  constructor(private readonly lock: ConversationLock) {
    if (!lock) throw new Error('ConversationLockMiddleware needs a lock');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) return next();
    await this.lock.runExclusive(`${context.activity.channelId}/${conversationId}`, next);
  }
}
