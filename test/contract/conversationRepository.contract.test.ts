/** One contract for the `ConversationRepository` port over every implementation. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConversationReference } from 'botbuilder';
import type { Connection } from 'mongoose';
import type { ConversationRepository } from '../../models/conversations/conversationRepository';
import { EmbeddedConversationRepository } from '../../models/conversations/embeddedConversationRepository';
import { MongoConversationRepository } from '../../models/conversations/mongoConversationRepository';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { AppError } from '../../services/appError';
import { mongoUri } from '../support/services';

/** A clock the test moves by hand. */
class TestClock {
  current = new Date('2026-11-29T03:00:00.000Z');
  readonly now = () => new Date(this.current);
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

let connection: Connection;
const tempDirs: string[] = [];

const factories: Array<[string, (clock: TestClock) => ConversationRepository]> = [
  ['MongoConversationRepository', (clock) => new MongoConversationRepository({ connection, collection: `conversations_${crypto.randomBytes(4).toString('hex')}`, now: clock.now })],
  ['EmbeddedConversationRepository', (clock) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-conversations-'));
    tempDirs.push(dir);
    return new EmbeddedConversationRepository({ database: new EmbeddedDatabase(dir), now: clock.now });
  }],
];

beforeAll(async () => {
  connection = await openMongoConnection(mongoUri());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function teamsReference(conversationId: string, userId = 'user-1', activityId = 'act-1'): Partial<ConversationReference> {
  return {
    activityId,
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/apac/',
    locale: 'zh-CN',
    bot: { id: '28:bot-app-id', name: 'Rapport' },
    user: { id: userId, name: '张三', aadObjectId: 'aad-1' } as ConversationReference['user'],
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant.with.dots', isGroup: false } as ConversationReference['conversation'],
  };
}

describe.each(factories)('ConversationRepository contract: %s', (_name, create) => {
  let clock: TestClock;
  let repo: ConversationRepository;
  beforeEach(() => {
    clock = new TestClock();
    repo = create(clock);
  });

  test('When the first turn of a conversation is recorded, then it is stored with status bot, both timestamps and the reference', async () => {
    const reference = teamsReference('c1');
    await repo.upsertFromTurn(reference, { channelId: 'msteams', conversationId: 'c1', userId: 'user-1', language: 'zh-CN' });
    expect(await repo.get('msteams', 'c1')).toEqual({
      channelId: 'msteams', conversationId: 'c1', userId: 'user-1', language: 'zh-CN', status: 'bot',
      createdAt: clock.current, lastActivityAt: clock.current, reference,
    });
  });

  test('When a later turn is recorded, then last activity and reference move on while creation time and unspecified fields stay', async () => {
    const created = clock.current;
    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1', language: 'zh-CN', customerId: 'CUST-1' });
    clock.advance(60_000);
    await repo.upsertFromTurn(teamsReference('c1', 'user-1', 'act-2'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1' });
    const conversation = await repo.get('msteams', 'c1');
    expect(conversation?.createdAt).toEqual(created);
    expect(conversation?.lastActivityAt).toEqual(clock.current);
    expect(conversation?.reference.activityId).toBe('act-2');
    expect(conversation?.language).toBe('zh-CN');
    expect(conversation?.customerId).toBe('CUST-1');

    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1', language: 'en' });
    expect((await repo.get('msteams', 'c1'))?.language).toBe('en');
  });

  test('When a turn sets a status, then it is kept by later turns that do not', async () => {
    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1', status: 'queued' });
    expect((await repo.get('msteams', 'c1'))?.status).toBe('queued');
    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1' });
    expect((await repo.get('msteams', 'c1'))?.status).toBe('queued');
  });

  test('When a turn arrives with an older clock, then last activity does not move back', async () => {
    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1' });
    const latest = clock.current;
    clock.advance(-30_000);
    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1' });
    expect((await repo.get('msteams', 'c1'))?.lastActivityAt).toEqual(latest);
  });

  test('When a conversation is unknown, then get returns undefined', async () => {
    await repo.upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1' });
    expect(await repo.get('msteams', 'other')).toBeUndefined();
    expect(await repo.get('webchat', 'c1')).toBeUndefined();
  });

  test('When a user has several conversations, then findByUser lists that channel\'s ones, most recent first', async () => {
    await repo.upsertFromTurn(teamsReference('old'), { channelId: 'msteams', conversationId: 'old', userId: 'user-1' });
    clock.advance(1000);
    await repo.upsertFromTurn(teamsReference('new'), { channelId: 'msteams', conversationId: 'new', userId: 'user-1' });
    await repo.upsertFromTurn(teamsReference('someone-else', 'user-2'), { channelId: 'msteams', conversationId: 'someone-else', userId: 'user-2' });
    await repo.upsertFromTurn(teamsReference('web'), { channelId: 'webchat', conversationId: 'web', userId: 'user-1' });
    expect((await repo.findByUser('msteams', 'user-1')).map((c) => c.conversationId)).toEqual(['new', 'old']);
    expect(await repo.findByUser('msteams', 'nobody')).toEqual([]);
  });

  test('When conversations of several users are asked at once, then only those users\' on their channels come, most recent first', async () => {
    await repo.upsertFromTurn(teamsReference('a-old'), { channelId: 'msteams', conversationId: 'a-old', userId: 'user-1' });
    clock.advance(1000);
    await repo.upsertFromTurn(teamsReference('b', 'user-2'), { channelId: 'msteams', conversationId: 'b', userId: 'user-2' });
    clock.advance(1000);
    await repo.upsertFromTurn(teamsReference('a-new'), { channelId: 'msteams', conversationId: 'a-new', userId: 'user-1' });
    await repo.upsertFromTurn(teamsReference('web'), { channelId: 'webchat', conversationId: 'web', userId: 'user-2' });
    await repo.upsertFromTurn(teamsReference('c', 'user-3'), { channelId: 'msteams', conversationId: 'c', userId: 'user-3' });
    const found = await repo.findByUsers([{ channelId: 'msteams', userId: 'user-1' }, { channelId: 'msteams', userId: 'user-2' }, { channelId: 'msteams', userId: 'nobody' }]);
    expect(found.map((c) => c.conversationId)).toEqual(['a-new', 'b', 'a-old']);
    expect(await repo.findByUsers([])).toEqual([]);
  });

  test('When 20 first turns of one conversation race, then exactly one conversation exists', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      repo.upsertFromTurn(teamsReference('race', 'user-1', `act-${i}`), { channelId: 'msteams', conversationId: 'race', userId: 'user-1' })));
    const found = await repo.findByUser('msteams', 'user-1');
    expect(found).toHaveLength(1);
    expect(found[0].status).toBe('bot');
  });

  test('When required fields are missing or the status is unknown, then it rejects with a 400 AppError', async () => {
    const reference = teamsReference('c1');
    for (const fields of [
      { channelId: '', conversationId: 'c1', userId: 'u' },
      { channelId: 'msteams', conversationId: '', userId: 'u' },
      { channelId: 'msteams', conversationId: 'c1', userId: '' },
      { channelId: 'msteams', conversationId: 'c1', userId: 'u', status: 'lost' as never },
    ]) {
      const error = await repo.upsertFromTurn(reference, fields).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
    }
    expect(await repo.get('msteams', 'c1')).toBeUndefined();
  });
});

describe('EmbeddedConversationRepository restart', () => {
  test('When a new instance opens the same folder, then the conversations recorded before are there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-conversations-'));
    tempDirs.push(dir);
    const first = new EmbeddedDatabase(dir);
    await new EmbeddedConversationRepository({ database: first }).upsertFromTurn(teamsReference('c1'), { channelId: 'msteams', conversationId: 'c1', userId: 'user-1', customerId: 'CUST-9' });
    await first.close();
    const second = new EmbeddedDatabase(dir);
    const conversation = await new EmbeddedConversationRepository({ database: second }).get('msteams', 'c1');
    expect(conversation).toMatchObject({ userId: 'user-1', customerId: 'CUST-9', status: 'bot', reference: teamsReference('c1') });
    await second.close();
  });
});
