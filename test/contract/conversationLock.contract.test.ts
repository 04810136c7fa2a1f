/** One contract for the `ConversationLock` port over the Redis and in-process locks. */
import { AppError } from '../../services/appError';
import {
  InProcessConversationLock, RedisConversationLock, type ConversationLock, type ConversationLockTimings,
} from '../../services/concurrency/conversationLock';
import { testRedis } from '../support/testRedis';

interface LockFixture {
  lock: ConversationLock;
  /** Leaves the key held by a holder that will never release it (crashed or hung). */
  abandon(key: string): Promise<void>;
}

const redis = testRedis();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const factories: Array<[string, (timings: Required<ConversationLockTimings>) => LockFixture]> = [
  ['RedisConversationLock', (timings) => {
    const keyPrefix = redis.prefix('lock');
    return {
      lock: new RedisConversationLock({ redis: redis.client, keyPrefix, ...timings }),
      // What a crashed replica leaves behind: its SET NX PX key, never deleted.
      abandon: async (key) => { await redis.client.set(keyPrefix + key, 'dead-holder-token', 'PX', timings.lockTtlMs); },
    };
  }],
  ['InProcessConversationLock', (timings) => {
    const lock = new InProcessConversationLock(timings);
    return {
      lock,
      abandon: async (key) => {
        void lock.runExclusive(key, () => new Promise<never>(() => undefined));
        await sleep(5);
      },
    };
  }],
];

describe.each(factories)('ConversationLock contract: %s', (_name, create) => {
  test('When 20 turns of one conversation run at once, then they never overlap and all complete', async () => {
    const { lock } = create({ lockTtlMs: 5000, acquireTimeoutMs: 10_000 });
    let active = 0;
    let maxActive = 0;
    let counter = 0;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => lock.runExclusive('msteams/c1', async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      const read = counter;
      await sleep(2 + Math.random() * 5);
      counter = read + 1;
      active--;
      return i;
    })));
    expect(maxActive).toBe(1);
    expect(counter).toBe(20);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  test('When turns of one conversation queue in one process, then they run in arrival order', async () => {
    const { lock } = create({ lockTtlMs: 5000, acquireTimeoutMs: 10_000 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => lock.runExclusive('msteams/ordered', async () => {
      order.push(i);
      await sleep(1);
    })));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('When different conversations run at once, then they run in parallel', async () => {
    const { lock } = create({ lockTtlMs: 5000, acquireTimeoutMs: 10_000 });
    let active = 0;
    let maxActive = 0;
    const started = Date.now();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => lock.runExclusive(`msteams/${key}`, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(200);
      active--;
    })));
    expect(maxActive).toBe(5);
    expect(Date.now() - started).toBeLessThan(600);
  });

  test('When a holder died with the key, then the next turn gets it after the lock TTL', async () => {
    const { lock, abandon } = create({ lockTtlMs: 300, acquireTimeoutMs: 3000 });
    await abandon('msteams/dead');
    const started = Date.now();
    await expect(lock.runExclusive('msteams/dead', async () => 'ran')).resolves.toBe('ran');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(waited).toBeLessThan(2000);
  });

  test('When the key stays held past the wait limit, then the waiter fails with a 503 conversation_busy and later turns still run', async () => {
    const { lock } = create({ lockTtlMs: 5000, acquireTimeoutMs: 150 });
    const holder = lock.runExclusive('msteams/busy', async () => { await sleep(400); return 'holder'; });
    await sleep(10);
    const error = await lock.runExclusive('msteams/busy', async () => 'waiter').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'conversation_busy', status: 503 });
    await expect(holder).resolves.toBe('holder');
    await expect(lock.runExclusive('msteams/busy', async () => 'after')).resolves.toBe('after');
  });

  test('When the turn throws, then the error reaches the caller and the key is free for the next turn', async () => {
    const { lock } = create({ lockTtlMs: 5000, acquireTimeoutMs: 1000 });
    await expect(lock.runExclusive('msteams/throws', async () => { throw new Error('dialog failed'); })).rejects.toThrow('dialog failed');
    const started = Date.now();
    await expect(lock.runExclusive('msteams/throws', async () => 42)).resolves.toBe(42);
    // A key left locked would make this wait for the 1 s acquire timeout (and then fail); half of
    // that leaves room for a loaded CI machine's pauses.
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('RedisConversationLock across replicas', () => {
  test('When two replicas run turns of one conversation at once, then they never overlap', async () => {
    const keyPrefix = redis.prefix('lock-replicas');
    const replicas = [1, 2].map(() => new RedisConversationLock({ redis: redis.client, keyPrefix, lockTtlMs: 5000, acquireTimeoutMs: 10_000 }));
    let active = 0;
    let maxActive = 0;
    let counter = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => replicas[i % 2].runExclusive('msteams/shared', async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      const read = counter;
      await sleep(3);
      counter = read + 1;
      active--;
    })));
    expect(maxActive).toBe(1);
    expect(counter).toBe(20);
    expect(await redis.client.exists(`${keyPrefix}msteams/shared`)).toBe(0);
  });

  test('When a holder outlived its TTL and another took the key, then its release leaves the new holder\'s key alone', async () => {
    const keyPrefix = redis.prefix('lock-expired');
    const lock = new RedisConversationLock({ redis: redis.client, keyPrefix, lockTtlMs: 100, acquireTimeoutMs: 1000 });
    await lock.runExclusive('k', async () => {
      await sleep(200);
      await redis.client.set(`${keyPrefix}k`, 'someone-else', 'PX', 5000);
    });
    expect(await redis.client.get(`${keyPrefix}k`)).toBe('someone-else');
  });
});
