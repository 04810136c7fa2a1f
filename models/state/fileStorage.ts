import crypto from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { eTagConflictError } from './storageErrors';

/** Options for {@link FileStorage}. */
export interface FileStorageOptions {
  /** The embedded database (files under `DATA_DIR`, or in memory with `null`). */
  database: EmbeddedDatabase;
  /** Collection (file) name; defaults to `state`. */
  collection?: string;
}

/** One stored item. The body stays a JSON string because NeDB refuses field names with `.` or `$`. */
interface StateDoc {
  _id: string;
  eTag: string;
  body: string;
}

/**
 * The embedded default botbuilder `Storage`: `MemoryStorage` semantics (same eTag rules and
 * conflict text, see {@link RedisStorage}), kept in an NeDB file through {@link EmbeddedDatabase}
 * so conversation and user state survive a restart. One process only.
 *
 * eTags are random, not a counter, so an eTag read before a restart can never match a
 * later write by accident.
 */
export class FileStorage implements Storage {
  private readonly database: EmbeddedDatabase;
  private readonly collectionName: string;
  /** Writes run one after another so each compare-and-set is atomic within the process. */
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(options: FileStorageOptions) {
    if (!options?.database) throw new TypeError('FileStorage: options.database is required');
    this.database = options.database;
    this.collectionName = options.collection ?? 'state';
  }

  /** Reads the items that exist; unknown keys are left out of the result. */
  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const store = await this.store();
    const docs = await store.findAsync({ _id: { $in: keys } });
    for (const doc of docs) items[doc._id] = { ...JSON.parse(doc.body), eTag: doc.eTag };
    return items;
  }

  /** Writes every change; rejects with the first eTag conflict after all keys were tried. */
  write(changes: StoreItems): Promise<void> {
    if (!changes) return Promise.reject(new ReferenceError('Changes are required when writing.'));
    const run = this.writeChain.then(() => this.writeNow(changes));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Deletes the keys; unknown keys are ignored. */
  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    const store = await this.store();
    await store.removeAsync({ _id: { $in: keys } }, { multi: true });
  }

  private async writeNow(changes: StoreItems): Promise<void> {
    const store = await this.store();
    let conflict: string | undefined;
    for (const [key, item] of Object.entries(changes)) {
      const expected = !item?.eTag || item.eTag === '*' ? undefined : String(item.eTag);
      if (expected !== undefined) {
        const current = await store.findOneAsync({ _id: key });
        if (current && current.eTag !== expected) {
          conflict ??= key;
          continue;
        }
      }
      const doc: StateDoc = { _id: key, eTag: crypto.randomUUID(), body: JSON.stringify({ ...item, eTag: undefined }) };
      await store.updateAsync({ _id: key }, doc, { upsert: true });
    }
    if (conflict !== undefined) throw eTagConflictError(conflict);
  }

  private store() {
    return this.database.collection<StateDoc>(this.collectionName);
  }
}
