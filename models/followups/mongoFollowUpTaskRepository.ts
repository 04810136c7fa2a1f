import crypto from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { FollowUpTask } from '../../services/campaigns/campaign';
import type { FollowUpTaskRepository, NewFollowUpTask } from '../../services/followups/followUpTaskRepository';

/** A task as stored: `openKey` is set while it is open and carries a sparse unique index. */
type TaskDocument = FollowUpTask & { openKey?: string };

const taskSchema = new Schema<TaskDocument>({
  id: { type: String, required: true },
  openKey: { type: String },
  customerId: { type: String },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  assignee: { type: String, required: true },
  reason: { type: String, required: true, enum: ['detractor', 'low_csat'] },
  score: { type: Number, required: true },
  campaignId: { type: String },
  surveyId: { type: String },
  callbackReference: { type: String },
  status: { type: String, required: true, enum: ['open', 'done'] },
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
}, { versionKey: false });
taskSchema.index({ id: 1 }, { unique: true });
taskSchema.index({ openKey: 1 }, { unique: true, sparse: true });
taskSchema.index({ status: 1, assignee: 1, createdAt: 1 });

/**
 * Follow-up tasks in MongoDB (FerretDB-compatible): one open task per key is a unique insert,
 * not a guarded upsert, since FerretDB 1.x lets two guarded updates both win.
 */
export class MongoFollowUpTaskRepository implements FollowUpTaskRepository {
  private readonly model: Model<TaskDocument>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoFollowUpTaskRepository needs a mongoose connection');
    this.model = connection.models.FollowUpTask ?? connection.model<TaskDocument>('FollowUpTask', taskSchema);
  }

  async open(key: string, task: NewFollowUpTask, at: Date): Promise<{ task: FollowUpTask; created: boolean }> {
    if (!key) throw new Error('A follow-up task needs a key');
    await this.ensureIndexes();
    const doc: TaskDocument = { ...task, id: crypto.randomUUID(), status: 'open', openKey: key, createdAt: at, updatedAt: at };
    try {
      await this.model.create(doc);
      return { task: toTask(doc), created: true };
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const existing = await this.model.findOne({ openKey: key }).lean();
      if (!existing) throw err;
      return { task: toTask(existing as TaskDocument), created: false };
    }
  }

  async get(id: string): Promise<FollowUpTask | undefined> {
    const doc = await this.model.findOne({ id }).lean();
    return doc ? toTask(doc as TaskDocument) : undefined;
  }

  async setCallbackReference(id: string, reference: string, at: Date): Promise<FollowUpTask | undefined> {
    await this.model.updateOne({ id }, { $set: { callbackReference: reference, updatedAt: at } });
    return this.get(id);
  }

  async close(id: string, at: Date): Promise<FollowUpTask | undefined> {
    await this.model.updateOne({ id, status: 'open' }, { $set: { status: 'done', updatedAt: at }, $unset: { openKey: 1 } });
    return this.get(id);
  }

  async listOpen(assignee?: string): Promise<FollowUpTask[]> {
    const docs = await this.model.find({ status: 'open', ...(assignee ? { assignee } : {}) }).sort({ createdAt: 1, id: 1 }).lean();
    return docs.map((d) => toTask(d as TaskDocument));
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= this.model.init();
    return this.indexes;
  }
}

function toTask(doc: TaskDocument & { _id?: unknown }): FollowUpTask {
  const { _id, openKey: _openKey, ...rest } = doc;
  const task = { ...rest } as Record<string, unknown>;
  for (const key of Object.keys(task)) if (task[key] === null || task[key] === undefined) delete task[key];
  return task as unknown as FollowUpTask;
}
