/**
 * Handoff relay latency (not a test): `npm run bench:handoff`.
 * Starts Rapport on Redis + the Mongo-wire server (FerretDB it starts, unless --mongo=URI),
 * queues a client for a person over /api/messages, has an agent log in to the console API,
 * claim the case and listen on the console's server-sent events, then sends --messages
 * (default 200) client messages one at a time and measures, for each, the time from the
 * client's POST leaving to the message arriving on the agent's event stream.
 */
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../bot/config';
import { createApp } from '../bot/app';
import { startFerretDb } from '../scripts/ferretdbServer';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const count = Number(args.get('messages') ?? 200);
const ADMIN = { email: 'bench.admin@rapport.test', password: 'bench-admin-password-2026' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Cookies and CSRF header as a browser would keep them. */
class StaffSession {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}
  cookieHeader(): string { return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; '); }
  async call(method: string, route: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json', cookie: this.cookieHeader() };
    const csrf = this.cookies.get('rapport_csrf');
    if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    const res = await fetch(`${this.base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), decodeURIComponent(pair.slice(i + 1)));
    }
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${route} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }
}

async function main(): Promise<void> {
  const ferret = args.get('mongo') ? undefined : await startFerretDb({ database: 'rapport_handoff_bench' });
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', REDIS_URL: args.get('redis') ?? 'redis://127.0.0.1:6379',
    MONGODB_URI: args.get('mongo') ?? ferret!.uri, REDIS_KEY_PREFIX: `rapport-handoff-bench:${Date.now()}:`,
    ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, HANDOFF_STAFF_HOURS: 'always',
  }, { cwd: path.resolve(__dirname, '..') });
  const app = await createApp(config, pino({ level: 'silent' }));
  const base = `http://127.0.0.1:${await app.start()}`;
  const conversationId = `handoff-bench-${Date.now()}`;
  const post = (text: string) => fetch(`${base}/api/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', text, locale: 'zh-CN', channelId: 'emulator', serviceUrl: 'http://127.0.0.1:1',
      from: { id: `user-${conversationId}` }, recipient: { id: 'rapport' }, conversation: { id: conversationId }, deliveryMode: 'expectReplies',
    }),
  }).then((r) => r.text());

  await post('转人工');
  const agent = new StaffSession(base);
  await agent.call('POST', '/api/console/login', ADMIN);
  const queue = await agent.call('GET', '/api/console/queue');
  const entry = (queue.queue ?? queue.cases ?? queue).find((c: any) => c.conversationId === conversationId);
  if (!entry) throw new Error(`the client's case is not in the queue: ${JSON.stringify(queue).slice(0, 300)}`);
  await agent.call('POST', `/api/console/cases/${entry.caseId}/claim`, {});

  // The agent's live event stream; each awaited text resolves the moment it arrives.
  const waiting = new Map<string, (at: number) => void>();
  const controller = new AbortController();
  const stream = await fetch(`${base}/api/console/events`, { headers: { cookie: agent.cookieHeader() }, signal: controller.signal });
  void (async () => {
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = buffer.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          buffer = buffer.slice(end + 2);
          if (!data) continue;
          const event = JSON.parse(data);
          if (event.type === 'message' && event.message?.from === 'client') waiting.get(event.message.text)?.(at);
        }
      }
    } catch { /* closed */ }
  })();

  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const text = `bench message ${i} 请帮我查一下`;
    const arrived = new Promise<number>((resolve, reject) => {
      waiting.set(text, resolve);
      setTimeout(() => reject(new Error(`message ${i} did not reach the console in 10 s`)), 10000).unref();
    });
    const sent = performance.now();
    await post(text);
    latencies.push((await arrived) - sent);
    waiting.delete(text);
  }
  controller.abort();
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(JSON.stringify({
    machine: `${require('node:os').cpus().length} cores, node ${process.version}`,
    messages: count,
    client_message_to_console_ms: { p50: +percentile(sorted, 50).toFixed(1), p99: +percentile(sorted, 99).toFixed(1), max: +sorted[sorted.length - 1].toFixed(1) },
  }, null, 2));
  await app.stop();
  await ferret?.stop();
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
