import type { Language } from '../i18n/localizer';

export type HandoffReason = 'client_request' | 'repeated_misses' | 'critical_complaint' | 'unhelpful_answers' | 'negative_sentiment';

export interface HandoffRequest {
  channelId: string;
  conversationId: string;
  userId: string;
  language: Language;
  reason: HandoffReason;
  /** e.g. the complaint reference for a critical complaint */
  detail?: string;
}

/**
 * The port dialogs call when a client needs a person. The handoff module decides what
 * happens next (queue, callback offer); dialogs only ask.
 */
export interface HandoffRequester {
  /** Records the request; returns when it was recorded. */
  requestHandoff(request: HandoffRequest): Promise<{ requestedAt: Date }>;
}
