/**
 * Starts the Mongo-wire server the tests talk to, unless MONGODB_URI names one already
 * (a real MongoDB). FerretDB v1 runs on SQLite in a temp folder on a free loopback port.
 * A missing binary fails the run: tests that need a service never skip.
 */
import { FERRETDB_DEFAULT_BIN, startFerretDb } from '../../scripts/ferretdbServer';

export default async function globalSetup(): Promise<void> {
  process.env.REDIS_URL_TEST ??= process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const bin = process.env.FERRETDB_BIN || FERRETDB_DEFAULT_BIN;
  process.env.FERRETDB_TEST_BIN = bin;
  if (process.env.MONGODB_URI) {
    process.env.MONGODB_URI_TEST = process.env.MONGODB_URI;
    return;
  }
  const server = await startFerretDb({ bin, database: 'rapport_test' });
  process.env.MONGODB_URI_TEST = server.uri;
  process.env.FERRETDB_TEST_DIR = server.dir;
  process.env.FERRETDB_TEST_PORT = String(server.port);
  (globalThis as any).__ferretServer = server;
}
