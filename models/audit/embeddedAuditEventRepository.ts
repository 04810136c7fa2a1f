import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { AuditEvent, AuditEventRepository, AuditEventType } from '../../services/audit/auditEventRepository';

/** Audit events in the embedded database (append-only). */
export class EmbeddedAuditEventRepository implements AuditEventRepository {
  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedAuditEventRepository needs a database');
  }

  async add(event: AuditEvent): Promise<void> {
    await (await this.db.collection('auditEvents')).insertAsync({ ...event });
  }

  async list(filter: { type?: AuditEventType; staffId?: string; caseId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
    const { limit = 100, ...fields } = filter;
    const query = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const docs = await (await this.db.collection('auditEvents')).findAsync(query).sort({ at: -1 }).limit(limit);
    return docs.map(({ _id, ...rest }) => rest as AuditEvent);
  }
}
