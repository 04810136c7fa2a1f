import type { Connection } from 'mongoose';
import Redis from 'ioredis';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedHandoffCaseRepository } from '../../models/handoff/embeddedHandoffCaseRepository';
import { MongoHandoffCaseRepository } from '../../models/handoff/mongoHandoffCaseRepository';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import type { HandoffCaseRepository } from '../../services/handoff/handoffCaseRepository';
import type { HandoffEvent, StaffRef } from '../../services/handoff/handoffDesk';
import { InProcessHandoffEventBus, RedisHandoffEventBus, type HandoffEventBus } from '../../services/handoff/handoffEventBus';
import { HandoffService, type HandoffChannel } from '../../services/handoff/handoffService';
import { AppError } from '../../services/appError';
import { EmbeddedSurveyResponseRepository } from '../../models/surveys/embeddedSurveyResponseRepository';
import { MongoSurveyResponseRepository } from '../../models/surveys/mongoSurveyResponseRepository';
import type { SurveyResponseRepository } from '../../services/surveys/surveyResponseRepository';
import { mongoUri, redisUrl, uniquePrefix } from '../support/services';
import { eventually } from '../support/eventually';

const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => { for (const close of closers.reverse()) await close(); });

interface Backend { repository: HandoffCaseRepository; bus: HandoffEventBus; surveys: SurveyResponseRepository }

const factories: Array<[string, () => Promise<Backend>]> = [
  ['embedded', async () => {
    const db = new EmbeddedDatabase(null);
    return { repository: new EmbeddedHandoffCaseRepository(db), bus: new InProcessHandoffEventBus(), surveys: new EmbeddedSurveyResponseRepository(db) };
  }],
  ['mongo + redis', async () => {
    const connection: Connection = await openMongoConnection(mongoUri());
    const redis = new Redis(redisUrl());
    const bus = new RedisHandoffEventBus(redis, uniquePrefix('handoff'));
    await bus.whenSubscribed();
    closers.push(() => connection.close(), () => redis.quit(), () => bus.close());
    return { repository: new MongoHandoffCaseRepository(connection), bus, surveys: new MongoSurveyResponseRepository(connection) };
  }],
];

const agent = (n: number): StaffRef => ({ staffId: `agent-${n}`, displayName: `Agent ${n}`, role: 'agent' });

function recordingChannel() {
  const sent: Array<{ conversationId: string; text?: string; name?: string }> = [];
  const channel: HandoffChannel = {
    async sendToConversation(t, text) { sent.push({ conversationId: t.conversationId, text }); },
    async sendActivityToConversation(t, activity) { sent.push({ conversationId: t.conversationId, name: activity.name }); },
  };
  return { channel, sent };
}

async function expectAppError(promise: Promise<unknown>, status: number, code: string): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).status).toBe(status);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe.each(factories)('HandoffService (%s)', (_name, create) => {
  let clock: Date;
  let service: HandoffService;
  let sent: ReturnType<typeof recordingChannel>['sent'];
  let events: HandoffEvent[];
  let open = true;
  let surveys: SurveyResponseRepository;
  let backend: Backend;

  beforeEach(async () => {
    backend = await create();
    surveys = backend.surveys;
    const recording = recordingChannel();
    sent = recording.sent;
    clock = new Date('2026-11-30T03:00:00Z');
    open = true;
    events = [];
    service = new HandoffService({
      repository: backend.repository, bus: backend.bus, channel: recording.channel,
      isStaffAvailableAt: () => open, minutesPerCase: 6, staffOnDuty: 2, maxWaitMinutes: 15, surveyResponses: backend.surveys,
      signals: async (request) => (request.userId.startsWith('vip') ? { tier: 'premier', customerId: 'cust-vip' } : {}),
      texts: (language, key, vars) => `${language}:${key}:${vars?.name ?? (vars?.position ? `${vars.position}/${vars.minutes}` : '')}`,
      now: () => clock,
    });
    service.subscribe((event) => events.push(event));
  });

  const ask = (conversationId: string, userId = `user-${conversationId}`, reason: 'client_request' | 'critical_complaint' = 'client_request') =>
    service.requestHandoff({ channelId: 'webchat', conversationId, userId, language: 'zh-CN', reason });

  test('When clients ask for a person, then they are queued by priority with their position and estimated wait', async () => {
    expect(await ask('c1')).toMatchObject({ queued: true, position: 1, estimatedWaitMinutes: 3 });
    clock = new Date(clock.getTime() + 60_000);
    expect(await ask('c2', 'vip-2')).toMatchObject({ queued: true, position: 1 });
    const queue = await service.listQueue();
    expect(queue.map((e) => [e.conversationId, e.position, e.tier])).toEqual([['c2', 1, 'premier'], ['c1', 2, undefined]]);
    expect(queue[1].waitingSeconds).toBe(60);
    expect(await service.positionOf(queue[1].caseId)).toEqual({ position: 2, estimatedWaitMinutes: 6 });
    await eventually(() => expect(events.filter((e) => e.type === 'queued')).toHaveLength(2));
  });

  test('When a client gave a CSAT of 1 last month, then they are queued ahead of an otherwise identical client who asked first', async () => {
    await surveys.saveAnswer('quick-csat', 'webchat:user-unhappy', 'ease', 1, {}, new Date(clock.getTime() - 30 * 86_400_000));
    await surveys.saveAnswer('quick-csat', 'webchat:user-happy', 'ease', 5, {}, new Date(clock.getTime() - 30 * 86_400_000));
    await surveys.saveAnswer('service-satisfaction', 'webchat:user-old', 'overall', 1, {}, new Date(clock.getTime() - 120 * 86_400_000));
    for (const name of ['happy', 'old', 'unhappy']) {
      await ask(name);
      clock = new Date(clock.getTime() + 1000);
    }
    const queue = await service.listQueue();
    expect(queue.map((e) => e.conversationId)).toEqual(['unhappy', 'happy', 'old']);
    expect(queue[0].priority - queue[1].priority).toBe(15);
    expect(queue[1].priority).toBe(queue[2].priority);
  });

  test('When a known customer gave an NPS of 6, then the low score is found under their customer id', async () => {
    await surveys.saveAnswer('service-satisfaction', 'cust-vip', 'recommend', 6, {}, new Date(clock.getTime() - 86_400_000));
    await ask('plain', 'vip-plain');
    const [entry] = await service.listQueue();
    expect(entry.priority).toBe(40 + 15);
  });

  test('When three clients are queued and the first is claimed, then each of the others gets one update with their new position and wait', async () => {
    for (const name of ['q1', 'q2', 'q3']) {
      await ask(name);
      clock = new Date(clock.getTime() + 1000);
    }
    const [first] = await service.listQueue();
    sent.length = 0;
    await service.claim(first.caseId, agent(1));
    const updates = sent.filter((m) => m.text?.includes(':queuedReminder:'));
    expect(updates.sort((a, b) => a.conversationId.localeCompare(b.conversationId))).toEqual([
      { conversationId: 'q2', text: 'zh-CN:queuedReminder:1/3' },
      { conversationId: 'q3', text: 'zh-CN:queuedReminder:2/6' },
    ]);
    expect(sent.filter((m) => m.conversationId === 'q1').map((m) => m.text ?? m.name)).toEqual(['handoff.status', 'zh-CN:claimed:Agent 1']);
  });

  test('When a client leaves the queue, then those behind them are told their new place', async () => {
    for (const name of ['l1', 'l2']) {
      await ask(name);
      clock = new Date(clock.getTime() + 1000);
    }
    const [first] = await service.listQueue();
    sent.length = 0;
    await service.leaveQueue(first.caseId);
    expect(sent).toEqual([{ conversationId: 'l2', text: 'zh-CN:queuedReminder:1/3' }]);
  });

  test('When the first is claimed but a client\'s wait drops by less than 2 minutes, then that client is sent nothing', async () => {
    // 3 minutes a case, 2 agents: waits of 2, 3, 5 and 6 minutes for positions 1-4.
    const recording = recordingChannel();
    const finer = new HandoffService({
      repository: backend.repository, bus: backend.bus, channel: recording.channel,
      isStaffAvailableAt: () => true, minutesPerCase: 3, staffOnDuty: 2, maxWaitMinutes: 15,
      texts: (language, key, vars) => `${language}:${key}:${vars?.position ?? ''}/${vars?.minutes ?? ''}`, now: () => clock,
    });
    for (const name of ['f1', 'f2', 'f3', 'f4']) {
      await finer.requestHandoff({ channelId: 'webchat', conversationId: name, userId: `user-${name}`, language: 'en', reason: 'client_request' });
      clock = new Date(clock.getTime() + 1000);
    }
    const [first] = await finer.listQueue();
    await finer.claim(first.caseId, agent(1));
    const updates = recording.sent.filter((m) => m.text?.includes(':queuedReminder:'));
    expect(updates.sort((a, b) => a.conversationId.localeCompare(b.conversationId))).toEqual([
      { conversationId: 'f2', text: 'en:queuedReminder:1/2' },
      { conversationId: 'f3', text: 'en:queuedReminder:2/3' },
    ]);
  });

  test('When the same conversation asks again while queued, then it keeps its one place', async () => {
    await ask('c1');
    expect(await ask('c1')).toMatchObject({ queued: true, position: 1 });
    expect(await service.listQueue()).toHaveLength(1);
  });

  test('When staff are off duty, then the client is offered a callback and nothing is queued', async () => {
    open = false;
    expect(await ask('c1')).toMatchObject({ queued: false, offerCallback: 'outside_hours' });
    expect(await service.listQueue()).toHaveLength(0);
  });

  test('When the estimated wait would pass the limit, then the client is offered a callback instead', async () => {
    for (let i = 1; i <= 5; i += 1) expect((await ask(`c${i}`)).queued).toBe(true);
    expect(await ask('c6')).toMatchObject({ queued: false, offerCallback: 'long_wait', estimatedWaitMinutes: 18 });
  });

  test('When the client leaves the queue, then the case returns to the bot and the queue is empty', async () => {
    await ask('c1');
    const [entry] = await service.listQueue();
    const left = await service.leaveQueue(entry.caseId);
    expect(left.status).toBe('bot');
    expect(await service.listQueue()).toHaveLength(0);
    expect(await service.openCaseFor('webchat', 'c1')).toBeUndefined();
    await eventually(() => expect(events.map((e) => e.type)).toContain('left_queue'));
    await expectAppError(service.claim(entry.caseId, agent(1)), 409, 'handoff_illegal_transition');
  });

  test('When ten agents claim one case at once, then exactly one wins and the others get 409 already_taken naming the winner', async () => {
    await ask('c1');
    const [entry] = await service.listQueue();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_v, i) => service.claim(entry.caseId, agent(i))));
    const won = results.filter((r) => r.status === 'fulfilled') as Array<PromiseFulfilledResult<{ claimedBy?: StaffRef }>>;
    expect(won).toHaveLength(1);
    const winner = won[0].value.claimedBy!;
    for (const lost of results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]) {
      expect(lost.reason).toBeInstanceOf(AppError);
      expect(lost.reason.status).toBe(409);
      expect(lost.reason.code).toBe('already_taken');
      expect(lost.reason.message).toContain(winner.displayName);
    }
    expect((await service.getCase(entry.caseId))?.claimedBy).toEqual(winner);
    expect(await service.listActive(winner.staffId)).toHaveLength(1);
    expect(await service.listQueue()).toHaveLength(0);
  });

  test('When staff hold a case, then replies reach the client and both sides are kept as the case messages', async () => {
    await ask('c1');
    const [entry] = await service.listQueue();
    await service.claim(entry.caseId, agent(1));
    expect(sent.map((s) => s.name ?? s.text)).toEqual(['handoff.status', 'zh-CN:claimed:Agent 1']);
    await service.recordClientMessage(entry.caseId, '你好，我的贷款还款日是哪天？');
    clock = new Date(clock.getTime() + 1000);
    await service.reply(entry.caseId, agent(1), '您好，是每月20日。');
    expect(sent.at(-1)).toEqual({ conversationId: 'c1', text: '您好，是每月20日。' });
    expect((await service.messages(entry.caseId)).map((m) => [m.from, m.text])).toEqual([['client', '你好，我的贷款还款日是哪天？'], ['staff', '您好，是每月20日。']]);
    await eventually(() => expect(events.filter((e) => e.type === 'message')).toHaveLength(2));
    await expectAppError(service.reply(entry.caseId, agent(2), 'hi'), 403, 'handoff_not_yours');
  });

  test('When the holder transfers and then ends the case, then the new holder has it and the client is back with the bot', async () => {
    await ask('c1');
    const [entry] = await service.listQueue();
    await service.claim(entry.caseId, agent(1));
    await expectAppError(service.transfer(entry.caseId, agent(2), agent(3)), 403, 'handoff_not_yours');
    expect((await service.transfer(entry.caseId, agent(1), agent(2))).claimedBy?.staffId).toBe('agent-2');
    const ended = await service.end(entry.caseId, agent(2), 'bot');
    expect(ended.status).toBe('bot');
    expect(sent.at(-1)?.text).toBe('zh-CN:endedBot:');
    await expectAppError(service.end(entry.caseId, agent(2), 'closed'), 409, 'handoff_not_live');
    await expectAppError(service.claim(entry.caseId, agent(4)), 409, 'handoff_illegal_transition');
    await eventually(() => expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['claimed', 'transferred', 'ended'])));
    expect(await ask('c1')).toMatchObject({ queued: true, position: 1 });
  });

  test('When a case is not found, then the desk answers 404', async () => {
    await expectAppError(service.claim('nope', agent(1)), 404, 'handoff_case_not_found');
  });
});
