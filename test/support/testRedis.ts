/** The test Redis for one test file: its client, and key prefixes cleaned up after its tests. */
import { Redis } from 'ioredis';
import { redisUrl, uniquePrefix } from './services';

/** Deletes every key under the prefix (with SCAN, so a large prefix never blocks Redis). */
export async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

export interface TestRedis {
  /** The file's client: connected before its tests, quit after them. */
  readonly client: Redis;
  /** A new uniquePrefix(name) whose keys are deleted after the file's tests. */
  prefix(name: string): string;
}

/** Call it at the top level of a test file: it registers the beforeAll that connects and the afterAll that cleans up and quits. */
export function testRedis(): TestRedis {
  const prefixes: string[] = [];
  let client: Redis | undefined;
  beforeAll(() => { client = new Redis(redisUrl(), { maxRetriesPerRequest: 1 }); });
  afterAll(async () => {
    if (!client) return;
    for (const prefix of prefixes) await deleteByPrefix(client, prefix);
    await client.quit();
  });
  return {
    get client(): Redis {
      if (!client) throw new Error('the test Redis client connects in beforeAll');
      return client;
    },
    prefix: (name) => {
      const prefix = uniquePrefix(name);
      prefixes.push(prefix);
      return prefix;
    },
  };
}
