/**
 * Where the real test services are. Set by globalSetup: Redis on 127.0.0.1:6379 (or REDIS_URL),
 * the Mongo-wire server FerretDB started for this run (or MONGODB_URI).
 */
import crypto from 'node:crypto';

export function redisUrl(): string {
  return process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';
}

/** A Mongo URI with a database name unique to the caller, so suites never see each other's data. */
export function mongoUri(dbSuffix = crypto.randomBytes(4).toString('hex')): string {
  const base = process.env.MONGODB_URI_TEST;
  if (!base) throw new Error('MONGODB_URI_TEST is not set: the Mongo-wire server was not started by globalSetup');
  const u = new URL(base);
  u.pathname = `/rapport_test_${dbSuffix}`;
  return u.toString();
}

/** A Redis key prefix unique to one test, so parallel runs never collide. */
export function uniquePrefix(name: string): string {
  return `rapport-test:${name}:${crypto.randomBytes(4).toString('hex')}:`;
}
