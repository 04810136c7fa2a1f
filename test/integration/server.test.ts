import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';

describe('Bot server over real HTTP (Redis state, Mongo transcripts)', () => {
  let running: RunningApp;
  beforeAll(async () => { running = await startApp({ storage: 'services' }); });
  afterAll(async () => { await running.stop(); });

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${running.baseUrl}/api/messages`, { method: 'POST', headers, body });

  test('When a client says hello with expectReplies, then the replies come back in the response body', async () => {
    const { status, replies } = await send(running.baseUrl, messageActivity('conv-hello', '你好'));
    expect(status).toBe(200);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies[0].type).toBe('message');
    expect(replies.map((r) => r.text).join('\n')).toMatch(/[\u4e00-\u9fff]/);
  });

  test('When the body is malformed JSON, then the answer is 400 with a JSON error body', async () => {
    const res = await post('{"type": "message", ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.code).toBeTruthy();
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
  });

  test.each([
    ['no type', { conversation: { id: 'x' }, text: 'hi' }, /type/],
    ['no conversation id', { type: 'message', text: 'hi' }, /conversation\.id/],
    ['an array', [1, 2], /JSON object/],
  ])('When the activity has %s, then the answer is 400 naming the problem', async (_name, activity, pattern) => {
    const res = await post(JSON.stringify(activity));
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).message).toMatch(pattern);
  });

  test('When the body is over the limit, then the answer is 413 and the server keeps serving', async () => {
    const big = JSON.stringify(messageActivity('conv-big', 'x'.repeat(300 * 1024)));
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).code).toBeTruthy();
    const health = await fetch(`${running.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  test('When a route does not exist, then the answer is a 404 JSON body', async () => {
    const res = await fetch(`${running.baseUrl}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(((await res.json()) as any).code).toBe('ResourceNotFound');
  });

  test('When health and readiness are asked, then both answer and readiness names its checks', async () => {
    expect(((await (await fetch(`${running.baseUrl}/healthz`)).json()) as any).status).toBe('ok');
    const ready = await fetch(`${running.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).checks).toEqual({ transcripts: 'up', redis: 'up', mongo: 'up' });
  });

  test('When 20 messages of one conversation arrive at once, then every turn runs and the turn counter ends at exactly 20', async () => {
    const id = `conv-concurrent-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 20 }, (_v, i) => send(running.baseUrl, messageActivity(id, `你好 ${i}`))));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const key = `emulator/conversations/${id}/`;
    const state = await running.app.parts.storage.read([key]);
    expect(state[key].profile.turns).toBe(20);
  });

  test('When messages are exchanged, then every inbound and outbound activity is in the transcript store with PII masked', async () => {
    const id = `conv-transcript-${Date.now()}`;
    const { replies } = await send(running.baseUrl, messageActivity(id, '我的卡号 6222 0212 3456 7890 123 丢了'));
    await running.app.parts.transcriptLogger.flush(5000);
    const page = await running.app.parts.transcriptStore.getTranscriptActivities('emulator', id);
    expect(page.items.length).toBe(1 + replies.length);
    const inbound = page.items.find((a: any) => a.from?.id === `user-${id}`)!;
    expect(inbound.text).not.toContain('6222 0212 3456 7890 123');
    expect(inbound.text).toMatch(/0123|\*{4}/);
    expect(inbound.timestamp).toBeInstanceOf(Date);
  });
});

describe('Bot Framework authentication', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ storage: 'embedded', env: { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' } });
  });
  afterAll(async () => { await running.stop(); });

  test.each([
    ['no token', {}],
    ['a forged token', { authorization: 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIiwiYXVkIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAxIn0.c2lnbmF0dXJl' }],
  ])('When an app id is set and a request has %s, then it gets 401 and reaches no bot code', async (_name, headers) => {
    const id = `conv-auth-${Math.random()}`;
    const res = await fetch(`${running.baseUrl}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(messageActivity(id, 'hello')),
    });
    expect(res.status).toBe(401);
    await running.app.parts.transcriptLogger.flush(2000);
    const page = await running.app.parts.transcriptStore.getTranscriptActivities('emulator', id);
    expect(page.items).toHaveLength(0);
  });
});
