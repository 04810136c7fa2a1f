/**
 * One contract for botbuilder's `TranscriptStore` port, run against the reference
 * (`MemoryTranscriptStore`) and every Rapport implementation.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryTranscriptStore, type Activity, type TranscriptStore } from 'botbuilder';
import type { Connection } from 'mongoose';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { EmbeddedTranscriptStore } from '../../models/transcripts/embeddedTranscriptStore';
import { MongoTranscriptStore } from '../../models/transcripts/mongoTranscriptStore';
import { newTranscriptEntryId } from '../../models/transcripts/transcriptEntry';
import { mongoUri } from '../support/services';

/** The stores that also take batches with retry-safe entry ids. */
interface BatchStore extends TranscriptStore {
  logActivities(activities: Partial<Activity>[], entryIds?: readonly string[]): Promise<void>;
}

let connection: Connection;
const uniqueName = () => `transcripts_${crypto.randomBytes(4).toString('hex')}`;

const mongoFactory = (): BatchStore => new MongoTranscriptStore({ connection, collection: uniqueName() });
const embeddedFactory = (): BatchStore => new EmbeddedTranscriptStore({ database: new EmbeddedDatabase(null) });

const factories: Array<[string, () => TranscriptStore]> = [
  ['MemoryTranscriptStore (reference)', () => new MemoryTranscriptStore()],
  ['MongoTranscriptStore', mongoFactory],
  ['EmbeddedTranscriptStore', embeddedFactory],
];
const batchFactories: Array<[string, () => BatchStore]> = [
  ['MongoTranscriptStore', mongoFactory],
  ['EmbeddedTranscriptStore', embeddedFactory],
];

beforeAll(async () => {
  connection = await openMongoConnection(mongoUri());
});
afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

const base = Date.parse('2026-11-29T01:00:00.000Z');

function activity(conversationId: string, i: number, overrides: Partial<Activity> = {}): Activity {
  return {
    type: 'message',
    id: `${conversationId}-a${i}`,
    channelId: 'msteams',
    conversation: { id: conversationId } as Activity['conversation'],
    from: { id: i % 2 ? 'bot' : 'user-1', name: i % 2 ? 'Rapport' : '张三', role: i % 2 ? 'bot' : 'user' },
    recipient: { id: i % 2 ? 'user-1' : 'bot' },
    text: `message ${i} 你好`,
    locale: 'zh-CN',
    timestamp: new Date(base + i * 1000),
    ...overrides,
  } as Activity;
}

/** A deep copy that keeps the timestamp a Date of this realm (structuredClone would not). */
const copyOf = (a: Activity): Activity => ({ ...JSON.parse(JSON.stringify(a)), timestamp: new Date(a.timestamp as Date) });

/** Calls the store so both a synchronous throw (the reference) and a rejection become a rejection. */
const attempt = (fn: () => unknown) => Promise.resolve().then(fn);

async function readAll(store: TranscriptStore, conversationId: string, startDate?: Date) {
  const pages: Activity[][] = [];
  let token: string | undefined;
  do {
    const page = await store.getTranscriptActivities('msteams', conversationId, token, startDate);
    pages.push(page.items);
    token = page.continuationToken;
  } while (token && pages.length < 50);
  return pages;
}

describe.each(factories)('TranscriptStore contract: %s', (_name, create) => {
  let store: TranscriptStore;
  beforeEach(() => {
    store = create();
  });

  test('When activities are logged, then they come back exactly as logged with timestamp as a Date', async () => {
    const logged = [
      activity('c1', 0, { channelData: { 'tenant.id': 't1', $weird: { nested: [1, { deep: true }] } }, entities: [{ type: 'mention' }] }),
      activity('c1', 1, { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', body: [] } }] }),
      activity('c1', 2, { type: 'event', name: 'custom', value: { a: 1 }, text: undefined }),
    ];
    for (const a of logged) await store.logActivity(copyOf(a));
    const page = await store.getTranscriptActivities('msteams', 'c1');
    expect(page.items).toEqual(logged);
    expect(page.continuationToken).toBeUndefined();
    for (const item of page.items) {
      expect(item.timestamp).toBeInstanceOf(Date);
      expect(item).not.toHaveProperty('_id');
      expect(item).not.toHaveProperty('__v');
    }
  });

  test('When activities are logged out of order, then they are returned oldest first', async () => {
    for (const i of [3, 0, 2, 1]) await store.logActivity(activity('c1', i));
    const page = await store.getTranscriptActivities('msteams', 'c1');
    expect(page.items.map((a) => a.id)).toEqual(['c1-a0', 'c1-a1', 'c1-a2', 'c1-a3']);
  });

  test('When a conversation has 45 activities, then they come in pages of 20, 20 and 5 linked by tokens', async () => {
    for (let i = 0; i < 45; i++) await store.logActivity(activity('long', i));
    const pages = await readAll(store, 'long');
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(pages.flat().map((a) => a.id)).toEqual(Array.from({ length: 45 }, (_, i) => `long-a${i}`));
  });

  test('When the last page is exactly full, then a token is given and the next page is empty without one', async () => {
    for (let i = 0; i < 40; i++) await store.logActivity(activity('even', i));
    const pages = await readAll(store, 'even');
    expect(pages.map((p) => p.length)).toEqual([20, 20, 0]);
  });

  test('When a startDate is given, then only activities from that time on are returned', async () => {
    for (let i = 0; i < 30; i++) await store.logActivity(activity('dated', i));
    const pages = await readAll(store, 'dated', new Date(base + 5 * 1000));
    expect(pages.map((p) => p.length)).toEqual([20, 5]);
    expect(pages.flat()[0].id).toBe('dated-a5');
  });

  test('When the conversation or channel is unknown, then the page is empty with no token', async () => {
    await store.logActivity(activity('c1', 0));
    for (const page of [await store.getTranscriptActivities('msteams', 'nope'), await store.getTranscriptActivities('webchat', 'c1')]) {
      expect(page.items).toEqual([]);
      expect(page.continuationToken).toBeUndefined();
    }
  });

  test('When transcripts are listed, then each conversation of the channel appears once, oldest first, with its first timestamp', async () => {
    await store.logActivity(activity('first', 0));
    await store.logActivity(activity('second', 5));
    await store.logActivity(activity('first', 6));
    await store.logActivity(activity('third', 8));
    await store.logActivity({ ...activity('elsewhere', 1), channelId: 'webchat' });
    const page = await store.listTranscripts('msteams');
    expect(page.items).toEqual([
      { channelId: 'msteams', id: 'first', created: new Date(base) },
      { channelId: 'msteams', id: 'second', created: new Date(base + 5000) },
      { channelId: 'msteams', id: 'third', created: new Date(base + 8000) },
    ]);
    expect(page.continuationToken).toBeUndefined();
  });

  test('When a channel has 25 conversations, then they are listed in pages of 20 and 5', async () => {
    for (let i = 0; i < 25; i++) await store.logActivity(activity(`conv-${String(i).padStart(2, '0')}`, i));
    const first = await store.listTranscripts('msteams');
    expect(first.items).toHaveLength(20);
    expect(first.continuationToken).toBe('conv-19');
    const second = await store.listTranscripts('msteams', first.continuationToken);
    expect(second.items.map((t) => t.id)).toEqual(['conv-20', 'conv-21', 'conv-22', 'conv-23', 'conv-24']);
    expect(second.continuationToken).toBeUndefined();
  });

  test('When a transcript is deleted, then only that conversation is gone', async () => {
    await store.logActivity(activity('keep', 0));
    await store.logActivity(activity('drop', 1));
    await store.logActivity(activity('drop', 2));
    await store.deleteTranscript('msteams', 'drop');
    await store.deleteTranscript('msteams', 'never-existed');
    expect((await store.getTranscriptActivities('msteams', 'drop')).items).toEqual([]);
    expect((await store.getTranscriptActivities('msteams', 'keep')).items).toHaveLength(1);
    expect((await store.listTranscripts('msteams')).items.map((t) => t.id)).toEqual(['keep']);
  });

  test('When arguments are missing, then it fails with the reference messages', async () => {
    await expect(attempt(() => store.logActivity(null as unknown as Activity))).rejects.toThrow('activity cannot be null for logActivity()');
    await expect(attempt(() => store.getTranscriptActivities('', 'c1'))).rejects.toThrow('Missing channelId');
    await expect(attempt(() => store.getTranscriptActivities('msteams', ''))).rejects.toThrow('Missing conversationId');
    await expect(attempt(() => store.listTranscripts(''))).rejects.toThrow('Missing channelId');
    await expect(attempt(() => store.deleteTranscript('msteams', ''))).rejects.toThrow('Missing conversationId');
  });
});

describe.each(batchFactories)('Transcript batches: %s', (_name, create) => {
  test('When a batch is retried with the same entry ids, then every activity is stored exactly once', async () => {
    const store = create();
    const batch = Array.from({ length: 10 }, (_, i) => activity('batch', i));
    const ids = batch.map(() => newTranscriptEntryId());
    await store.logActivities(batch.slice(0, 4), ids.slice(0, 4));
    await store.logActivities(batch, ids);
    await store.logActivities(batch, ids);
    const pages = await readAll(store, 'batch');
    expect(pages.flat()).toEqual(batch);
  });

  test('When activities share a timestamp, then they come back in logging order', async () => {
    const store = create();
    const same = new Date(base);
    const batch = Array.from({ length: 25 }, (_, i) => activity('tie', i, { timestamp: same }));
    await store.logActivities(batch, batch.map(() => newTranscriptEntryId()));
    expect((await readAll(store, 'tie')).flat().map((a) => a.id)).toEqual(batch.map((a) => a.id));
  });
});

describe('EmbeddedTranscriptStore restart', () => {
  test('When a new instance opens the same folder, then the transcripts logged before are there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-transcripts-'));
    try {
      const first = new EmbeddedDatabase(dir);
      await new EmbeddedTranscriptStore({ database: first }).logActivities([activity('kept', 0), activity('kept', 1)]);
      await first.close();
      const second = new EmbeddedDatabase(dir);
      const reopened = new EmbeddedTranscriptStore({ database: second });
      expect((await reopened.getTranscriptActivities('msteams', 'kept')).items.map((a) => a.id)).toEqual(['kept-a0', 'kept-a1']);
      expect((await reopened.listTranscripts('msteams')).items.map((t) => t.id)).toEqual(['kept']);
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
