/**
 * One contract for botbuilder's `Storage` port, run against the reference (`MemoryStorage`)
 * and every Rapport implementation. Each expectation is the reference's behaviour.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import { Redis } from 'ioredis';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { FileStorage } from '../../models/state/fileStorage';
import { RedisStorage } from '../../models/state/redisStorage';
import { redisUrl } from '../support/services';
import { deleteByPrefix, testRedis } from '../support/testRedis';

interface StorageFixture {
  storage: Storage;
  dispose(): Promise<void>;
}

const redis = testRedis();
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-storage-'));
  tempDirs.push(dir);
  return dir;
}

const factories: Array<[string, () => Promise<StorageFixture>]> = [
  ['MemoryStorage (reference)', async () => ({ storage: new MemoryStorage(), dispose: async () => undefined })],
  ['RedisStorage', async () => {
    const keyPrefix = redis.prefix('storage');
    return {
      storage: new RedisStorage({ redis: redis.client, keyPrefix, conversationTtlSeconds: 3600, userTtlSeconds: 7200 }),
      dispose: () => deleteByPrefix(redis.client, keyPrefix),
    };
  }],
  ['FileStorage', async () => {
    const database = new EmbeddedDatabase(tempDir());
    return { storage: new FileStorage({ database }), dispose: () => database.close() };
  }],
];

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(factories)('Storage contract: %s', (_name, create) => {
  let fixture: StorageFixture;
  let storage: Storage;

  beforeEach(async () => {
    fixture = await create();
    storage = fixture.storage;
  });
  afterEach(() => fixture.dispose());

  test('When unknown keys are read, then they are left out of the result', async () => {
    await storage.write({ known: { n: 1 } });
    const items = await storage.read(['unknown', 'known', 'also-unknown']);
    expect(Object.keys(items)).toEqual(['known']);
  });

  test('When reading no keys, then the result is empty', async () => {
    expect(await storage.read([])).toEqual({});
  });

  test('When an item is written, then it reads back with its fields and a string eTag', async () => {
    await storage.write({ 'msteams/conversations/c1': { count: 1, nested: { list: [1, 'two', null], flag: true } } });
    const items = await storage.read(['msteams/conversations/c1']);
    const item = items['msteams/conversations/c1'];
    expect(item).toEqual({ count: 1, nested: { list: [1, 'two', null], flag: true }, eTag: expect.any(String) });
    expect(item.eTag.length).toBeGreaterThan(0);
  });

  test('When an item holds a Date or undefined, then it reads back as JSON would (ISO string, field dropped)', async () => {
    const when = new Date('2026-11-29T03:00:00.000Z');
    await storage.write({ k: { when, gone: undefined } });
    const item = (await storage.read(['k'])).k;
    expect(item.when).toBe('2026-11-29T03:00:00.000Z');
    expect('gone' in item).toBe(false);
  });

  test('When the same key is written twice, then each write gives a new eTag', async () => {
    await storage.write({ k: { n: 1 } });
    const first = (await storage.read(['k'])).k;
    await storage.write({ k: { ...first, n: 2 } });
    const second = (await storage.read(['k'])).k;
    expect(second.n).toBe(2);
    expect(second.eTag).not.toBe(first.eTag);
  });

  test('When writing without an eTag or with "*", then the last writer wins', async () => {
    await storage.write({ k: { n: 1 } });
    await storage.write({ k: { n: 2 } });
    await storage.write({ k: { n: 3, eTag: '*' } });
    expect((await storage.read(['k'])).k.n).toBe(3);
  });

  test('When writing with a stale eTag, then it rejects with the reference error text and keeps the stored value', async () => {
    await storage.write({ 'a/conversations/x': { n: 1 } });
    const stale = (await storage.read(['a/conversations/x']))['a/conversations/x'];
    await storage.write({ 'a/conversations/x': { ...stale, n: 2 } });
    await expect(storage.write({ 'a/conversations/x': { ...stale, n: 99 } }))
      .rejects.toThrow(new Error('Storage: error writing "a/conversations/x" due to eTag conflict.'));
    expect((await storage.read(['a/conversations/x']))['a/conversations/x'].n).toBe(2);
  });

  test('When an item does not exist yet, then a write with any eTag creates it', async () => {
    await storage.write({ fresh: { n: 1, eTag: 'some-old-etag' } });
    expect((await storage.read(['fresh'])).fresh.n).toBe(1);
  });

  test('When one key of a batch conflicts, then the batch rejects and the other keys are still written', async () => {
    await storage.write({ a: { n: 1 } });
    const a = (await storage.read(['a'])).a;
    await storage.write({ a: { n: 2 } });
    await expect(storage.write({ a: { ...a, n: 3 }, b: { n: 1 } })).rejects.toThrow('Storage: error writing "a" due to eTag conflict.');
    const items = await storage.read(['a', 'b']);
    expect(items.a.n).toBe(2);
    expect(items.b.n).toBe(1);
  });

  test('When two writers race with the same eTag, then exactly one wins', async () => {
    await storage.write({ k: { n: 0 } });
    const base = (await storage.read(['k'])).k;
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => storage.write({ k: { ...base, n } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = results.findIndex((r) => r.status === 'fulfilled') + 1;
    expect((await storage.read(['k'])).k.n).toBe(winner);
  });

  test('When the current eTag is used in turn by successive writers, then each write succeeds', async () => {
    await storage.write({ counter: { n: 0 } });
    for (let i = 0; i < 5; i++) {
      const current = (await storage.read(['counter'])).counter;
      await storage.write({ counter: { ...current, n: current.n + 1 } });
    }
    expect((await storage.read(['counter'])).counter.n).toBe(5);
  });

  test('When keys hold unusual characters, then they round trip', async () => {
    const keys = ['!@#$%^&*()_+-=[]{}|;:\'",.<>/?`~', 'with space/and\nnewline', '中文/users/用户', 'a.b.$c', '\\back\\slash', ''.padEnd(300, 'k')];
    const changes: Record<string, { key: string }> = {};
    for (const key of keys) changes[key] = { key };
    await storage.write(changes);
    const items = await storage.read(keys);
    for (const key of keys) expect(items[key]?.key).toBe(key);
  });

  test('When an item is deleted, then it can no longer be read', async () => {
    await storage.write({ a: { n: 1 }, b: { n: 2 } });
    await storage.delete(['a']);
    const items = await storage.read(['a', 'b']);
    expect(items.a).toBeUndefined();
    expect(items.b.n).toBe(2);
  });

  test('When unknown keys are deleted, then nothing fails', async () => {
    await expect(storage.delete(['never-written', 'nor-this'])).resolves.toBeUndefined();
  });

  test('When a deleted key is written again with its old eTag, then it is created', async () => {
    await storage.write({ k: { n: 1 } });
    const old = (await storage.read(['k'])).k;
    await storage.delete(['k']);
    await storage.write({ k: { ...old, n: 2 } });
    expect((await storage.read(['k'])).k.n).toBe(2);
  });

  test('When a read result or a written object is mutated, then the stored item is unchanged', async () => {
    const original = { n: 1, inner: { v: 'x' } };
    await storage.write({ k: original });
    original.inner.v = 'changed-after-write';
    const first = (await storage.read(['k'])).k;
    first.inner.v = 'changed-after-read';
    const second = (await storage.read(['k'])).k;
    expect(second.inner.v).toBe('x');
    expect(second).not.toBe(first);
  });

  test('When read or write gets no argument, then it rejects with a ReferenceError', async () => {
    await expect(storage.read(undefined as unknown as string[])).rejects.toThrow(ReferenceError);
    await expect(storage.write(undefined as unknown as Record<string, unknown>)).rejects.toThrow(ReferenceError);
  });
});

describe('FileStorage restart', () => {
  test('When a new instance opens the same folder, then it reads what the previous one wrote and keeps eTag checks', async () => {
    const dir = tempDir();
    const first = new EmbeddedDatabase(dir);
    const before = new FileStorage({ database: first });
    await before.write({ 'emulator/conversations/c1': { dialogState: { step: 2 } }, 'emulator/users/u1': { language: 'zh-CN' } });
    const stale = (await before.read(['emulator/conversations/c1']))['emulator/conversations/c1'];
    await before.write({ 'emulator/conversations/c1': { ...stale, dialogState: { step: 3 } } });
    await first.close();

    const second = new EmbeddedDatabase(dir);
    const after = new FileStorage({ database: second });
    const items = await after.read(['emulator/conversations/c1', 'emulator/users/u1']);
    expect(items['emulator/conversations/c1'].dialogState).toEqual({ step: 3 });
    expect(items['emulator/users/u1'].language).toBe('zh-CN');
    await expect(after.write({ 'emulator/conversations/c1': stale })).rejects.toThrow('due to eTag conflict');
    await second.close();
  });
});

describe('RedisStorage shared reads', () => {
  test('When 50 turns read at once, then one MGET serves them all and each gets its own copy of its own keys', async () => {
    const keyPrefix = redis.prefix('storage-mget');
    const client = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
    try {
      const storage = new RedisStorage({ redis: client, keyPrefix, conversationTtlSeconds: 60, userTtlSeconds: 60 });
      const changes: Record<string, { n: number }> = {};
      for (let i = 0; i < 50; i++) changes[`msteams/conversations/c${i}`] = { n: i };
      await storage.write({ ...changes, 'msteams/users/shared': { n: -1 } });
      const mget = jest.spyOn(client, 'mget');

      const reads = await Promise.all(Array.from({ length: 50 }, (_, i) => storage.read([`msteams/conversations/c${i}`, 'msteams/users/shared', 'msteams/conversations/missing'])));

      expect(mget).toHaveBeenCalledTimes(1);
      reads.forEach((items, i) => {
        expect(Object.keys(items).sort()).toEqual([`msteams/conversations/c${i}`, 'msteams/users/shared']);
        expect(items[`msteams/conversations/c${i}`].n).toBe(i);
      });
      reads[0]['msteams/users/shared'].n = 999;
      expect(reads[1]['msteams/users/shared'].n).toBe(-1);
    } finally {
      await client.quit();
    }
  });
});

describe('RedisStorage TTL', () => {
  test('When the conversation TTL passes, then conversation state expires while user state keeps its longer TTL', async () => {
    const keyPrefix = redis.prefix('storage-ttl');
    const storage = new RedisStorage({ redis: redis.client, keyPrefix, conversationTtlSeconds: 1, userTtlSeconds: 600 });
    await storage.write({ 'webchat/conversations/c1': { n: 1 }, 'webchat/users/u1': { n: 2 } });

    expect(await redis.client.ttl(`${keyPrefix}webchat/conversations/c1`)).toBeLessThanOrEqual(1);
    expect(await redis.client.ttl(`${keyPrefix}webchat/users/u1`)).toBeGreaterThan(500);

    await new Promise((r) => setTimeout(r, 2100));
    const items = await storage.read(['webchat/conversations/c1', 'webchat/users/u1']);
    expect(items['webchat/conversations/c1']).toBeUndefined();
    expect(items['webchat/users/u1'].n).toBe(2);
  });

  test('When constructed without a client or with a bad TTL, then it throws', () => {
    expect(() => new RedisStorage({ redis: undefined as unknown as Redis, keyPrefix: 'p:', conversationTtlSeconds: 1, userTtlSeconds: 1 })).toThrow(/redis/);
    expect(() => new RedisStorage({ redis: redis.client, keyPrefix: 'p:', conversationTtlSeconds: 0, userTtlSeconds: 1 })).toThrow(/conversationTtlSeconds/);
  });
});
