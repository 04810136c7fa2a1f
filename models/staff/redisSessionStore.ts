import type Redis from 'ioredis';
import type { SessionStore, StaffSession } from '../../services/staff/sessionStore';

/** Console sessions in Redis with a TTL, so every bot process sees the same sessions and expiry is Redis's job. */
export class RedisSessionStore implements SessionStore {
  constructor(private readonly redis: Redis, private readonly keyPrefix: string) {
    if (!redis) throw new Error('RedisSessionStore needs a Redis client');
  }

  async save(session: StaffSession): Promise<void> {
    const ttlMs = session.expiresAt.getTime() - Date.now();
    if (ttlMs <= 0) return;
    // The session and its entry in the staff member's index go in together; the index lives as long as their longest session.
    const index = this.indexKey(session.staffId);
    const results = await this.redis.multi()
      .set(this.keyPrefix + session.sessionId, JSON.stringify(session), 'PX', ttlMs)
      .sadd(index, session.sessionId)
      .pexpire(index, ttlMs, 'NX')
      .pexpire(index, ttlMs, 'GT')
      .exec();
    // A transaction reports a failed command in its results instead of throwing (PEXPIRE NX/GT needs Redis 7).
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async get(sessionId: string): Promise<StaffSession | undefined> {
    const raw = await this.redis.get(this.keyPrefix + sessionId);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as StaffSession;
    return { ...parsed, expiresAt: new Date(parsed.expiresAt) };
  }

  async delete(sessionId: string): Promise<void> {
    await this.redis.del(this.keyPrefix + sessionId);
  }

  async deleteByStaffId(staffId: string): Promise<void> {
    const index = this.indexKey(staffId);
    const ids = await this.redis.smembers(index);
    await this.redis.del(index, ...ids.map((id) => this.keyPrefix + id));
  }

  /** The set of a staff member's session ids (ids of expired sessions linger until the set itself expires; deleting them is harmless). */
  private indexKey(staffId: string): string {
    return `${this.keyPrefix}staff:${staffId}`;
  }
}
