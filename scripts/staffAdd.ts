/**
 * Adds a console staff account: `npm run staff:add -- --email a@bank.cn --role agent --name "李娜"`,
 * optionally `--teams-user <Entra object id>` so their clicks on the staff Teams cards act as them.
 * The password is read from stdin (piped) or a hidden prompt, never from argv, where it
 * would land in shell history and the process list.
 */
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../bot/config';
import { EmbeddedDatabase } from '../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../models/mongo/mongoConnection';
import { EmbeddedStaffRepository } from '../models/staff/embeddedStaffRepository';
import { MongoStaffRepository } from '../models/staff/mongoStaffRepository';
import { EmbeddedLoginAttemptRepository } from '../models/staff/embeddedLoginAttemptRepository';
import { MongoLoginAttemptRepository } from '../models/staff/mongoLoginAttemptRepository';
import { EmbeddedAuditEventRepository } from '../models/audit/embeddedAuditEventRepository';
import { MongoAuditEventRepository } from '../models/audit/mongoAuditEventRepository';
import { StaffService } from '../services/staff/staffService';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, '');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Hide what is typed: print the prompt once, swallow the echo of every keystroke after it.
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  let prompted = false;
  out._writeToOutput = (s: string) => { if (!prompted) { out.output.write(s); prompted = true; } };
  const answer = await new Promise<string>((resolve) => rl.question('Password: ', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, 'teams-user': { type: 'string' } }, strict: true });
  if (values.password !== undefined) throw new Error('--password is not accepted: pipe the password on stdin or type it at the prompt');
  if (!values.email || !values.role || !values.name) throw new Error('usage: npm run staff:add -- --email <e-mail> --role agent|supervisor|admin --name <display name> [--teams-user <Entra object id>]');
  const config = loadConfig(undefined, { cwd: path.resolve(__dirname, '..') });
  const mongo = config.MONGODB_URI ? await openMongoConnection(config.MONGODB_URI) : undefined;
  const embedded = new EmbeddedDatabase(path.join(config.dataDir, 'store'));
  try {
    const audit = mongo ? new MongoAuditEventRepository(mongo) : new EmbeddedAuditEventRepository(embedded);
    const service = new StaffService({
      staff: mongo ? new MongoStaffRepository(mongo) : new EmbeddedStaffRepository(embedded),
      attempts: mongo ? new MongoLoginAttemptRepository(mongo) : new EmbeddedLoginAttemptRepository(embedded),
      audit, maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES, windowMinutes: config.CONSOLE_LOGIN_WINDOW_MINUTES,
    });
    const created = await service.create({ email: values.email, role: values.role, displayName: values.name, password: await readPassword(), teamsUserId: values['teams-user'] }, 'cli');
    process.stdout.write(`created ${created.role} ${created.email} (${created.staffId})\n`);
  } finally {
    await mongo?.close();
    await embedded.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`staff:add: ${error.message}\n`);
  process.exit(1);
});
