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
    await this.redis.set(this.keyPrefix + session.sessionId, JSON.stringify(session), 'PX', ttlMs);
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
}
