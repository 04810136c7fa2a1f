/** KeyedSerializer: one piece of work per key at a time, in call order; other keys unaffected. */
import { KeyedSerializer } from '../../../services/concurrency/keyedSerializer';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('KeyedSerializer', () => {
  test('When two pieces of work share a key, then the second starts only after the first has settled', async () => {
    const serializer = new KeyedSerializer();
    const gate = deferred();
    const events: string[] = [];
    const first = serializer.run('a', async () => { events.push('first start'); await gate.promise; events.push('first end'); return 1; });
    const second = serializer.run('a', async () => { events.push('second start'); return 2; });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['first start']);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(events).toEqual(['first start', 'first end', 'second start']);
  });

  test('When work for another key arrives, then it runs while the first key is still busy', async () => {
    const serializer = new KeyedSerializer();
    const gate = deferred();
    const busy = serializer.run('a', () => gate.promise);
    await expect(serializer.run('b', async () => 'b done')).resolves.toBe('b done');
    gate.resolve();
    await busy;
  });

  test('When a piece of work fails, then its caller gets the error and the next one for the key still runs', async () => {
    const serializer = new KeyedSerializer();
    const failing = serializer.run('a', async () => { throw new Error('boom'); });
    const next = serializer.run('a', async () => 'after');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });

  test('When all work for a key has settled, then the key is forgotten', async () => {
    const serializer = new KeyedSerializer();
    await Promise.all([serializer.run('a', async () => 1), serializer.run('a', async () => 2), serializer.run('b', async () => 3)]);
    await new Promise((r) => setImmediate(r));
    expect(serializer.size).toBe(0);
  });
});
