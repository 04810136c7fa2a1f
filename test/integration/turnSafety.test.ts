/**
 * One turn at a time per conversation: 20 messages of one conversation arriving together
 * each add 1 to a counter kept in ConversationState; with the conversation lock the counter
 * ends at exactly 20 on every storage/lock pairing the bot can run with. Without the lock it
 * does not: stock BotState does not use eTags to protect against this.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversationState, TestAdapter, type Middleware, type Storage, type TurnContext } from 'botbuilder';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { FileStorage } from '../../models/state/fileStorage';
import { RedisStorage } from '../../models/state/redisStorage';
import { InProcessConversationLock, RedisConversationLock, type ConversationLock } from '../../services/concurrency/conversationLock';
import { testRedis } from '../support/testRedis';

const redis = testRedis();
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The lock as a middleware, keyed like the bot's: channel and conversation. */
const lockMiddleware = (lock: ConversationLock): Middleware => ({
  onTurn: (context, next) => lock.runExclusive(`${context.activity.channelId}/${context.activity.conversation.id}`, next),
});

function setups(): Array<[string, () => { storage: Storage; lock: ConversationLock }]> {
  return [
    ['RedisStorage + RedisConversationLock', () => {
      const prefix = redis.prefix('turn-safety');
      return {
        storage: new RedisStorage({ redis: redis.client, keyPrefix: `${prefix}state:`, conversationTtlSeconds: 60, userTtlSeconds: 60 }),
        lock: new RedisConversationLock({ redis: redis.client, keyPrefix: `${prefix}lock:`, lockTtlMs: 5000, acquireTimeoutMs: 10_000 }),
      };
    }],
    ['FileStorage + InProcessConversationLock', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-turns-'));
      dirs.push(dir);
      return { storage: new FileStorage({ database: new EmbeddedDatabase(dir) }), lock: new InProcessConversationLock() };
    }],
  ];
}

/** Where ConversationState keeps a conversation (its namespace is empty, hence the trailing slash). */
const stateKey = (adapter: TestAdapter) => `${adapter.conversation.channelId}/conversations/${adapter.conversation.conversation!.id}/`;

/** A turn that reads the counter, does some async work, and writes it back. */
function counterBot(conversationState: ConversationState) {
  const counter = conversationState.createProperty<number>('counter');
  return async (context: TurnContext) => {
    const value = await counter.get(context, 0);
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    await counter.set(context, value + 1);
    await conversationState.saveChanges(context);
  };
}

describe.each(setups())('Turn safety: %s', (_name, create) => {
  test('When 20 messages of one conversation arrive together, then the counter ends at exactly 20', async () => {
    const { storage, lock } = create();
    const conversationState = new ConversationState(storage);
    const adapter = new TestAdapter().use(lockMiddleware(lock));
    const bot = counterBot(conversationState);

    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => adapter.processActivity({ type: 'message', text: `m${i}` }, bot)));

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const key = stateKey(adapter);
    expect((await storage.read([key]))[key].counter).toBe(20);
  });

  test('When the same messages run without the lock, then updates are lost, because BotState saves with eTag "*"', async () => {
    // botbuilder 4.23 BotState.saveChanges always writes eTag '*' (last writer wins), so the
    // storage eTag check never fires for ConversationState: the lock is the real protection.
    const { storage } = create();
    const conversationState = new ConversationState(storage);
    const adapter = new TestAdapter();
    const bot = counterBot(conversationState);
    await adapter.processActivity({ type: 'message', text: 'first' }, bot);

    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => adapter.processActivity({ type: 'message', text: `m${i}` }, bot)));

    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const key = stateKey(adapter);
    expect((await storage.read([key]))[key].counter).toBeLessThan(21);
  });
});
