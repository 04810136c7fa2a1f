import { AppError } from '../appError';
import type { ProactiveSender, ProactiveTarget } from './proactiveSender';

/** A send that got no answer in time. */
export class SendTimeoutError extends Error {}

/** Settles like `promise`, or rejects with {@link SendTimeoutError} after `ms`; the timer never outlives it. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeoutError(`${what}: no answer from the channel within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why a message to a client did not go out, as staff read it in a history: a stable code, never a
 * stack or the channel's raw answer. `unreachable`: the conversation is gone or the channel
 * refuses it (403/404); `timeout`: no answer in time; `send_failed`: anything else.
 */
export type ClientNoticeFailure = 'unreachable' | 'timeout' | 'send_failed';

/**
 * Sends `text` on the client's conversation, waiting at most `timeoutMs`. Never throws: undefined
 * when the channel accepted it, else why not (the error itself goes to `onError`).
 */
export async function sendClientNotice(
  sender: ProactiveSender, target: ProactiveTarget, text: string,
  options: { timeoutMs: number; what: string; onError?: (error: unknown, what: string) => void },
): Promise<ClientNoticeFailure | undefined> {
  try {
    await withTimeout(sender.sendToConversation(target, text), options.timeoutMs, options.what);
    return undefined;
  } catch (error) {
    options.onError?.(error, options.what);
    if (error instanceof SendTimeoutError) return 'timeout';
    return error instanceof AppError && error.code === 'unreachable' ? 'unreachable' : 'send_failed';
  }
}
