import crypto from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { Redis } from 'ioredis';
import { eTagConflictError } from './storageErrors';

/** Options for {@link RedisStorage}. */
export interface RedisStorageOptions {
  /** A connected ioredis client; the caller owns it and closes it. */
  redis: Redis;
  /** Prepended to every key (e.g. `rapport:state:`), so several bots or tests can share one Redis. */
  keyPrefix: string;
  /** Seconds an item whose key does not contain `/users/` lives after its last write. */
  conversationTtlSeconds: number;
  /** Seconds an item whose key contains `/users/` (botbuilder `UserState`) lives after its last write. */
  userTtlSeconds: number;
}

/**
 * Compare-and-set of one key. The stored value is `eTag + "\n" + JSON`, so the script can
 * check the eTag without decoding JSON, and reads stay one plain MGET.
 * ARGV: expected eTag ('' = last writer wins), new value, TTL seconds.
 */
const COMPARE_AND_SET_LUA = `
local expected = ARGV[1]
if expected ~= '' then
  local current = redis.call('GET', KEYS[1])
  if current then
    local nl = string.find(current, '\\n', 1, true)
    if string.sub(current, 1, nl - 1) ~= expected then
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
`;

const COMMAND = 'rapportStorageCompareAndSet';

/** Upper bound on keys in one shared MGET, to keep a single Redis command short. */
const MAX_KEYS_PER_MGET = 1000;

interface ReadBatch {
  keys: Set<string>;
  result: Promise<Map<string, string | null>>;
}

type CasRedis = Redis & {
  [COMMAND](key: string, expectedETag: string, value: string, ttlSeconds: number): Promise<number>;
};

/**
 * botbuilder `Storage` on Redis, behaving exactly like botbuilder's `MemoryStorage`:
 * - a missing or `*` eTag writes unconditionally (last writer wins); so does any eTag
 *   when the key does not exist yet (MemoryStorage only compares against an existing item);
 * - a stale eTag rejects with MemoryStorage's text `Storage: error writing "<key>" due to eTag conflict.`,
 *   while the other keys of the same `write` are still written (as MemoryStorage does);
 * - every write gets a new eTag; reads omit unknown keys; deleting unknown keys is fine;
 *   keys may hold any characters; returned objects are fresh copies (JSON round trip).
 *
 * Each key's write is atomic across processes: a Lua compare-and-set (EVALSHA through
 * ioredis `defineCommand`). Reads go out as one MGET shared by every `read` of the process
 * in the same event-loop turn.
 *
 * TTL: botbuilder names user state `<channel>/users/<userId>` and conversation state
 * `<channel>/conversations/<conversationId>`. A key containing `/users/` gets
 * `userTtlSeconds`, every other key `conversationTtlSeconds` (so `PrivateConversationState`,
 * keyed `<channel>/conversations/<id>/users/<userId>`, gets the user TTL). The TTL restarts on each
 * write (botbuilder writes state only when it changed), so an idle conversation expires.
 */
export class RedisStorage implements Storage {
  private readonly redis: CasRedis;
  private readonly keyPrefix: string;
  private readonly conversationTtlSeconds: number;
  private readonly userTtlSeconds: number;
  private pendingRead: ReadBatch | undefined;

  constructor(options: RedisStorageOptions) {
    if (!options?.redis) throw new TypeError('RedisStorage: options.redis is required');
    if (typeof options.keyPrefix !== 'string') throw new TypeError('RedisStorage: options.keyPrefix is required');
    for (const name of ['conversationTtlSeconds', 'userTtlSeconds'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value <= 0) throw new TypeError(`RedisStorage: options.${name} must be a positive integer`);
    }
    this.keyPrefix = options.keyPrefix;
    this.conversationTtlSeconds = options.conversationTtlSeconds;
    this.userTtlSeconds = options.userTtlSeconds;
    // defineCommand is idempotent per client: it only registers the script and its SHA.
    options.redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: COMPARE_AND_SET_LUA });
    this.redis = options.redis as CasRedis;
  }

  /**
   * Reads the items that exist; unknown keys are left out of the result. Reads issued in the
   * same event-loop turn (e.g. ConversationState and UserState of many concurrent turns)
   * share one MGET, so a busy process makes one round trip where it would make dozens.
   */
  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const values = await this.fetch(keys);
    keys.forEach((key) => {
      const value = values.get(key);
      if (value === null || value === undefined) return;
      const nl = value.indexOf('\n');
      const item = JSON.parse(value.slice(nl + 1));
      item.eTag = value.slice(0, nl);
      items[key] = item;
    });
    return items;
  }

  /** Joins the next shared MGET; each caller parses its own copy, so results are never shared objects. */
  private fetch(keys: string[]): Promise<Map<string, string | null>> {
    let batch = this.pendingRead;
    if (!batch || batch.keys.size + keys.length > MAX_KEYS_PER_MGET) {
      batch = this.startReadBatch();
    }
    for (const key of keys) batch.keys.add(key);
    return batch.result;
  }

  private startReadBatch(): ReadBatch {
    const keys = new Set<string>();
    let resolve!: (values: Map<string, string | null>) => void;
    let reject!: (err: unknown) => void;
    const result = new Promise<Map<string, string | null>>((res, rej) => { resolve = res; reject = rej; });
    const batch: ReadBatch = { keys, result };
    this.pendingRead = batch;
    setImmediate(() => {
      if (this.pendingRead === batch) this.pendingRead = undefined;
      const list = [...keys];
      this.redis.mget(list.map((key) => this.keyPrefix + key)).then(
        (values) => resolve(new Map(list.map((key, i) => [key, values[i] ?? null]))),
        reject,
      );
    });
    return batch;
  }

  /** Writes every change; rejects with the first eTag conflict after all keys were tried. */
  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    const keys = Object.keys(changes);
    const results = await Promise.all(keys.map((key) => {
      const item = changes[key] ?? {};
      const expected = !item.eTag || item.eTag === '*' ? '' : String(item.eTag);
      const eTag = crypto.randomUUID();
      // The stored JSON leaves the eTag out: it lives in the value's prefix.
      const body = JSON.stringify({ ...item, eTag: undefined });
      return this.redis[COMMAND](this.keyPrefix + key, expected, `${eTag}\n${body}`, this.ttlFor(key));
    }));
    const conflict = keys.find((_, i) => results[i] !== 1);
    if (conflict !== undefined) throw eTagConflictError(conflict);
  }

  /** Deletes the keys; unknown keys are ignored. */
  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    await this.redis.del(...keys.map((key) => this.keyPrefix + key));
  }

  private ttlFor(key: string): number {
    return key.includes('/users/') ? this.userTtlSeconds : this.conversationTtlSeconds;
  }
}
