import type { Middleware, TurnContext } from 'botbuilder';
import type { Logger } from '../logger';

const LOGGER_KEY = Symbol('rapport.turnLogger');

/** The turn's child logger (carrying the correlation ids), if the middleware ran. */
export function turnLogger(context: TurnContext): Logger | undefined {
  return context.turnState.get(LOGGER_KEY) as Logger | undefined;
}

/**
 * Gives every turn a child logger whose lines carry the correlation id (channel, conversation
 * id, activity id) and logs one line per turn with its duration. Never logs message text.
 */
export class TurnLoggingMiddleware implements Middleware {
  constructor(private readonly logger: Logger) {
    if (!logger) throw new Error('TurnLoggingMiddleware needs a logger');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    const log = this.logger.child({
      correlationId: `${activity.conversation?.id ?? '-'}|${activity.id ?? '-'}`,
      channelId: activity.channelId,
      conversationId: activity.conversation?.id,
      activityId: activity.id,
    });
    context.turnState.set(LOGGER_KEY, log);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ type: activity.type, ms: Math.round(ms * 10) / 10, chars: activity.text?.length ?? 0 }, 'turn');
    }
  }
}
