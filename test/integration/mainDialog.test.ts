import cases from '../fixtures/conversations/main.json';
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';

interface Turn { user: string; expect: string[]; notExpect?: string[]; actions?: string[]; notMatch?: string }
interface Case { name: string; locale: string; turns: Turn[]; handoffs?: number }

describe('Main dialog over HTTP (embedded storage): routing, misses, interruptions, language', () => {
  let running: RunningApp;
  beforeAll(async () => { running = await startApp({ storage: 'embedded', env: { HANDOFF_STAFF_HOURS: 'always' } }); });
  afterAll(async () => { await running.stop(); });

  test('When the case table is read, then every case exists in both languages', () => {
    const locales = new Set((cases as Case[]).map((c) => c.locale || 'script'));
    expect(locales).toEqual(new Set(['zh-CN', 'en', 'script']));
  });

  let n = 0;
  test.each((cases as Case[]).map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    n += 1;
    const conversationId = `main-${n}-${Date.now()}`;
    for (const turn of testCase.turns) {
      const activity = messageActivity(conversationId, turn.user, testCase.locale ? { locale: testCase.locale } : { locale: undefined });
      const { status, replies } = await send(running.baseUrl, activity);
      expect(status).toBe(200);
      const text = replies.map((r) => r.text ?? '').join('\n');
      for (const expected of turn.expect) expect(text).toContain(expected);
      for (const unexpected of turn.notExpect ?? []) expect(text).not.toContain(unexpected);
      if (turn.notMatch) expect(text).not.toMatch(new RegExp(turn.notMatch));
      const actions = replies.flatMap((r) => r.suggestedActions?.actions?.map((a: any) => a.title) ?? []);
      for (const action of turn.actions ?? []) expect(actions).toContain(action);
    }
    if (testCase.handoffs !== undefined) {
      const repo = running.app.parts.handoffRequests as { listByConversation(c: string, id: string): Promise<unknown[]> };
      expect(await repo.listByConversation('emulator', conversationId)).toHaveLength(testCase.handoffs);
    }
  });
});
