/**
 * A sliding one-minute window of posts per conversation. Per conversation (not per IP)
 * because a bank's clients often sit behind one corporate proxy address.
 */
export class ConversationRateLimiter {
  private readonly windows = new Map<string, number[]>();
  private static readonly WINDOW_MS = 60_000;

  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {
    if (!(perMinute > 0)) throw new Error('ConversationRateLimiter needs a positive perMinute');
  }

  /** Counts a post; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(conversationId: string): number {
    const now = this.now();
    const recent = (this.windows.get(conversationId) ?? []).filter((t) => t > now - ConversationRateLimiter.WINDOW_MS);
    if (recent.length >= this.perMinute) {
      this.windows.set(conversationId, recent);
      return Math.max(1, Math.ceil((recent[0] + ConversationRateLimiter.WINDOW_MS - now) / 1000));
    }
    recent.push(now);
    this.windows.set(conversationId, recent);
    return 0;
  }

  /** Drops windows with nothing in the last minute (called with the store's eviction). */
  prune(): void {
    const cutoff = this.now() - ConversationRateLimiter.WINDOW_MS;
    for (const [id, times] of this.windows) if (!times.some((t) => t > cutoff)) this.windows.delete(id);
  }
}
