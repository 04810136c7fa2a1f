/** Where a proactive message goes: a conversation the bot already has a reference for. */
export interface ProactiveTarget {
  channelId: string;
  conversationId: string;
  userId: string;
}

/**
 * The port services use to message a client outside a turn (reminders, campaigns). The
 * adapter behind it continues the stored conversation reference; the promise settles when
 * the channel has accepted the message, so callers can await and record the result.
 */
export interface ProactiveSender {
  sendToConversation(target: ProactiveTarget, text: string): Promise<void>;
}
