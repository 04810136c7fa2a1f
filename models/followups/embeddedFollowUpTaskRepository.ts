import crypto from 'node:crypto';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { FollowUpTask } from '../../services/campaigns/campaign';
import type { FollowUpTaskRepository, NewFollowUpTask } from '../../services/followups/followUpTaskRepository';

const COLLECTION = 'followUpTasks';

/** A task as stored: `openKey` is set while it is open and carries a sparse unique index. */
type TaskDocument = FollowUpTask & { openKey?: string; _id?: string };

/** Follow-up tasks in the embedded database. */
export class EmbeddedFollowUpTaskRepository implements FollowUpTaskRepository {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedFollowUpTaskRepository needs an EmbeddedDatabase');
  }

  async open(key: string, task: NewFollowUpTask, at: Date): Promise<{ task: FollowUpTask; created: boolean }> {
    if (!key) throw new Error('A follow-up task needs a key');
    const store = await this.store();
    const doc: TaskDocument = { ...task, id: crypto.randomUUID(), status: 'open', openKey: key, createdAt: at, updatedAt: at };
    try {
      return { task: toTask(await store.insertAsync(doc)), created: true };
    } catch (err) {
      if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
      const existing = await store.findOneAsync({ openKey: key });
      if (!existing) throw err;
      return { task: toTask(existing), created: false };
    }
  }

  async get(id: string): Promise<FollowUpTask | undefined> {
    const doc = await (await this.store()).findOneAsync({ id });
    return doc ? toTask(doc) : undefined;
  }

  async setCallbackReference(id: string, reference: string, at: Date): Promise<FollowUpTask | undefined> {
    const store = await this.store();
    await store.updateAsync({ id }, { $set: { callbackReference: reference, updatedAt: at } }, {});
    return this.get(id);
  }

  async close(id: string, at: Date): Promise<FollowUpTask | undefined> {
    const store = await this.store();
    await store.updateAsync({ id, status: 'open' }, { $set: { status: 'done', updatedAt: at }, $unset: { openKey: true } }, {});
    return this.get(id);
  }

  async listOpen(assignee?: string): Promise<FollowUpTask[]> {
    const store = await this.store();
    const docs = await store.findAsync({ status: 'open', ...(assignee ? { assignee } : {}) }).sort({ createdAt: 1, id: 1 });
    return docs.map(toTask);
  }

  private async store() {
    const store = await this.db.collection<TaskDocument>(COLLECTION);
    this.ready ??= Promise.all([
      store.ensureIndexAsync({ fieldName: 'id', unique: true }),
      store.ensureIndexAsync({ fieldName: 'openKey', unique: true, sparse: true }),
    ]);
    await this.ready;
    return store;
  }
}

function toTask(doc: TaskDocument): FollowUpTask {
  const { _id, openKey: _openKey, ...task } = doc;
  return task;
}
