import { Schema, type Connection, type Model } from 'mongoose';
import type { AuditEvent, AuditEventRepository, AuditEventType } from '../../services/audit/auditEventRepository';

const auditEventSchema = new Schema<AuditEvent>({
  type: { type: String, required: true },
  at: { type: Date, required: true },
  staffId: { type: String },
  email: { type: String },
  caseId: { type: String },
  ip: { type: String },
  detail: { type: Schema.Types.Mixed },
}, { versionKey: false });
auditEventSchema.index({ at: -1 });
auditEventSchema.index({ staffId: 1, at: -1 });

/** Audit events in MongoDB (append-only). */
export class MongoAuditEventRepository implements AuditEventRepository {
  private readonly model: Model<AuditEvent>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoAuditEventRepository needs a connection');
    this.model = connection.models.AuditEvent ?? connection.model<AuditEvent>('AuditEvent', auditEventSchema);
  }

  async add(event: AuditEvent): Promise<void> {
    await this.model.create(event);
  }

  async list(filter: { type?: AuditEventType; staffId?: string; caseId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
    const { limit = 100, ...fields } = filter;
    const query = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const docs = await this.model.find(query, { _id: 0 }).sort({ at: -1 }).limit(limit).lean();
    return docs.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== null && v !== undefined)) as unknown as AuditEvent);
  }
}
