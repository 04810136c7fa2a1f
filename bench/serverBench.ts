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
import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import mongoose from 'mongoose';
import { startFerretDb } from '../scripts/ferretdbServer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const seconds = Number(args.get('seconds') ?? 15);
const connections = Number(args.get('connections') ?? 50);
const conversations = Number(args.get('conversations') ?? 1000);
const redisUrl = args.get('redis') ?? 'redis://127.0.0.1:6379';
/** e.g. --node-flags=--cpu-prof to profile the servers */
const nodeFlags = (args.get('node-flags') ?? '').split(' ').filter(Boolean);

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

async function load(url: string, prefix: string, duration = seconds) {
  const result = await autocannon({
    url: `${url}/api/messages`, connections, duration, method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req: any) => ({ ...req, body: activityBody(prefix) }) }],
  });
  return {
    rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99,
    ok: result['2xx'], errors: result.errors + result.non2xx + result.timeouts,
  };
}

function startServer(mode: 'echo' | 'full', extra: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeFlags, '--require', require.resolve('tsx/cjs'), path.join(__dirname, 'benchServer.ts'), `--mode=${mode}`, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, child });
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function stopServer(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => { child.once('exit', (code) => resolve(code)); child.kill('SIGTERM'); });
}

async function main() {
  const ferret = args.get('mongo') ? undefined : await startFerretDb({ database: 'rapport_bench' });
  const mongoUri = args.get('mongo') ?? ferret!.uri;

  // (a) the floor: echo bot, same server and adapter, no state, no middleware.
  const echo = await startServer('echo');
  await load(echo.url, 'warm-echo', 3);
  const floor = await load(echo.url, 'echo');
  await stopServer(echo.child);

  // (b) Rapport on Redis + Mongo, in the same run.
  const prefix = `bench${Date.now()}`;
  const full = await startServer('full', [`--redis=${redisUrl}`, `--mongo=${mongoUri}`, `--prefix=rapport-bench:${prefix}:`]);
  await load(full.url, `warm${prefix}`, 3);
  const sentBefore = sequence;
  const result = await load(full.url, prefix);
  const sentFull = sequence - sentBefore;
  const stopStarted = Date.now();
  const exitCode = await stopServer(full.child); // graceful stop flushes every transcript
  const drainSeconds = (Date.now() - stopStarted) / 1000;

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
    machine: `${os.cpus().length} cores, node ${process.version}`,
    settings: { seconds, connections, conversations },
    a_echo_floor: floor,
    b_rapport_redis_mongo: result,
    ratio_throughput_b_over_a: +(result.rps / floor.rps).toFixed(3),
    ratio_p99_b_over_a: +(result.p99 / floor.p99).toFixed(3),
    goals: { throughput_ratio_min: 0.7, p99_ratio_max: 1.5 },
    transcripts: {
      graceful_exit_code: exitCode,
      seconds_to_drain_on_stop: drainSeconds,
      requests_answered_2xx: result.ok, requests_sent: sentFull,
      inbound_activities_stored: inboundIds.size, stored_more_than_once: duplicated, total_entries: docs.length,
      every_answered_activity_stored: inboundIds.size >= result.ok && duplicated === 0,
    },
  };
  console.log(JSON.stringify(report, null, 2));
  await ferret?.stop();
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
