import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../appError';

/**
 * Port: runs the turns of one conversation one at a time. A holder keeps a key for at most
 * `lockTtlMs` (so a crashed or hung holder can't block a conversation forever); a waiter
 * that can't get the key within `acquireTimeoutMs` fails with a 503 `conversation_busy`
 * {@link AppError}. State eTags remain the safety net for a turn that outlives its lock.
 */
export interface ConversationLock {
  runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Options shared by both locks. */
export interface ConversationLockTimings {
  /** Longest a holder keeps the key (default 30 000 ms); choose it above the slowest turn. */
  lockTtlMs?: number;
  /** Longest a caller waits for the key before `conversation_busy` (default 10 000 ms). */
  acquireTimeoutMs?: number;
}

function busy(key: string): AppError {
  return new AppError('conversation_busy', 'This conversation is busy, please try again in a moment.', 503, { key });
}

function positive(owner: string, name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${owner}: options.${name} must be a positive number`);
  return value;
}

/**
 * {@link ConversationLock} for one process (the embedded default): a promise chain per key,
 * so waiters run in arrival order.
 */
export class InProcessConversationLock implements ConversationLock {
  private readonly lockTtlMs: number;
  private readonly acquireTimeoutMs: number;
  /** Per key, the promise the next caller waits for: the last caller's release. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(options: ConversationLockTimings = {}) {
    this.lockTtlMs = positive('InProcessConversationLock', 'lockTtlMs', options.lockTtlMs ?? 30_000);
    this.acquireTimeoutMs = positive('InProcessConversationLock', 'acquireTimeoutMs', options.acquireTimeoutMs ?? 10_000);
  }

  async runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (typeof key !== 'string' || !key) throw new TypeError('runExclusive: key is required');
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    this.tails.set(key, mine);
    const forget = () => {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    };

    if (!(await settlesWithin(previous, this.acquireTimeoutMs))) {
      // Giving up must not let our successors jump the queue: they still wait for `previous`.
      void previous.then(() => { release(); forget(); });
      throw busy(key);
    }
    const expiry = setTimeout(release, this.lockTtlMs);
    expiry.unref();
    try {
      return await fn();
    } finally {
      clearTimeout(expiry);
      release();
      forget();
    }
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options for {@link RedisConversationLock}. */
export interface RedisConversationLockOptions extends ConversationLockTimings {
  /** A connected ioredis client; the caller owns it and closes it. */
  redis: Redis;
  /** Prepended to every lock key (e.g. `rapport:lock:`). */
  keyPrefix: string;
  /** First retry delay while the key is held elsewhere (default 5 ms), doubled up to `retryMaxMs`. */
  retryMinMs?: number;
  /** Cap on the retry delay (default 50 ms); each delay is jittered ±50% so replicas don't poll in step. */
  retryMaxMs?: number;
}

/** Deletes the key only if it still holds our token, so an expired holder can't free a successor's lock. */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;
const RELEASE_COMMAND = 'rapportLockRelease';

type ReleasingRedis = Redis & { [RELEASE_COMMAND](key: string, token: string): Promise<number> };

/**
 * {@link ConversationLock} across replicas: `SET key token NX PX lockTtlMs` to take the key,
 * a Lua compare-and-delete to give it back, and jittered polling while another holder has it.
 * A holder that dies leaves a key that expires after `lockTtlMs`. Callers in the same process
 * queue first on an {@link InProcessConversationLock}, so they keep arrival order and only
 * the head of the local queue polls Redis.
 *
 * There is no renewal: a turn longer than `lockTtlMs` may overlap the next one, and the
 * state eTag check then rejects the later write rather than losing an update.
 */
export class RedisConversationLock implements ConversationLock {
  private readonly redis: ReleasingRedis;
  private readonly keyPrefix: string;
  private readonly lockTtlMs: number;
  private readonly acquireTimeoutMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly local: InProcessConversationLock;

  constructor(options: RedisConversationLockOptions) {
    if (!options?.redis) throw new TypeError('RedisConversationLock: options.redis is required');
    if (typeof options.keyPrefix !== 'string') throw new TypeError('RedisConversationLock: options.keyPrefix is required');
    this.keyPrefix = options.keyPrefix;
    this.lockTtlMs = Math.ceil(positive('RedisConversationLock', 'lockTtlMs', options.lockTtlMs ?? 30_000));
    this.acquireTimeoutMs = positive('RedisConversationLock', 'acquireTimeoutMs', options.acquireTimeoutMs ?? 10_000);
    this.retryMinMs = positive('RedisConversationLock', 'retryMinMs', options.retryMinMs ?? 5);
    this.retryMaxMs = positive('RedisConversationLock', 'retryMaxMs', options.retryMaxMs ?? 50);
    this.local = new InProcessConversationLock({ lockTtlMs: this.lockTtlMs, acquireTimeoutMs: this.acquireTimeoutMs });
    options.redis.defineCommand(RELEASE_COMMAND, { numberOfKeys: 1, lua: RELEASE_LUA });
    this.redis = options.redis as ReleasingRedis;
  }

  async runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.acquireTimeoutMs;
    return this.local.runExclusive(key, async () => {
      const redisKey = this.keyPrefix + key;
      const token = crypto.randomUUID();
      await this.acquire(redisKey, token, deadline, key);
      try {
        return await fn();
      } finally {
        // A failed release is not the turn's failure: the key expires after lockTtlMs anyway.
        await this.redis[RELEASE_COMMAND](redisKey, token).catch(() => undefined);
      }
    });
  }

  private async acquire(redisKey: string, token: string, deadline: number, key: string): Promise<void> {
    let delay = this.retryMinMs;
    for (;;) {
      if ((await this.redis.set(redisKey, token, 'PX', this.lockTtlMs, 'NX')) === 'OK') return;
      const left = deadline - Date.now();
      if (left <= 0) throw busy(key);
      await new Promise((r) => setTimeout(r, Math.min(left, delay * (0.5 + Math.random()))));
      delay = Math.min(this.retryMaxMs, delay * 2);
    }
  }
}
