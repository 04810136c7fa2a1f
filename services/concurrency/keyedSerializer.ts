/**
 * Runs work for one key at a time within this process, in call order; work for other keys runs
 * freely. For single-document read-modify-write sequences on FerretDB 1.x, whose guarded updates
 * write back the whole document read earlier, so two in-process writers to one document can undo
 * each other. It does not order work across processes.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(work);
    const settled = mine.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => { if (this.tails.get(key) === settled) this.tails.delete(key); });
    return mine;
  }

  /** Keys with work queued or running (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
