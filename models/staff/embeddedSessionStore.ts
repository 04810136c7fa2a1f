import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { SessionStore, StaffSession } from '../../services/staff/sessionStore';

/** Console sessions in the embedded database; expired ones are treated as absent and removed on read. */
export class EmbeddedSessionStore implements SessionStore {
  constructor(private readonly db: EmbeddedDatabase, private readonly now: () => Date = () => new Date()) {
    if (!db) throw new Error('EmbeddedSessionStore needs a database');
  }

  async save(session: StaffSession): Promise<void> {
    const store = await this.db.collection('staffSessions');
    await store.updateAsync({ sessionId: session.sessionId }, { ...session }, { upsert: true });
  }

  async get(sessionId: string): Promise<StaffSession | undefined> {
    const store = await this.db.collection('staffSessions');
    const doc = await store.findOneAsync({ sessionId });
    if (!doc) return undefined;
    if (new Date(doc.expiresAt) <= this.now()) {
      await store.removeAsync({ sessionId }, {});
      return undefined;
    }
    const { _id, ...rest } = doc;
    return rest as StaffSession;
  }

  async delete(sessionId: string): Promise<void> {
    await (await this.db.collection('staffSessions')).removeAsync({ sessionId }, {});
  }

  /** The sessions are documents carrying their staff id, so the collection itself is the index. */
  async deleteByStaffId(staffId: string): Promise<void> {
    await (await this.db.collection('staffSessions')).removeAsync({ staffId }, { multi: true });
  }
}
