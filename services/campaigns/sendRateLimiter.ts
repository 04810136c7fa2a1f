import type { Redis } from 'ioredis';

/**
 * Port: paces the sends of one campaign to at most `ratePerSecond` messages per second.
 * `acquire` resolves when the caller may send one message (a rate of 0 or less = no limit).
 */
export interface SendRateLimiter {
  acquire(campaignId: string, ratePerSecond: number): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * {@link SendRateLimiter} for one process: a token bucket per campaign holding at most one
 * second of tokens, so a campaign never bursts above its rate after an idle spell.
 */
export class InProcessSendRateLimiter implements SendRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number; rate: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(campaignId: string, ratePerSecond: number): Promise<void> {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) return;
    for (;;) {
      const now = this.now();
      let bucket = this.buckets.get(campaignId);
      if (!bucket || bucket.rate !== ratePerSecond) {
        bucket = { tokens: Math.min(1, ratePerSecond), refilledAt: now, rate: ratePerSecond };
        this.buckets.set(campaignId, bucket);
      }
      bucket.tokens = Math.min(ratePerSecond, bucket.tokens + ((now - bucket.refilledAt) / 1000) * ratePerSecond);
      bucket.refilledAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await sleep(Math.max(1, Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000)));
    }
  }
}

/** Counts the sends of one campaign in one time window; the key outlives its window briefly. */
const TAKE_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
return n
`;
const TAKE_COMMAND = 'rapportCampaignRateTake';
type TakingRedis = Redis & { [TAKE_COMMAND](key: string, expireMs: string): Promise<number> };

/**
 * {@link SendRateLimiter} across every process on the same Redis: a counter per campaign and
 * wall-clock second (INCR + PEXPIRE in one script). A caller over the limit waits for the next
 * second. Processes' clocks may differ by a few ms; the rate then holds per second of Redis
 * keys, which is what the channel sees, give or take one second's boundary.
 */
export class RedisSendRateLimiter implements SendRateLimiter {
  private readonly redis: TakingRedis;

  constructor(redis: Redis, private readonly keyPrefix: string, private readonly now: () => number = Date.now) {
    if (!redis) throw new TypeError('RedisSendRateLimiter needs a Redis client');
    if (typeof keyPrefix !== 'string') throw new TypeError('RedisSendRateLimiter needs a key prefix');
    redis.defineCommand(TAKE_COMMAND, { numberOfKeys: 1, lua: TAKE_LUA });
    this.redis = redis as TakingRedis;
  }

  async acquire(campaignId: string, ratePerSecond: number): Promise<void> {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) return;
    // Below one per second the window stretches: one message per 1/rate seconds.
    const windowMs = ratePerSecond >= 1 ? 1000 : Math.ceil(1000 / ratePerSecond);
    const limit = ratePerSecond >= 1 ? Math.floor(ratePerSecond) : 1;
    for (;;) {
      const now = this.now();
      const window = Math.floor(now / windowMs);
      const taken = await this.redis[TAKE_COMMAND](`${this.keyPrefix}campaign-rate:${campaignId}:${windowMs}:${window}`, String(windowMs * 2));
      if (taken <= limit) return;
      // Over the limit for this window: wait for the next one (jittered so waiters don't stampede).
      await sleep((window + 1) * windowMs - now + Math.floor(Math.random() * 20));
    }
  }
}
