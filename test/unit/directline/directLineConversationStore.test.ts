import { DirectLineConversationStore } from '../../../bot/directline/directLineConversationStore';
import { ConversationRateLimiter } from '../../../bot/directline/conversationRateLimiter';

describe('DirectLineConversationStore', () => {
  test('When activities are appended, then each gets the next id and watermark, and since() returns only later ones', () => {
    const store = new DirectLineConversationStore(100, 60_000);
    store.create('c', 'u');
    const first = store.append('c', { type: 'message', text: 'a' })!;
    store.append('c', { type: 'message', text: 'b' });
    expect(first.id).toBe('c|0000001');
    expect(store.since('c', '')).toMatchObject({ watermark: '2', activities: [{ text: 'a' }, { text: 'b' }] });
    expect(store.since('c', '1')).toMatchObject({ watermark: '2', activities: [{ text: 'b' }] });
    expect(store.since('c', '2')).toEqual({ watermark: '2', activities: [] });
    expect(store.since('missing')).toBeUndefined();
  });

  test('When the history limit is passed, then the oldest are dropped but watermarks keep counting', () => {
    const store = new DirectLineConversationStore(2, 60_000);
    store.create('c', 'u');
    for (const text of ['a', 'b', 'c']) store.append('c', { type: 'message', text });
    expect(store.since('c')!.activities.map((a) => a.text)).toEqual(['b', 'c']);
    expect(store.since('c', '2')!.activities.map((a) => a.text)).toEqual(['c']);
    expect(store.since('c')!.watermark).toBe('3');
  });

  test('When a listener subscribes, then it gets every later activity until it unsubscribes', () => {
    const store = new DirectLineConversationStore(10, 60_000);
    store.create('c', 'u');
    const got: string[] = [];
    const unsubscribe = store.subscribe('c', (set) => got.push(set.watermark));
    store.append('c', { type: 'typing' });
    unsubscribe();
    store.append('c', { type: 'typing' });
    expect(got).toEqual(['1']);
  });

  test('When a conversation is idle past the limit and nobody listens, then it is evicted', () => {
    let now = 0;
    const store = new DirectLineConversationStore(10, 1000, () => now);
    store.create('idle', 'u');
    store.create('watched', 'u');
    store.subscribe('watched', () => undefined);
    now = 5000;
    expect(store.evictIdle()).toBe(1);
    expect(store.get('idle')).toBeUndefined();
    expect(store.get('watched')).toBeDefined();
  });
});

describe('ConversationRateLimiter', () => {
  test('When a conversation posts past its allowance, then it waits until the oldest post leaves the minute, and others are unaffected', () => {
    let now = 0;
    const limiter = new ConversationRateLimiter(2, () => now);
    expect(limiter.take('a')).toBe(0);
    now = 10_000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(50);
    expect(limiter.take('b')).toBe(0);
    now = 60_001;
    expect(limiter.take('a')).toBe(0);
  });
});
