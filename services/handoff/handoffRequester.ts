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
  /** Records the request; returns when it was recorded and, where a queue exists, what happens next. */
  requestHandoff(request: HandoffRequest): Promise<HandoffRequestResult>;
}

/**
 * What a handoff request led to. `queued` with the client's place and estimated wait, or
 * (not queued) a callback to offer instead: outside staff hours, or when the wait is too long.
 * Only `requestedAt` is always there, so a requester that just records stays valid.
 */
export interface HandoffRequestResult {
  requestedAt: Date;
  queued?: boolean;
  /** 1 = next in line. */
  position?: number;
  estimatedWaitMinutes?: number;
  offerCallback?: 'outside_hours' | 'long_wait';
}
