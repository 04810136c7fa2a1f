/**
 * The two storages a repository runs on, for `describe.each`: the embedded store (in memory) and
 * the Mongo-wire server of the test services.
 */
import type { Connection } from 'mongoose';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { mongoUri } from './services';

/**
 * Opens connections to the test Mongo-wire server (each on a new database unless given a URI)
 * and closes them all after the file's tests. Call it at the top level of a test file: it
 * registers that afterAll.
 */
export function mongoConnections(): (uri?: string) => Promise<Connection> {
  const connections: Connection[] = [];
  afterAll(async () => { await Promise.all(connections.map((c) => c.close())); });
  return async (uri = mongoUri()) => {
    const connection = await openMongoConnection(uri);
    connections.push(connection);
    return connection;
  };
}

/**
 * `[['embedded', create], ['mongo', create]]`: each create builds a fresh repository, on a new
 * in-memory database or on a new Mongo connection (see mongoConnections: call it at the top level
 * of a test file).
 */
export function storeFactories<R>(
  embedded: (database: EmbeddedDatabase) => R | Promise<R>,
  mongo: (connection: Connection) => R | Promise<R>,
): Array<[string, () => Promise<R>]> {
  const connectMongo = mongoConnections();
  return [
    ['embedded', async () => embedded(new EmbeddedDatabase(null))],
    ['mongo', async () => mongo(await connectMongo())],
  ];
}
