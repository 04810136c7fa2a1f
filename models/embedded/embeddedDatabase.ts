import fs from 'node:fs';
import path from 'node:path';
import Datastore from '@seald-io/nedb';

/**
 * The embedded (default) document database: one NeDB datastore per collection, kept in
 * append-only files under `dataDir` so data survives a restart. Single process only;
 * production uses MongoDB. Each datastore serialises its own operations, so a single
 * update is atomic here as it is in Mongo.
 */
export class EmbeddedDatabase {
  private readonly stores = new Map<string, Datastore<any>>();

  /** @param dataDir folder for the files; `null` keeps everything in memory (tests). */
  constructor(private readonly dataDir: string | null) {
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  }

  /** Opens (once) and returns the datastore for a collection. */
  async collection<T extends Record<string, any> = Record<string, any>>(name: string): Promise<Datastore<T>> {
    let store = this.stores.get(name);
    if (!store) {
      store = this.dataDir
        ? new Datastore({ filename: path.join(this.dataDir, `${name}.db`), timestampData: false })
        : new Datastore({ inMemoryOnly: true });
      this.stores.set(name, store);
      await store.loadDatabaseAsync();
    }
    return store as Datastore<T>;
  }

  /** Compacts every open file, so the next start reads a short file. */
  async close(): Promise<void> {
    for (const store of this.stores.values()) {
      if (this.dataDir) await store.compactDatafileAsync();
    }
    this.stores.clear();
  }
}
