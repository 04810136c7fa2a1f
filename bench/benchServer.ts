/**
 * The server side of `npm run bench`, in its own process so the load generator does not share
 * its event loop: `--mode=echo` is the floor (same restify server and CloudAdapter, a bot that
 * only echoes), `--mode=full` is Rapport on Redis + Mongo. Prints `PORT <n>` when listening and
 * shuts down gracefully on SIGTERM (transcripts flushed).
 */
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../bot/config';
import { createApp } from '../bot/app';
import { createAdapter } from '../bot/adapter';
import { createBotServer } from '../bot/server';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const root = path.resolve(__dirname, '..');
const logger = pino({ level: args.get('log') ?? 'silent' });

async function main(): Promise<void> {
  if (args.get('mode') === 'echo') {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' }, { cwd: root });
    const { server } = createBotServer({
      adapter: createAdapter(config), logger, maxBodyBytes: config.MAX_BODY_BYTES, readiness: {}, authenticationEnabled: false,
      runTurn: async (context) => { await context.sendActivity(`echo: ${context.activity.text}`); },
    });
    server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as any).port}`));
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
    return;
  }
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: args.get('log') ?? 'silent', REDIS_URL: args.get('redis')!, MONGODB_URI: args.get('mongo')!,
    REDIS_KEY_PREFIX: args.get('prefix') ?? 'rapport-bench:',
    // The benchmark checks that every activity is stored: let the backlog drain fully on stop.
    SHUTDOWN_FLUSH_TIMEOUT_MS: args.get('flush-timeout') ?? '900000',
  }, { cwd: root });
  const app = await createApp(config, logger);
  const port = await app.start();
  console.log(`PORT ${port}`);
  process.on('SIGTERM', async () => { await app.stop(); process.exit(0); });
}

main().catch((error) => { console.error(error); process.exit(1); });
