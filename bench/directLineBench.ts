/**
 * Direct Line round-trip benchmark (not a test): `npx tsx bench/directLineBench.ts`.
 * Starts Rapport (Redis state and lock, Mongo transcripts on a FerretDB it starts, unless
 * --storage=embedded), opens Direct Line conversations over real HTTP, and for each message
 * measures the time from the POST leaving the client to the bot's reply arriving on the
 * conversation's WebSocket stream. One message at a time: this is latency, not throughput.
 * Options: --messages=500 --conversations=10 --storage=services|embedded --redis=URL --mongo=URI
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../bot/config';
import { createApp } from '../bot/app';
import { startFerretDb } from '../scripts/ferretdbServer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const messages = Number(args.get('messages') ?? 500);
const conversationCount = Number(args.get('conversations') ?? 10);
const storage = args.get('storage') ?? 'services';
const SECRET = 'bench-directline-secret-0123456789';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function dl(base: string, method: string, route: string, credential: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}/v3/directline${route}`, {
    method, headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status}`);
  return res.json();
}

async function main(): Promise<void> {
  const ferret = storage === 'services' && !args.get('mongo') ? await startFerretDb({ database: 'rapport_dl_bench' }) : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-dl-bench-'));
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, NODE_ENV: 'production',
    DIRECTLINE_SECRET: SECRET, DIRECTLINE_MESSAGES_PER_MINUTE: '100000',
    ...(storage === 'services' ? { REDIS_URL: args.get('redis') ?? 'redis://127.0.0.1:6379', MONGODB_URI: args.get('mongo') ?? ferret!.uri, REDIS_KEY_PREFIX: `rapport-dl-bench:${Date.now()}:` } : {}),
  }, { cwd: path.resolve(__dirname, '..') });
  const app = await createApp(config, pino({ level: 'silent' }));
  const base = `http://127.0.0.1:${await app.start()}`;
  const samples: number[] = [];
  try {
    for (let c = 0; c < conversationCount; c += 1) {
      const { token } = await dl(base, 'POST', '/tokens/generate', SECRET, {});
      const conversation = await dl(base, 'POST', '/conversations', token, { locale: 'zh-CN' });
      const socket = new WebSocket(conversation.streamUrl);
      const waiting = new Map<string, (at: number) => void>();
      const early = new Map<string, number>();
      socket.on('message', (data) => {
        const at = performance.now();
        const text = data.toString();
        if (!text) return;
        for (const activity of JSON.parse(text).activities) {
          if (activity.from?.role !== 'bot' || !activity.replyToId || activity.type !== 'message') continue;
          const resolve = waiting.get(activity.replyToId);
          if (resolve) { waiting.delete(activity.replyToId); resolve(at); } else if (!early.has(activity.replyToId)) early.set(activity.replyToId, at);
        }
      });
      await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
      const perConversation = Math.ceil(messages / conversationCount);
      for (let i = 0; i < perConversation && samples.length < messages; i += 1) {
        const sentAt = performance.now();
        // The turn runs before POST answers, so the reply usually reaches the stream first.
        const { id } = await dl(base, 'POST', `/conversations/${conversation.conversationId}/activities`, token, { type: 'message', text: i % 2 ? '项目融资是什么' : '你好', locale: 'zh-CN', from: { id: 'bench' } });
        const arrivedAt = early.get(id) ?? await new Promise<number>((resolve) => waiting.set(id, resolve));
        early.delete(id);
        samples.push(arrivedAt - sentAt);
      }
      socket.close();
    }
  } finally {
    await app.stop();
    await ferret?.stop();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  console.log(JSON.stringify({
    storage, messages: samples.length, conversations: conversationCount,
    p50_ms: +percentile(sorted, 50).toFixed(2), p99_ms: +percentile(sorted, 99).toFixed(2), mean_ms: +mean.toFixed(2), max_ms: +sorted[sorted.length - 1].toFixed(2),
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
