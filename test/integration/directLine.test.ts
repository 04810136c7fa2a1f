import WebSocket from 'ws';
// botframework-connector comes with botbuilder (it is what CloudAdapter sends replies with).
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { DirectLine, ConnectionStatus } from 'botframework-directlinejs';
import { startApp, type RunningApp } from '../support/appHarness';
import { DirectLineTokenIssuer } from '../../bot/directline/directLineTokenIssuer';
import { SECRET, TOKEN_KEY, Stream, call, fetchAjax, postMessage, startConversation } from '../support/directLineClient';

const isBotMessage = (a: any) => a.type === 'message' && a.from?.role === 'bot';

describe('Direct Line 3.0 endpoint over real HTTP and WebSocket (Redis state, Mongo transcripts)', () => {
  let running: RunningApp;
  let baseUrl: string;
  const streams: Stream[] = [];
  beforeAll(async () => {
    running = await startApp({
      storage: 'services',
      env: { DIRECTLINE_SECRET: SECRET, DIRECTLINE_TOKEN_SECRET: TOKEN_KEY, DIRECTLINE_MESSAGES_PER_MINUTE: '8', DIRECTLINE_KEEPALIVE_MS: '1000' },
    });
    baseUrl = running.baseUrl;
  });
  afterEach(async () => { await Promise.all(streams.splice(0).map((s) => s.close())); });
  afterAll(async () => { await running.stop(); });
  const open = async (url: string) => { const s = await Stream.open(url); streams.push(s); return s; };

  test('When a client gets a token, starts a conversation and says 你好, then the welcome and the reply arrive on the stream and by polling, in order', async () => {
    const conversation = await startConversation(baseUrl);
    expect(conversation.streamUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/.+\/stream\?/);
    expect(conversation.expires_in).toBeGreaterThan(0);
    const stream = await open(conversation.streamUrl);
    const welcome = await stream.waitFor(isBotMessage);
    expect(welcome.text).toMatch(/[\u4e00-\u9fff]/);

    const posted = await postMessage(baseUrl, conversation, '你好', { channelData: { clientActivityID: 'client-1' } });
    expect(posted.status).toBe(200);
    expect(posted.body.id).toMatch(new RegExp(`^${conversation.conversationId}\\|\\d+$`));
    const echo = await stream.waitFor((a) => a.id === posted.body.id);
    expect(echo.channelData.clientActivityID).toBe('client-1');
    const reply = await stream.waitFor((a) => isBotMessage(a) && a.replyToId === posted.body.id);
    expect(reply.channelId).toBe('directline');

    const polled = await call(baseUrl, 'GET', `/conversations/${conversation.conversationId}/activities?watermark=`, conversation.token);
    expect(polled.status).toBe(200);
    const ids = polled.body.activities.map((a: any) => a.id);
    expect(ids).toEqual(expect.arrayContaining([welcome.id, posted.body.id, reply.id]));
    expect(ids).toEqual([...ids].sort());
    expect(polled.body.watermark).toBe(String(ids.length));
    const after = await call(baseUrl, 'GET', `/conversations/${conversation.conversationId}/activities?watermark=${polled.body.watermark}`, conversation.token);
    expect(after.body.activities).toEqual([]);
  });

  test('When the stream drops and the client reconnects with its watermark, then no activity is lost or repeated', async () => {
    const conversation = await startConversation(baseUrl);
    const first = await open(conversation.streamUrl);
    const one = await postMessage(baseUrl, conversation, '你好');
    await first.waitFor((a) => isBotMessage(a) && a.replyToId === one.body.id);
    const watermark = first.lastWatermark;
    await first.close();

    // Two messages while no socket is open.
    const two = await postMessage(baseUrl, conversation, '项目融资是什么');
    const three = await postMessage(baseUrl, conversation, '谢谢');
    const reconnect = await call(baseUrl, 'GET', `/conversations/${conversation.conversationId}?watermark=${watermark}`, conversation.token);
    expect(reconnect.status).toBe(200);
    const second = await open(reconnect.body.streamUrl);
    await second.waitFor((a) => isBotMessage(a) && a.replyToId === three.body.id);
    const four = await postMessage(baseUrl, conversation, '你好');
    await second.waitFor((a) => isBotMessage(a) && a.replyToId === four.body.id);

    const seen = [...first.activities, ...second.activities].map((a) => a.id);
    const all = (await call(baseUrl, 'GET', `/conversations/${conversation.conversationId}/activities`, conversation.token)).body.activities.map((a: any) => a.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all);
    expect(seen).toEqual(expect.arrayContaining([two.body.id, three.body.id]));
    expect(second.activities[0].id > first.activities[first.activities.length - 1].id).toBe(true);
  });

  test('When a stream is idle, then it receives empty keep-alive messages', async () => {
    const conversation = await startConversation(baseUrl);
    const stream = await open(conversation.streamUrl);
    await new Promise((resolve) => setTimeout(resolve, 2300));
    expect(stream.keepAlives).toBeGreaterThanOrEqual(2);
  });

  test('When a second stream opens for the same conversation, then the first one is closed', async () => {
    const conversation = await startConversation(baseUrl);
    const first = await open(conversation.streamUrl);
    const closed = new Promise<number>((resolve) => first.socket.once('close', (code) => resolve(code)));
    await open(conversation.streamUrl);
    expect(await closed).toBe(1000);
  });

  test("When conversation A's token is used on conversation B, then every route and the stream answer 403", async () => {
    const a = await startConversation(baseUrl);
    const b = await startConversation(baseUrl);
    expect((await call(baseUrl, 'GET', `/conversations/${b.conversationId}/activities`, a.token)).status).toBe(403);
    expect((await call(baseUrl, 'POST', `/conversations/${b.conversationId}/activities`, a.token, { type: 'message', text: 'hi' })).status).toBe(403);
    expect((await call(baseUrl, 'GET', `/conversations/${b.conversationId}?watermark=`, a.token)).status).toBe(403);
    const streamOfB = b.streamUrl.replace(/t=[^&]+/, `t=${a.token}`);
    await expect(Stream.open(streamOfB)).rejects.toThrow(/403/);
  });

  test('When a token is forged or expired, then the answer is 403 and refresh refuses it', async () => {
    const conversation = await startConversation(baseUrl);
    const { conversationId } = conversation;
    const user = JSON.parse(Buffer.from(conversation.token.split('.')[1], 'base64url').toString()).user;
    const otherKey = new DirectLineTokenIssuer('some-other-key-0123456789', 600).issue(conversationId, user).token;
    const [head, , signature] = conversation.token.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ conv: conversationId, user: 'someone-else', exp: 9999999999 })).toString('base64url')}.${signature}`;
    const expired = new DirectLineTokenIssuer(TOKEN_KEY, 60, () => Date.now() - 3600_000).issue(conversationId, user).token;
    for (const token of [otherKey, tampered, expired, 'not-a-token']) {
      expect((await call(baseUrl, 'GET', `/conversations/${conversationId}/activities`, token)).status).toBe(403);
      expect((await call(baseUrl, 'POST', '/tokens/refresh', token)).status).toBe(403);
    }
    await expect(Stream.open(conversation.streamUrl.replace(/t=[^&]+/, `t=${expired}`))).rejects.toThrow(/403/);
    expect((await call(baseUrl, 'POST', '/tokens/generate', 'wrong-secret')).status).toBe(403);
    expect((await call(baseUrl, 'POST', '/tokens/generate')).status).toBe(403);

    const refreshed = await call(baseUrl, 'POST', '/tokens/refresh', conversation.token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.conversationId).toBe(conversationId);
    expect((await call(baseUrl, 'GET', `/conversations/${conversationId}/activities`, refreshed.body.token)).status).toBe(200);
  });

  test('When a client posts as someone else, then from.id is forced to the user id in its token', async () => {
    const conversation = await startConversation(baseUrl, 'client-4711');
    const posted = await postMessage(baseUrl, conversation, '你好', { from: { id: 'someone-else', name: 'Mallory' } });
    const { activities } = (await call(baseUrl, 'GET', `/conversations/${conversation.conversationId}/activities`, conversation.token)).body;
    const echo = activities.find((a: any) => a.id === posted.body.id);
    expect(echo.from).toMatchObject({ id: 'client-4711', role: 'user' });
    await running.app.parts.conversationTracking.flush();
    const record = await running.app.parts.conversations.get('directline', conversation.conversationId);
    expect((record?.reference as any)?.user?.id).toBe('client-4711');
  });

  test('When a conversation posts more than its per-minute allowance, then it gets 429 with Retry-After and other conversations are unaffected', async () => {
    const noisy = await startConversation(baseUrl);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 9; i += 1) {
      const res = await postMessage(baseUrl, noisy, `你好 ${i}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(200));
    expect(statuses[8]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const quiet = await startConversation(baseUrl);
    expect((await postMessage(baseUrl, quiet, '你好')).status).toBe(200);
  });

  test('When an activity is larger than the body limit, then the answer is 413', async () => {
    const conversation = await startConversation(baseUrl);
    const res = await postMessage(baseUrl, conversation, 'x'.repeat(300 * 1024));
    expect(res.status).toBe(413);
  });

  test('When the bot sends a proactive message to a Direct Line conversation, then it appears on the stream', async () => {
    const conversation = await startConversation(baseUrl, 'client-proactive');
    const stream = await open(conversation.streamUrl);
    const posted = await postMessage(baseUrl, conversation, '你好');
    await stream.waitFor((a) => isBotMessage(a) && a.replyToId === posted.body.id);
    await running.app.parts.conversationTracking.flush();
    const proactive = running.app.parts.proactive as { sendToConversation(t: object, text: string): Promise<void> };
    await proactive.sendToConversation({ channelId: 'directline', conversationId: conversation.conversationId, userId: 'client-proactive' }, '您预约的回电将在30分钟后开始。');
    const pushed = await stream.waitFor((a) => a.text === '您预约的回电将在30分钟后开始。');
    expect(pushed.from.role).toBe('bot');
  });

  test('When the bot sends typing and a reply to its serviceUrl with the Bot Connector client, then both reach the stream; a wrong connector key or a proxied call gets 403', async () => {
    const conversation = await startConversation(baseUrl);
    const stream = await open(conversation.streamUrl);
    const posted = await postMessage(baseUrl, conversation, '你好');
    const echo = await stream.waitFor((a) => a.id === posted.body.id);
    expect(echo.serviceUrl).toBeUndefined();
    await running.app.parts.conversationTracking.flush();
    const serviceUrl = ((await running.app.parts.conversations.get('directline', conversation.conversationId))?.reference as any).serviceUrl;
    expect(serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v3\/directline\/connector\/[\w-]{22}$/);
    // The same client (no app id, so no token) the adapter uses for replies and proactive sends.
    const connector = new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri: serviceUrl });
    await connector.conversations.sendToConversation(conversation.conversationId, { type: 'typing', from: { id: 'rapport', name: 'Rapport' } } as any);
    const reply = await connector.conversations.replyToActivity(conversation.conversationId, posted.body.id, { type: 'message', text: 'connector reply', from: { id: 'rapport', name: 'Rapport' } } as any);
    expect((await stream.waitFor((a) => a.type === 'typing')).from.role).toBe('bot');
    expect((await stream.waitFor((a) => a.text === 'connector reply')).id).toBe(reply.id);
    const inject = (url: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ type: 'message', text: 'x' }) });
    expect((await inject(`${serviceUrl}/v3/conversations/no-such-conversation/activities`)).status).toBe(404);
    const ownActivities = `/v3/conversations/${conversation.conversationId}/activities`;
    expect((await inject(`${baseUrl}/v3/directline/connector/wrong-key-0123456789abc${ownActivities}`)).status).toBe(403);
    expect((await inject(`${serviceUrl}${ownActivities}`, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(403);
  });

  test('When the page asks /chat/token, then it gets a working token without knowing the secret', async () => {
    const res = await fetch(`${baseUrl}/chat/token`, { method: 'POST' });
    const { token, conversationId } = (await res.json()) as any;
    const started = await call(baseUrl, 'POST', '/conversations', token, {});
    expect(started.status).toBe(201);
    expect(started.body.conversationId).toBe(conversationId);
  });

  describe.each([
    ['WebSocket', true],
    ['polling', false],
  ])('With the real botframework-directlinejs client (%s)', (_mode, webSocket) => {
    const g = globalThis as any;
    beforeAll(() => { g.WebSocket = WebSocket; });
    afterAll(() => { delete g.WebSocket; });

    test('When it asks a product question in Chinese, then the answer arrives on its activity$ and the status goes Online', async () => {
      const { token } = (await call(baseUrl, 'POST', '/tokens/generate', SECRET, {})).body;
      const directLine = new DirectLine({ token, domain: `${baseUrl}/v3/directline`, webSocket, pollingInterval: 200, WebSocket, ajax: fetchAjax } as any);
      const received: any[] = [];
      const statuses: number[] = [];
      const subscriptions = [
        directLine.activity$.subscribe((a) => received.push(a)),
        directLine.connectionStatus$.subscribe((s) => statuses.push(s)),
      ];
      try {
        const id = await new Promise<string>((resolve, reject) => {
          directLine.postActivity({ type: 'message', from: { id: 'ignored' }, text: '项目融资是什么', locale: 'zh-CN' } as any).subscribe(resolve, reject);
        });
        const deadline = Date.now() + 15000;
        while (!received.some((a) => a.replyToId === id && a.text?.includes('项目融资')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(received.find((a) => a.replyToId === id)?.text).toMatch(/项目融资/);
        expect(received.filter((a) => a.id === id)).toHaveLength(1);
        expect(statuses).toContain(ConnectionStatus.Online);
      } finally {
        subscriptions.forEach((s) => s.unsubscribe());
        directLine.end();
      }
    });
  });
});

describe('Direct Line at shutdown', () => {
  test('When the app stops while a Direct Line turn runs, then the reply still reaches the conversation and new posts get 503', async () => {
    const running = await startApp({ storage: 'embedded', env: { DIRECTLINE_SECRET: SECRET } });
    const endpoint = running.app.parts.directLine as { store: { since(id: string): { activities: any[] } | undefined } };
    const conversation = await startConversation(running.baseUrl);
    const posting = postMessage(running.baseUrl, conversation, '项目融资是什么');
    const echoed = () => endpoint.store.since(conversation.conversationId)!.activities.find((a) => a.from?.role === 'user');
    while (!echoed()) await new Promise((resolve) => setImmediate(resolve));
    const stopping = running.stop();
    expect((await postMessage(running.baseUrl, conversation, '你好')).status).toBe(503);
    await stopping;
    await posting;
    const { activities } = endpoint.store.since(conversation.conversationId)!;
    expect(activities.find((a) => a.replyToId === echoed().id)?.text).toMatch(/项目融资/);
  });
});
