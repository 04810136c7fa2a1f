import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { LoginAttemptRepository } from '../../services/staff/staffRepository';

/** Failed console logins in the embedded database (one document per failure). */
export class EmbeddedLoginAttemptRepository implements LoginAttemptRepository {
  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedLoginAttemptRepository needs a database');
  }

  async recordFailure(key: string, at: Date): Promise<void> {
    await (await this.db.collection('loginFailures')).insertAsync({ key, at });
  }

  async countFailuresSince(key: string, since: Date): Promise<number> {
    return (await this.db.collection('loginFailures')).countAsync({ key, at: { $gte: since } });
  }

  async clear(key: string): Promise<void> {
    await (await this.db.collection('loginFailures')).removeAsync({ key }, { multi: true });
  }
}
