/**
 * Server benchmark (not a test): `npm run bench`.
 * Loads POST /api/messages with expectReplies from 50 concurrent connections over many
 * conversations, and reports req/s and p50/p99 latency for
 *   (a) a minimal echo bot on the same restify server and CloudAdapter (the floor), and
 *   (b) Rapport with Redis state, the conversation lock and Mongo transcripts,
 * measured in the same run, with the ratios b/a. Then checks that every activity sent in (b)
 * is in the transcript store exactly once.
 * Needs Redis on 127.0.0.1:6379 (or BENCH_REDIS_URL) and starts FerretDB itself unless
 * BENCH_MONGODB_URI is given. Duration per run: BENCH_SECONDS (default 15).
 */
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import mongoose from 'mongoose';
import { loadConfig } from '../bot/config';
import { createApp } from '../bot/app';
import { createAdapter } from '../bot/adapter';
import { createBotServer } from '../bot/server';
import { startFerretDb } from '../scripts/ferretdbServer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const seconds = Number(args.get('seconds') ?? 15);
const connections = Number(args.get('connections') ?? 50);
const conversations = Number(args.get('conversations') ?? 1000);
const redisUrl = args.get('redis') ?? 'redis://127.0.0.1:6379';

let sequence = 0;
function activityBody(prefix: string): string {
  sequence += 1;
  const conv = `${prefix}-${sequence % conversations}`;
  return JSON.stringify({
    type: 'message', id: `${prefix}-act-${sequence}`, text: '你好', locale: 'zh-CN', channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:1', from: { id: `user-${conv}` }, recipient: { id: 'rapport' },
    conversation: { id: conv }, deliveryMode: 'expectReplies', timestamp: new Date().toISOString(),
  });
}

async function load(url: string, prefix: string) {
  const result = await autocannon({
    url: `${url}/api/messages`, connections, duration: seconds, method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: any) => ({ ...req, body: activityBody(prefix) }) }],
  });
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99,
    ok: result['2xx'], errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function main() {
  const ferret = args.get('mongo') ? undefined : await startFerretDb({ database: 'rapport_bench' });
  const mongoUri = args.get('mongo') ?? ferret!.uri;
  const logger = pino({ level: 'silent' });
  const root = path.resolve(__dirname, '..');

  // (a) the floor: echo bot, same server and adapter, no state, no middleware.
  const floorConfig = loadConfig({ PORT: '0', HOST: '127.0.0.1' }, { cwd: root });
  const adapter = createAdapter(floorConfig);
  const echo = createBotServer({
    adapter, logger, maxBodyBytes: floorConfig.MAX_BODY_BYTES, readiness: {}, authenticationEnabled: false,
    runTurn: async (context) => { await context.sendActivity(`echo: ${context.activity.text}`); },
  });
  await new Promise<void>((r) => echo.server.listen(0, '127.0.0.1', () => r()));
  const echoUrl = `http://127.0.0.1:${(echo.server.address() as any).port}`;

  // (b) Rapport on Redis + Mongo.
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', REDIS_URL: redisUrl, MONGODB_URI: mongoUri,
    REDIS_KEY_PREFIX: `rapport-bench:${Date.now()}:`,
  }, { cwd: root });
  const app = await createApp(config, logger);
  const port = await app.start();
  const appUrl = `http://127.0.0.1:${port}`;

  // warm-up both (JIT, connections, indexes)
  await load(echoUrl, 'warm-echo').catch(() => undefined);
  const prefix = `bench${Date.now()}`;
  const floor = await load(echoUrl, 'echo');
  const sentBefore = sequence;
  const full = await load(appUrl, prefix);
  const sentFull = sequence - sentBefore;

  await app.parts.transcriptLogger.flush(120000);
  const conn = await mongoose.createConnection(mongoUri).asPromise();
  const docs = await conn.collection('transcript_activities').find({ conversationId: { $regex: `^${prefix}-` } }, { projection: { activity: 1 } }).toArray();
  const inboundIds = new Map<string, number>();
  for (const doc of docs) {
    const activity = JSON.parse(doc.activity as string);
    if (activity.from?.id?.startsWith('user-')) inboundIds.set(activity.id, (inboundIds.get(activity.id) ?? 0) + 1);
  }
  const duplicated = [...inboundIds.values()].filter((n) => n > 1).length;
  await conn.close();

  const report = {
    machine: `${require('node:os').cpus().length} cores, node ${process.version}`,
    settings: { seconds, connections, conversations },
    a_echo_floor: floor,
    b_rapport_redis_mongo: full,
    ratio_throughput_b_over_a: +(full.rps / floor.rps).toFixed(3),
    ratio_p99_b_over_a: +(full.p99 / floor.p99).toFixed(3),
    goals: { throughput_ratio_min: 0.7, p99_ratio_max: 1.5 },
    transcripts: {
      requests_answered_2xx: full.ok, requests_started: sentFull,
      inbound_activities_stored: inboundIds.size, stored_more_than_once: duplicated, total_entries: docs.length,
      every_answered_activity_stored: inboundIds.size >= full.ok && duplicated === 0,
    },
  };
  console.log(JSON.stringify(report, null, 2));
  await app.stop();
  await new Promise<void>((r) => echo.server.close(() => r()));
  await ferret?.stop();
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
