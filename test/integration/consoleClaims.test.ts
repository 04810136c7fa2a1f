import type { Connection } from 'mongoose';
import { startApp, type RunningApp } from '../support/appHarness';
import { ConsoleClient, ADMIN_ENV, AGENT, SUPERVISOR, addStaff, signIn } from '../support/consoleClient';
import { SseReader } from '../support/sseReader';
import { allHoursDesk, type AllHoursDesk } from '../support/allHoursDesk';
import type { HandoffService } from '../../services/handoff/handoffService';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { SurveyResponseRepository } from '../../services/surveys/surveyResponseRepository';

const STAFF = [
  AGENT,
  { email: 'zhang.wei@rapport.test', password: 'Agent-Paper-Lantern-8', displayName: '张伟', role: 'agent' },
  SUPERVISOR,
];

/**
 * The console's HTTP API on the real handoff desk (HandoffService on Mongo-wire storage and
 * the Redis event bus), open at all hours: see allHoursDesk.
 */
describe('Console claims over HTTP on the real handoff desk', () => {
  let running: RunningApp;
  let desk: HandoffService;
  let desking: AllHoursDesk;
  let sent: string[];
  const clients: ConsoleClient[] = [];

  beforeAll(async () => {
    running = await startApp({ storage: 'services', env: ADMIN_ENV });
    desking = allHoursDesk(running.app.parts.mongo as Connection);
    ({ desk, sent } = desking);
    running.app.parts.handoff = desk;
    await addStaff(running.baseUrl, STAFF);
    for (const s of STAFF) clients.push(await signIn(running.baseUrl, s));
  }, 60000);
  afterAll(async () => {
    await desking?.close();
    await running?.stop();
  });

  const queueOne = async (conversationId: string) => {
    const result = await desk.requestHandoff({ channelId: 'directline', conversationId, userId: `u-${conversationId}`, language: 'zh-CN', reason: 'client_request' });
    expect(result.queued).toBe(true);
    return (await desk.openCaseFor('directline', conversationId))!;
  };

  test('When two agents claim the same case at the same moment, then one gets 200 and the other 409 naming the winner', async () => {
    const queued = await queueOne(`claim-${Date.now()}`);
    const [a, b] = await Promise.all(clients.slice(0, 2).map((c) => c.call('POST', `/api/console/cases/${queued.caseId}/claim`, {})));
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body.code).toBe('already_taken');
    expect(loser.body.claimedBy.displayName).toBe(winner.body.case.claimedBy.displayName);
    expect(loser.body.message).toContain(winner.body.case.claimedBy.displayName);
    expect((await desk.getCase(queued.caseId))?.claimedBy?.displayName).toBe(winner.body.case.claimedBy.displayName);
  });

  test('When ten claims race through the API, then exactly one wins', async () => {
    const queued = await queueOne(`race-${Date.now()}`);
    const results = await Promise.all(Array.from({ length: 10 }, (_v, i) => clients[i % 2].call('POST', `/api/console/cases/${queued.caseId}/claim`, {})));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
  });

  test('When a client writes during a live case, then the holder and supervisor get it on the event stream and another agent does not; a reply reaches the client', async () => {
    const streams = await Promise.all(clients.map((c) => SseReader.open(`${running.baseUrl}/api/console/events`, { cookie: c.cookieHeader() })));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const [holder, other, supervisor] = streams.map((s) => s.reader!);
    try {
      const conversationId = `live-${Date.now()}`;
      const customers = running.app.parts.customers as CustomerRepository;
      const customer = await customers.create({ company: '华信贸易有限公司', name: '陈先生', tier: 'premier', relationshipManager: '周经理' }, undefined);
      await customers.linkChannelUser(customer.id, { channelId: 'directline', userId: `u-${conversationId}` });
      const answeredAt = new Date(Date.now() - 10 * 86_400_000);
      await (running.app.parts.surveyResponses as SurveyResponseRepository).saveAnswer('quick-csat', customer.id, 'ease', 2, {}, answeredAt);
      const queued = await queueOne(conversationId);
      await other.waitFor((e) => e.type === 'queued' && e.case.caseId === queued.caseId);
      expect((await clients[0].call('POST', `/api/console/cases/${queued.caseId}/claim`, {})).status).toBe(200);
      await desk.recordClientMessage(queued.caseId, '我的转账还没到账');
      await holder.waitFor((e) => e.type === 'message' && e.message.text === '我的转账还没到账');
      await supervisor.waitFor((e) => e.type === 'message' && e.message.text === '我的转账还没到账');
      const reply = await clients[0].call('POST', `/api/console/cases/${queued.caseId}/reply`, { text: '我来帮您查一下' });
      expect(reply.status).toBe(200);
      expect(sent).toContain('我来帮您查一下');
      await holder.waitFor((e) => e.type === 'message' && e.message.text === '我来帮您查一下');
      expect(other.events.filter((e) => e.type === 'message')).toEqual([]);
      const view = await clients[0].call('GET', `/api/console/cases/${queued.caseId}`);
      expect(view.body.messages.map((m: any) => [m.from, m.text])).toEqual([['client', '我的转账还没到账'], ['staff', '我来帮您查一下']]);
      expect(view.body.profile).toEqual({ name: '陈先生', company: '华信贸易有限公司', tier: 'premier', relationshipManager: '周经理', openTickets: [], callbacks: [],
        pastCsat: [{ score: 2, answeredAt: answeredAt.toISOString() }],
      });
      expect((await clients[1].call('POST', `/api/console/cases/${queued.caseId}/reply`, { text: 'not mine' })).status).toBe(403);
    } finally {
      for (const s of [holder, other, supervisor]) s.close();
    }
  });

  test('When an agent hands over their case and a supervisor reassigns it, then each move is accepted and the other agent cannot take or end it', async () => {
    const [liNa, zhangWei, supervisor] = clients;
    const ids = await Promise.all(clients.map(async (c) => (await c.call('GET', '/api/console/me')).body.staff.staffId as string));
    const queued = await queueOne(`transfer-${Date.now()}`);
    expect((await liNa.call('POST', `/api/console/cases/${queued.caseId}/claim`, {})).status).toBe(200);
    expect((await zhangWei.call('POST', `/api/console/cases/${queued.caseId}/transfer`, { toStaffId: ids[1] })).status).toBe(403);
    expect((await zhangWei.call('POST', `/api/console/cases/${queued.caseId}/end`, {})).status).toBe(403);
    const handed = await liNa.call('POST', `/api/console/cases/${queued.caseId}/transfer`, { toStaffId: ids[1] });
    expect([handed.status, handed.body.case.claimedBy.displayName]).toEqual([200, '张伟']);
    expect((await zhangWei.call('GET', '/api/console/active')).body.active.map((c: any) => c.caseId)).toContain(queued.caseId);
    expect((await liNa.call('GET', '/api/console/active')).body.active.map((c: any) => c.caseId)).not.toContain(queued.caseId);
    const reassigned = await supervisor.call('POST', `/api/console/cases/${queued.caseId}/transfer`, { toStaffId: ids[0] });
    expect([reassigned.status, reassigned.body.case.claimedBy.displayName]).toEqual([200, '李娜']);
    expect((await supervisor.call('GET', '/api/console/active')).body.active.map((c: any) => c.caseId)).toContain(queued.caseId);
    const ended = await supervisor.call('POST', `/api/console/cases/${queued.caseId}/end`, { outcome: 'closed' });
    expect([ended.status, ended.body.case.status]).toEqual([200, 'closed']);
    expect((await liNa.call('POST', `/api/console/cases/${queued.caseId}/end`, {})).status).toBe(409);
  });
});
