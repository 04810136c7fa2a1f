/**
 * Imports CRM customers from a CSV file: `npm run customers:import -- customers.csv`.
 * Writes to the store the bot uses (MongoDB when MONGODB_URI is set, else the embedded store
 * under DATA_DIR/store; with the embedded store, stop the bot first: its files are single-process).
 * Prints a summary and every rejected row; exits 0 when the file was read (even with bad
 * rows), 1 when it cannot be read or has no external_id column. Columns: docs/USAGE.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../bot/config';
import { EmbeddedDatabase } from '../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../models/mongo/mongoConnection';
import { EmbeddedCustomerRepository } from '../models/customers/embeddedCustomerRepository';
import { MongoCustomerRepository } from '../models/customers/mongoCustomerRepository';
import { CustomerImporter } from '../services/customers/customerImport';

async function main(): Promise<number> {
  const file = process.argv.slice(2).find((arg) => arg !== '--');
  if (!file) {
    process.stderr.write('usage: npm run customers:import -- <file.csv>\n');
    return 1;
  }
  const config = loadConfig(undefined, { cwd: path.resolve(__dirname, '..') });
  // Same choice as the composition root: Mongo when configured, else the embedded store.
  const mongo = config.MONGODB_URI ? await openMongoConnection(config.MONGODB_URI) : undefined;
  const embedded = mongo ? undefined : new EmbeddedDatabase(path.join(config.dataDir, 'store'));
  try {
    const customers = mongo ? new MongoCustomerRepository(mongo) : new EmbeddedCustomerRepository(embedded!);
    const started = Date.now();
    const report = await new CustomerImporter(customers).importStream(fs.createReadStream(path.resolve(file)));
    for (const error of report.errors) {
      process.stdout.write(`line ${error.line}${error.externalId ? ` (${error.externalId})` : ''}: ${error.reasons.join('; ')}\n`);
    }
    process.stdout.write(`${path.basename(file)}: created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}, rejected ${report.errors.length} (${((Date.now() - started) / 1000).toFixed(1)} s, ${mongo ? 'MongoDB' : 'embedded store'})\n`);
    return 0;
  } finally {
    await mongo?.close();
    await embedded?.close();
  }
}

main().then((code) => { process.exitCode = code; }, (error: Error) => {
  process.stderr.write(`customers:import: ${error.message}\n`);
  process.exitCode = 1;
});
