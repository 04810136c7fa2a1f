/**
 * Churn risk kept current by the bot's own writes, over HTTP on Redis and the Mongo-wire
 * server: a linked client who gives a low CSAT, then files a complaint, sees their stored
 * score rise each time, without any dialog knowing about churn risk.
 */
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import type { Customer, CustomerRepository } from '../../services/customers/customerRepository';
import type { HandoffDesk } from '../../services/handoff/handoffDesk';
import { eventually } from '../support/eventually';

describe('Churn risk recomputed on new signals', () => {
  let running: RunningApp;
  beforeAll(async () => { running = await startApp({ storage: 'services', env: { HANDOFF_STAFF_HOURS: 'always' } }); });
  afterAll(async () => { await running.stop(); });

  test('When a linked client gives a CSAT of 1 and then files a complaint, then their stored churn-risk score rises to 15 and then 25, and the handoff queue ranks them by it', async () => {
    const conversationId = `churn-${Date.now()}`;
    const customers = running.app.parts.customers as CustomerRepository;
    const customer = await customers.upsertByExternalId(`CRM-${conversationId}`, { name: '王芳', company: '华东精密制造有限公司', tier: 'priority' });
    await customers.linkChannelUser(customer.id, { channelId: 'emulator', userId: `user-${conversationId}` });
    const say = async (text: string) => {
      const { status, replies } = await send(running.baseUrl, messageActivity(conversationId, text, { locale: 'zh-CN' }));
      expect(status).toBe(200);
      return replies.map((r) => r.text ?? '').join('\n');
    };
    const score = () => customers.get(customer.id).then((c: Customer | undefined) => c?.churnRisk?.score ?? 0);
    /** The stored customer once their score has reached `min` (the recompute runs after the turn). */
    const scoreReaches = (min: number) => eventually(async () => {
      const c = await customers.get(customer.id);
      expect(c?.churnRisk?.score ?? 0).toBeGreaterThanOrEqual(min);
      return c;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(await score()).toBe(0);

    await say('我想评价一下你们的服务');
    await say('1');
    const afterCsat = await scoreReaches(15);
    expect(afterCsat?.churnRisk?.score).toBe(15);
    expect(afterCsat?.churnRisk?.signals).toEqual([expect.objectContaining({ code: 'low_satisfaction', points: 15, detail: expect.stringContaining('CSAT 1') })]);
    await say('取消');

    await say('我要投诉');
    await say('收费问题');
    await say('上个月被多收了账户管理费，一直没有人解释');
    await say('低');
    await say('13812345678');
    expect(await say('确认提交')).toMatch(/CMP-\d{8}-/);
    const afterComplaint = await scoreReaches(25);
    expect(afterComplaint?.churnRisk?.score).toBe(25);
    expect(afterComplaint?.churnRisk?.signals.map((s) => s.code)).toEqual(['low_satisfaction', 'open_complaints']);

    // Asking for a person: priority tier 20 + round(25 × 0.45) = 11 from the stored score (the old heuristic would give 15 + 10).
    await say('转人工');
    const queue = await (running.app.parts.handoff as HandoffDesk).listQueue();
    const mine = queue.find((entry) => entry.conversationId === conversationId);
    expect(mine?.priority).toBe(31);
  }, 60_000);
});
