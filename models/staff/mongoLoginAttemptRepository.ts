import { Schema, type Connection, type Model } from 'mongoose';
import type { LoginAttemptRepository } from '../../services/staff/staffRepository';

interface LoginFailure { key: string; at: Date }

const loginFailureSchema = new Schema<LoginFailure>({
  key: { type: String, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });
loginFailureSchema.index({ key: 1, at: 1 });

/** Failed console logins in MongoDB: inserts only, so concurrent failures are all counted. */
export class MongoLoginAttemptRepository implements LoginAttemptRepository {
  private readonly model: Model<LoginFailure>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoLoginAttemptRepository needs a connection');
    this.model = connection.models.LoginFailure ?? connection.model<LoginFailure>('LoginFailure', loginFailureSchema);
  }

  async recordFailure(key: string, at: Date): Promise<void> {
    await this.model.create({ key, at });
  }

  async countFailuresSince(key: string, since: Date): Promise<number> {
    return this.model.countDocuments({ key, at: { $gte: since } });
  }

  async clear(key: string): Promise<void> {
    await this.model.deleteMany({ key });
  }
}
