import type { Activity, CloudAdapter } from 'botbuilder';
import type { Logger } from './logger';
import { channelStatus, DEFAULT_CHANNEL_RETRY, withChannelRetries, type ChannelRetryPolicy } from './channelRetry';
import type { ConversationRepository } from '../models/conversations/conversationRepository';
import type { ProactiveSender, ProactiveTarget } from '../services/proactive/proactiveSender';
import { AppError } from '../services/appError';

export interface ProactiveMessengerOptions {
  adapter: CloudAdapter;
  conversations: ConversationRepository;
  /** The bot's app id ('' locally). */
  appId: string;
  logger: Logger;
  /** Attempts for a 429 or 5xx from the channel (default 4). */
  maxAttempts?: number;
  /** First backoff in ms, doubled per attempt, or the channel's Retry-After when it gives one, capped at 30 s (default 500). */
  backoffMs?: number;
}

/**
 * Sends proactive messages (reminders, agent replies, campaigns) on the conversation reference
 * stored from the client's last turn. Every send is awaited; a 429 or 5xx is retried with
 * backoff; a 403/404 (the client removed the bot) is reported as unreachable.
 */
export class ProactiveMessenger implements ProactiveSender {
  private readonly retry: ChannelRetryPolicy;

  constructor(private readonly options: ProactiveMessengerOptions) {
    if (!options?.adapter || !options.conversations || !options.logger) throw new Error('ProactiveMessenger needs adapter, conversations and logger');
    this.retry = {
      ...DEFAULT_CHANNEL_RETRY,
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    };
  }

  async sendToConversation(target: ProactiveTarget, text: string): Promise<void> {
    await this.sendActivityToConversation(target, { type: 'message', text });
  }

  /** Any activity (e.g. the `handoff.status` event), with the same retries as a text. */
  async sendActivityToConversation(target: ProactiveTarget, activity: Partial<Activity>): Promise<void> {
    const conversation = await this.options.conversations.get(target.channelId, target.conversationId);
    if (!conversation?.reference) throw new AppError('unreachable', `no conversation reference for ${target.channelId}/${target.conversationId}`, 404);
    try {
      await withChannelRetries(
        async () => {
          // The failure is carried out by hand: thrown inside the turn it would reach onTurnError, which
          // swallows it (the caller would believe the message went out) and sends the client an apology.
          let failure: { error: unknown } | undefined;
          await this.options.adapter.continueConversationAsync(this.options.appId, conversation.reference as any, async (context) => {
            try {
              await context.sendActivity(activity);
            } catch (error) {
              failure = { error };
            }
          });
          if (failure) throw failure.error;
        },
        this.retry, this.options.logger, { conversationId: target.conversationId }, 'proactive send',
      );
    } catch (error) {
      const status = channelStatus(error);
      if (status === 403 || status === 404) throw new AppError('unreachable', 'the client can no longer be reached on this channel', 404);
      throw error;
    }
  }
}
