/**
 * Two real bot processes sharing Redis and Mongo: the client talks through process A, the
 * agent works in process B's console API. B's console sees the client's message live (the
 * handoff event crosses processes on Redis pub/sub), and B's replies reach the client through
 * a stub channel as proactive messages on the reference A stored in Mongo.
 */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { messageActivity, send } from '../support/appHarness';
import { ConsoleClient } from '../support/consoleClient';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { mongoUri, redisUrl, uniquePrefix } from '../support/services';

const root = path.resolve(__dirname, '../..');

interface BotProcess { child: ChildProcess; baseUrl: string; stop(): Promise<void> }

async function startBot(env: Record<string, string>): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(root, 'bot/index.ts')], {
    cwd: root, env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => { out += chunk; });
  child.stderr!.on('data', (chunk) => { out += chunk; });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no port in: ${out}`)), 30000);
    child.stdout!.on('data', () => {
      const m = /"port":(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`bot exited ${code}: ${out}`)); });
  });
  return {
    child, baseUrl: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => { if (child.exitCode !== null) resolve(); else { child.once('exit', () => resolve()); child.kill('SIGTERM'); } }),
  };
}

async function eventually(check: () => void | Promise<void>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { await check(); return; } catch (error) { if (Date.now() > deadline) throw error; }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Handoff across two bot processes (Redis + Mongo)', () => {
  const admin = { email: 'desk-admin@example.test', password: 'Two-processes-2026!' };
  let a: BotProcess;
  let b: BotProcess;
  let channel: StubChannel;
  beforeAll(async () => {
    const shared = { REDIS_URL: redisUrl(), MONGODB_URI: mongoUri(), REDIS_KEY_PREFIX: uniquePrefix('two'), HANDOFF_STAFF_HOURS: 'always', TRANSCRIPT_FLUSH_MS: '50' };
    channel = await startStubChannel();
    a = await startBot(shared);
    b = await startBot({ ...shared, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password });
  }, 60000);
  afterAll(async () => { await Promise.all([a?.stop(), b?.stop()]); await channel?.close(); });

  test('When the client talks through process A and the agent works in process B, then each sees the other in real time', async () => {
    const id = `two-${Date.now()}`;
    const talk = async (text: string) => (await send(a.baseUrl, messageActivity(id, text, { serviceUrl: channel.url }))).replies;
    expect((await talk('转人工')).map((r) => r.text ?? '').join('\n')).toContain('您目前排在第');

    const agent = new ConsoleClient(b.baseUrl);
    expect((await agent.login(admin.email, admin.password)).status).toBe(200);
    let caseId = '';
    await eventually(async () => {
      const queue = await agent.call('GET', '/api/console/queue');
      caseId = queue.body.queue?.find((e: any) => e.conversationId === id)?.caseId;
      expect(caseId).toBeTruthy();
    });
    expect((await agent.call('POST', `/api/console/cases/${caseId}/claim`)).status).toBe(200);

    // The console's live stream on B.
    const abort = new AbortController();
    const stream = await fetch(`${b.baseUrl}/api/console/events`, { headers: { cookie: agent.cookieHeader() }, signal: abort.signal });
    expect(stream.status).toBe(200);
    let seen = '';
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    const reading = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += decoder.decode(value, { stream: true });
        }
      } catch { /* aborted */ }
    })();
    try {
      await eventually(() => expect(seen).toContain(': connected'));
      const sentAt = Date.now();
      expect(await talk('请问我的贷款什么时候放款？')).toEqual([]);
      await eventually(() => expect(seen).toContain('请问我的贷款什么时候放款？'));
      expect(Date.now() - sentAt).toBeLessThan(5000);

      expect((await agent.call('POST', `/api/console/cases/${caseId}/reply`, { text: '您好，预计明天放款。' })).status).toBe(200);
      await eventually(() => expect(channel.received.map((r) => r.body?.text)).toContain('您好，预计明天放款。'));

      expect((await agent.call('POST', `/api/console/cases/${caseId}/end`, { outcome: 'bot' })).status).toBe(200);
      await eventually(() => expect(channel.received.map((r) => r.body?.summary ?? r.body?.text).join('\n')).toContain('本次办理是否方便'));
      expect((await talk('4')).map((r) => r.text ?? '').join('\n')).toContain('感谢您的评分（4/5）');
    } finally {
      abort.abort();
      await reading;
    }
  }, 60000);
});
