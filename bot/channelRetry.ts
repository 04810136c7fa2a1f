import type { Logger } from './logger';

/** How a send to a Bot Framework channel is retried. */
export interface ChannelRetryPolicy {
  /** Attempts for a 429 or 5xx (or a network error) from the channel. */
  maxAttempts: number;
  /** First backoff in ms, doubled per attempt, unless the channel sends Retry-After. */
  backoffMs: number;
  /** Longest wait honoured from a Retry-After header. */
  maxRetryAfterMs: number;
}

export const DEFAULT_CHANNEL_RETRY: ChannelRetryPolicy = { maxAttempts: 4, backoffMs: 500, maxRetryAfterMs: 30_000 };

/** The channel's HTTP status, looking through the DialogContextError wrappers the dialogs add; 0 when none. */
export function channelStatus(error: unknown): number {
  let current = error as any;
  for (let depth = 0; current && depth < 8; depth += 1) {
    const status = Number(current.statusCode ?? current.status ?? 0);
    if (status) return status;
    current = current.error;
  }
  return 0;
}

/**
 * Runs one send to a channel, retrying 429, 5xx and network errors with exponential backoff or
 * the channel's Retry-After (capped); anything else (403/404...) and the last failure are thrown.
 * The one retry rule of every proactive sender (reminders, agent replies, campaigns).
 */
export async function withChannelRetries<T>(
  send: () => Promise<T>, policy: ChannelRetryPolicy, logger: Logger, context: Record<string, unknown>, what: string,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const status = channelStatus(error);
      const retryable = status === 429 || status >= 500 || status === 0;
      if (!retryable || attempt >= policy.maxAttempts) throw error;
      const header = (error as any)?.response?.headers?.get?.('retry-after');
      const retryAfter = Number(header);
      const delay = header != null && Number.isFinite(retryAfter) && retryAfter >= 0
        ? Math.min(policy.maxRetryAfterMs, retryAfter * 1000)
        : policy.backoffMs * 2 ** (attempt - 1);
      logger.warn({ ...context, status, attempt, delay }, `${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
