/**
 * Two real bot processes sharing Redis and Mongo: the client talks through process A, the
 * agent works in process B's console API. B's console sees the client's message live (the
 * handoff event crosses processes on Redis pub/sub), and B's replies reach the client through
 * a stub channel as proactive messages on the reference A stored in Mongo.
 */
import { messageActivity, send } from '../support/appHarness';
import { ConsoleClient } from '../support/consoleClient';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { startBotProcess, type BotProcess } from '../support/campaignProcess';
import { eventually } from '../support/eventually';
import { mongoUri, redisUrl, uniquePrefix } from '../support/services';

/** What one process does reaches the other through Redis and Mongo: a little slower than in one process. */
const acrossProcesses = { timeoutMs: 8000 };

describe('Handoff across two bot processes (Redis + Mongo)', () => {
  const admin = { email: 'desk-admin@example.test', password: 'Two-processes-2026!' };
  let a: BotProcess;
  let b: BotProcess;
  let channel: StubChannel;
  beforeAll(async () => {
    const shared = { REDIS_URL: redisUrl(), MONGODB_URI: mongoUri(), REDIS_KEY_PREFIX: uniquePrefix('two'), HANDOFF_STAFF_HOURS: 'always', TRANSCRIPT_FLUSH_MS: '50' };
    channel = await startStubChannel();
    a = await startBotProcess(shared);
    b = await startBotProcess({ ...shared, ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password });
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
    }, acrossProcesses);
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
      await eventually(() => expect(seen).toContain(': connected'), acrossProcesses);
      const sentAt = Date.now();
      expect(await talk('请问我的贷款什么时候放款？')).toEqual([]);
      await eventually(() => expect(seen).toContain('请问我的贷款什么时候放款？'), acrossProcesses);
      expect(Date.now() - sentAt).toBeLessThan(5000);

      expect((await agent.call('POST', `/api/console/cases/${caseId}/reply`, { text: '您好，预计明天放款。' })).status).toBe(200);
      await eventually(() => expect(channel.received.map((r) => r.body?.text)).toContain('您好，预计明天放款。'), acrossProcesses);

      expect((await agent.call('POST', `/api/console/cases/${caseId}/end`, { outcome: 'bot' })).status).toBe(200);
      await eventually(() => expect(channel.received.map((r) => r.body?.summary ?? r.body?.text).join('\n')).toContain('本次办理是否方便'), acrossProcesses);
      expect((await talk('4')).map((r) => r.text ?? '').join('\n')).toContain('感谢您的评分（4/5）');
    } finally {
      abort.abort();
      await reading;
    }
  }, 60000);
});
