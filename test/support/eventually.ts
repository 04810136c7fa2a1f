/** Waiting in a test for what happens asynchronously: an event from another process, a delivery, a page's address. */
export interface EventuallyOptions {
  /** How long to keep trying (default 5 s). */
  timeoutMs?: number;
  /** The pause between tries (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the error when the check only ever returned false. */
  what?: string;
}

/**
 * Runs `check` until it passes and returns what it returned. It passes when it neither throws
 * (a failed `expect` included) nor returns `false`, so both `() => expect(x).toBe(1)` and
 * `() => x === 1` work. Past the deadline the last failure is thrown: the check's own error,
 * or one naming `what`.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Exclude<T, false>> {
  const { timeoutMs = 5000, intervalMs = 50, what = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const value = await check();
      if (value !== false) return value as Exclude<T, false>;
      failure = new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
