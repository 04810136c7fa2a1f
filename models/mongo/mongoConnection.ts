import mongoose, { type Connection } from 'mongoose';

/**
 * Opens a dedicated mongoose connection (not the global one), so the bot, tests and
 * tools can hold several at once. Works against MongoDB and FerretDB 1.x: no
 * transactions or change streams are used anywhere; atomicity comes from
 * single-document updates and unique indexes.
 */
export async function openMongoConnection(uri: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    autoIndex: true,
  });
  await connection.asPromise();
  return connection;
}
