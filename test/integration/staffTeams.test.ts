/**
 * Staff taking handoffs from Teams, over real HTTP on Redis + the Mongo-wire server: the stub
 * channel is both the client's channel and the Teams service of the staff channel
 * (STAFF_TEAMS_CONVERSATION). A client asks for a person → a card with a Take button arrives in
 * the staff channel; a Teams-shaped `adaptiveCard/action` invoke from a staff member's Teams user
 * claims the case through the desk as the staff account linked to that user (linked through the
 * console's staff API) and is answered with the refreshed card.
 */
import adaptiveCardAction from '../fixtures/teams/adaptiveCardAction.json';
import { startApp, send, type RunningApp } from '../support/appHarness';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { ADMIN_ENV, AGENT, addStaff, type ConsoleClient, signIn } from '../support/consoleClient';
import { eventually } from '../support/eventually';
import type { HandoffService } from '../../services/handoff/handoffService';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const STAFF_CHANNEL = '19:rapport-staff-desk@thread.tacv2';
const TENANT = adaptiveCardAction.channelData.tenant.id;
const LI_MIN = { email: 'li.min@rapport.test', password: 'Agent-Paper-Kite-42', displayName: '李敏', role: 'agent', teamsUserId: '3C1A9E55-0F4B-4D2B-9A61-7D0C2E4B8F10' };
const ZHANG_WEI = { email: 'zhang.wei@rapport.test', password: 'Agent-River-Stone-37', displayName: '张伟', role: 'agent', teamsUserId: '29:1zhangWeiTeamsId_x8Q' };
const STRANGER_AAD = '9d2f6a10-5b7e-4c1d-8e3f-2a4b6c8d0e12';

const time = (at: Date | string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
const cardOf = (activity: any): any => activity?.attachments?.find((a: any) => a.contentType === ADAPTIVE_CARD)?.content;
const statusOf = (card: any): string => card.body[card.body.length - 1].text;

let n = 0;
/** A Teams personal-chat message from a client (their own user and conversation), delivered to the stub. */
function clientMessage(serviceUrl: string, conversationId: string, text: string) {
  n += 1;
  return {
    type: 'message', id: `${Date.now()}${n}`, text, textFormat: 'plain', locale: 'zh-CN', channelId: 'msteams', serviceUrl,
    timestamp: new Date().toISOString(), from: { id: `29:client-${conversationId}`, name: '客户', aadObjectId: `client-${conversationId}` },
    recipient: adaptiveCardAction.recipient, conversation: { conversationType: 'personal', tenantId: TENANT, id: conversationId },
    channelData: { tenant: { id: TENANT } }, deliveryMode: 'expectReplies',
  };
}

/** The invoke Teams posts when a staff member presses Take on the card posted as `activityId` in the staff channel. */
function takeInvoke(serviceUrl: string, activityId: string, caseId: string, from: { id: string; name: string; aadObjectId?: string }) {
  const invoke = structuredClone(adaptiveCardAction) as any;
  n += 1;
  Object.assign(invoke, {
    id: `f:take-${n}`, serviceUrl, from, replyToId: activityId, timestamp: new Date().toISOString(),
    conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: `${STAFF_CHANNEL};messageid=${activityId}` },
    channelData: { tenant: { id: TENANT }, channel: { id: STAFF_CHANNEL }, team: { id: STAFF_CHANNEL } },
  });
  invoke.value.action = { type: 'Action.Execute', title: '接入', verb: 'handoff.take', data: { caseId } };
  return invoke;
}

async function postInvoke(baseUrl: string, activity: object): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const raw = await res.text();
  return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
}

describe('Staff Teams handoff cards over HTTP (Redis + Mongo)', () => {
  let running: RunningApp;
  let stub: StubChannel;
  let desk: HandoffService;
  let admin: ConsoleClient;
  const staffIds: Record<string, string> = {};

  beforeAll(async () => {
    stub = await startStubChannel();
    running = await startApp({
      storage: 'services',
      env: { ...ADMIN_ENV, HANDOFF_STAFF_HOURS: 'always', STAFF_TEAMS_CONVERSATION: `${stub.url}|${STAFF_CHANNEL}|${TENANT}` },
    });
    desk = running.app.parts.handoff as HandoffService;
    admin = await addStaff(running.baseUrl, [AGENT]);
    for (const member of [LI_MIN, ZHANG_WEI]) {
      const created = await admin.call('POST', '/api/console/staff', member);
      expect(created.status).toBe(201);
      staffIds[member.displayName] = created.body.staff.staffId;
    }
  }, 60000);
  afterAll(async () => {
    await running?.stop();
    await stub?.close();
  });

  /** A client asks for a person; resolves with their case and the card posted for it in the staff channel. */
  async function queueClient(prefix: string) {
    const conversationId = `a:${prefix}-${Date.now()}-${n}`;
    const { replies } = await send(running.baseUrl, clientMessage(stub.url, conversationId, '转人工'));
    expect(replies.find((r) => r.type === 'event')).toMatchObject({ name: 'handoff.initiate' });
    const handoffCase = (await desk.openCaseFor('msteams', conversationId))!;
    expect(handoffCase.status).toBe('queued');
    const posted = await eventually(() => {
      const found = stub.delivered(STAFF_CHANNEL).find((r) => cardOf(r.body)?.actions?.[0]?.data?.caseId === handoffCase.caseId);
      expect(found).toBeDefined();
      return found!;
    });
    // The id the channel gave the card (the stub answers each post with its own id), as the app kept it for updates.
    const key = `staffTeamsCards/${handoffCase.caseId}`;
    const activityId = await eventually(async () => {
      const kept = (await running.app.parts.storage.read([key]))[key] as { activityId?: string } | undefined;
      expect(kept?.activityId).toMatch(/^stub-\d+$/);
      return kept!.activityId!;
    });
    return { conversationId, handoffCase, posted, activityId };
  }

  test('When the admin links Teams users (on creation or later), then one Teams user links one account, an empty id unlinks, and only an admin may do it', async () => {
    const taken = await admin.call('POST', '/api/console/staff', { ...ZHANG_WEI, email: 'other@rapport.test', teamsUserId: LI_MIN.teamsUserId.toLowerCase() });
    expect(taken).toMatchObject({ status: 409, body: { code: 'teams_user_taken' } });
    const list = (await admin.call('GET', '/api/console/staff')).body.staff;
    expect(list.find((s: any) => s.displayName === '李敏').teamsUserId).toBe(LI_MIN.teamsUserId.toLowerCase());
    expect(list.some((s: any) => s.email === 'other@rapport.test')).toBe(false);

    // An existing account is linked (and unlinked) through PUT staff/:id/teams; another's Teams user is refused.
    const agentId = list.find((s: any) => s.email === AGENT.email).staffId;
    expect(await admin.call('PUT', `/api/console/staff/${agentId}/teams`, { teamsUserId: ZHANG_WEI.teamsUserId })).toMatchObject({ status: 409, body: { code: 'teams_user_taken' } });
    expect(await admin.call('PUT', `/api/console/staff/${agentId}/teams`, { teamsUserId: 'AAAAAAAA-1111-2222-3333-444444444444' }))
      .toMatchObject({ status: 200, body: { staff: { staffId: agentId, teamsUserId: 'aaaaaaaa-1111-2222-3333-444444444444' } } });
    const unlinked = await admin.call('PUT', `/api/console/staff/${agentId}/teams`, { teamsUserId: '' });
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.staff.teamsUserId).toBeUndefined();
    expect((await admin.call('PUT', '/api/console/staff/no-such-staff/teams', { teamsUserId: 'x' })).status).toBe(404);
    const agent = await signIn(running.baseUrl, AGENT);
    expect((await agent.call('PUT', `/api/console/staff/${agentId}/teams`, { teamsUserId: 'x' })).status).toBe(403);
  });

  test('When a client asks for a person, then a zh-CN card with a Take button for their case arrives in the staff channel, on the configured tenant', async () => {
    const { posted, handoffCase } = await queueClient('card');
    expect(posted.method).toBe('POST');
    expect(posted.path).toBe(`/v3/conversations/${STAFF_CHANNEL}/activities`);
    const card = cardOf(posted.body);
    expect(posted.body.conversation).toMatchObject({ id: STAFF_CHANNEL, tenantId: TENANT });
    expect(posted.body.replyToId).toBeUndefined();
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0].text).toBe('新的转人工请求');
    const facts = Object.fromEntries(card.body[1].facts.map((f: any) => [f.title, f.value]));
    expect(facts).toMatchObject({ 客户语言: '中文', 原因: '客户要求转人工', 优先级: String(handoffCase.priority), 排队时间: time(handoffCase.queuedAt) });
    expect(facts.预计等待).toMatch(/^约 \d+ 分钟$/);
    expect(card.actions).toEqual([{ type: 'Action.Execute', title: '接入', verb: 'handoff.take', data: { caseId: handoffCase.caseId } }]);
  });

  test('When the linked agent presses Take, then the case is with staff, claimed by that agent, and the invoke answers "taken by 李敏"; a second click by another agent changes nothing', async () => {
    const { handoffCase, activityId, conversationId } = await queueClient('take');
    const first = await postInvoke(running.baseUrl, takeInvoke(stub.url, activityId, handoffCase.caseId, { id: '29:1LiMinTeams', name: '李敏', aadObjectId: LI_MIN.teamsUserId }));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ statusCode: 200, type: ADAPTIVE_CARD, value: { type: 'AdaptiveCard' } });
    const claimed = (await desk.getCase(handoffCase.caseId))!;
    expect(claimed.status).toBe('with_staff');
    expect(claimed.claimedBy).toEqual({ staffId: staffIds['李敏'], displayName: '李敏', role: 'agent' });
    expect(statusOf(first.body.value)).toBe(`已由李敏于 ${time(claimed.claimedAt!)} 接入`);
    expect(first.body.value.actions ?? []).toEqual([]);
    // Everyone in the channel sees it too: the posted card is updated, not only the clicker's answer.
    await eventually(() => expect(stub.received.filter((r) => r.method === 'PUT' && r.path.endsWith(`/activities/${activityId}`)).map((r) => statusOf(cardOf(r.body))))
      .toEqual([statusOf(first.body.value)]));
    // The client hears it from the desk, as with a console claim.
    await eventually(() => expect(stub.delivered(conversationId).map((r) => r.body.text)).toContain('人工客服李敏已接入，请问有什么可以帮您？'));

    const second = await postInvoke(running.baseUrl, takeInvoke(stub.url, activityId, handoffCase.caseId, { id: ZHANG_WEI.teamsUserId, name: '张伟' }));
    expect(second.body).toMatchObject({ statusCode: 200, type: ADAPTIVE_CARD });
    expect(statusOf(second.body.value)).toBe('已被李敏接入');
    const after = (await desk.getCase(handoffCase.caseId))!;
    expect(after.claimedBy?.staffId).toBe(staffIds['李敏']);
    expect(after.claimedAt).toEqual(claimed.claimedAt);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stub.received.filter((r) => r.method === 'PUT' && r.path.endsWith(`/activities/${activityId}`))).toHaveLength(1);
    // Staff clicking in their channel are not clients: no conversation is recorded for them (campaigns and analytics read those).
    await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();
    const conversations = running.app.parts.conversations as { findByUser(channelId: string, userId: string): Promise<unknown[]> };
    for (const staffUser of ['29:1LiMinTeams', ZHANG_WEI.teamsUserId]) expect(await conversations.findByUser('msteams', staffUser)).toEqual([]);
    expect(await conversations.findByUser('msteams', `29:client-${conversationId}`)).toHaveLength(1);
  });

  test('When a Teams user not linked to any staff account presses Take, then they are told so and the case stays queued; a linked agent can still take it', async () => {
    const { handoffCase, activityId } = await queueClient('stranger');
    const response = await postInvoke(running.baseUrl, takeInvoke(stub.url, activityId, handoffCase.caseId, { id: '29:1strangerId', name: '访客', aadObjectId: STRANGER_AAD }));
    expect(response.body).toMatchObject({ statusCode: 200, type: ADAPTIVE_CARD });
    expect(statusOf(response.body.value)).toBe('您不是 Rapport 登记的客服人员，无法接入。');
    expect(response.body.value.actions[0]).toMatchObject({ verb: 'handoff.take', data: { caseId: handoffCase.caseId } });
    const still = (await desk.getCase(handoffCase.caseId))!;
    expect(still.status).toBe('queued');
    expect(still.claimedBy).toBeUndefined();

    // Linked by Teams id (from.id) rather than the Entra object id: 张伟 takes it.
    const taken = await postInvoke(running.baseUrl, takeInvoke(stub.url, activityId, handoffCase.caseId, { id: ZHANG_WEI.teamsUserId, name: '张伟' }));
    expect(statusOf(taken.body.value)).toMatch(/^已由张伟于 \d\d:\d\d 接入$/);
    expect((await desk.getCase(handoffCase.caseId))?.claimedBy?.staffId).toBe(staffIds['张伟']);
  });

  test('When a Take comes from outside the staff channel, then it is refused and the case stays queued', async () => {
    const { handoffCase, activityId } = await queueClient('elsewhere');
    const invoke = takeInvoke(stub.url, activityId, handoffCase.caseId, { id: '29:1LiMinTeams', name: '李敏', aadObjectId: LI_MIN.teamsUserId });
    invoke.conversation = { conversationType: 'personal', tenantId: TENANT, id: 'a:someone-else' };
    const response = await postInvoke(running.baseUrl, invoke);
    expect(response.body).toMatchObject({ statusCode: 403 });
    expect((await desk.getCase(handoffCase.caseId))?.status).toBe('queued');
  });

  test('When the case is claimed in the console instead, then the staff card is updated to say who took it', async () => {
    const { handoffCase, activityId } = await queueClient('console');
    const agent = await signIn(running.baseUrl, AGENT);
    expect((await agent.call('POST', `/api/console/cases/${handoffCase.caseId}/claim`, {})).status).toBe(200);
    const update = await eventually(() => {
      const found = stub.received.find((r) => r.method === 'PUT' && r.path === `/v3/conversations/${STAFF_CHANNEL}/activities/${activityId}`);
      expect(found).toBeDefined();
      return found!;
    });
    expect(statusOf(cardOf(update.body))).toMatch(/^已由李娜于 \d\d:\d\d 接入$/);
    expect(cardOf(update.body).actions ?? []).toEqual([]);
  });

  test('When the client leaves the queue, then the staff card is updated to say so, and a late Take says the client is gone and claims nothing', async () => {
    const { handoffCase, activityId, conversationId } = await queueClient('left');
    await send(running.baseUrl, clientMessage(stub.url, conversationId, '取消'));
    const left = (await desk.getCase(handoffCase.caseId))!;
    expect(left.status).toBe('bot');
    const update = await eventually(() => {
      const found = stub.received.find((r) => r.method === 'PUT' && r.path === `/v3/conversations/${STAFF_CHANNEL}/activities/${activityId}`);
      expect(found).toBeDefined();
      return found!;
    });
    expect(statusOf(cardOf(update.body))).toBe(`客户已于 ${time(left.endedAt!)} 退出排队`);

    const late = await postInvoke(running.baseUrl, takeInvoke(stub.url, activityId, handoffCase.caseId, { id: '29:1LiMinTeams', name: '李敏', aadObjectId: LI_MIN.teamsUserId }));
    expect(statusOf(late.body.value)).toBe(`客户已于 ${time(left.endedAt!)} 退出排队`);
    expect((await desk.getCase(handoffCase.caseId))?.status).toBe('bot');
  });
});

describe('Without STAFF_TEAMS_CONVERSATION (embedded storage)', () => {
  test('When a client asks for a person, then no staff card is posted anywhere and the client is still queued', async () => {
    const stub = await startStubChannel();
    const running = await startApp({ storage: 'embedded', env: { HANDOFF_STAFF_HOURS: 'always' } });
    try {
      const conversationId = `a:no-staff-teams-${Date.now()}`;
      const { replies } = await send(running.baseUrl, clientMessage(stub.url, conversationId, '转人工'));
      expect(replies.find((r) => r.type === 'event')).toMatchObject({ name: 'handoff.initiate' });
      expect((await (running.app.parts.handoff as HandoffService).openCaseFor('msteams', conversationId))?.status).toBe('queued');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stub.received.filter((r) => r.conversationId !== conversationId)).toEqual([]);
      expect(stub.received.some((r) => JSON.stringify(r.body ?? {}).includes('handoff.take'))).toBe(false);
      expect(running.app.parts.staffTeams).toBeUndefined();
    } finally {
      await running.stop();
      await stub.close();
    }
  });
});
