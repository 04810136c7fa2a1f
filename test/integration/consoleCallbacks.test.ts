/**
 * The callback desk over real HTTP on the whole app (Mongo-wire + Redis): clients book callbacks
 * through the bot, staff sign in and work them through the console API. A missed call reaches
 * the client on the stub channel in their language (zh-CN and en); a client who cannot be reached
 * leaves the outcome standing. The dashboard counts what staff recorded, and churn risk follows.
 *
 * The app's desk runs on the real clock and the callbacks are booked for next week, so the first
 * outcome is refused as too early; then the desk is rebuilt from the app's own parts with a clock
 * set inside the slot, as if the day had come.
 */
import path from 'node:path';
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { ADMIN_ENV, AGENT, ConsoleClient, addStaff, signIn, type StaffAccount } from '../support/consoleClient';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { eventually } from '../support/eventually';
import { CallbackDesk } from '../../services/callbacks/callbackDesk';
import type { CallbackDeskRepository } from '../../services/callbacks/callbackRepository';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { ConsoleParts } from '../../bot/console/consoleComposition';
import type { ChurnRiskService } from '../../services/analytics/churnRiskService';
import type { ProactiveSender } from '../../services/proactive/proactiveSender';
import { Localizer } from '../../services/i18n/localizer';

/** A second agent, to try to work the first one's callback. */
const COLLEAGUE: StaffAccount = { email: 'wang.wei@rapport.test', password: 'Agent-Correct-Lamp-42', displayName: 'Wang Wei', role: 'agent' };
const CBK = /CBK-\d{8}-[A-Z2-9]{4}/;

describe('Console callback desk over HTTP', () => {
  let running: RunningApp;
  let channel: StubChannel;
  let admin: ConsoleClient;
  let agent: ConsoleClient;
  let colleague: ConsoleClient;
  let customerId: string;
  /** The day of the bookings in the bank's time zone (YYYY-MM-DD). */
  let day: string;
  const refs: Record<'kept' | 'missedZh' | 'missedEn' | 'unreachable', string> = { kept: '', missedZh: '', missedEn: '', unreachable: '' };
  const conversations: Record<keyof typeof refs, string> = { kept: '', missedZh: '', missedEn: '', unreachable: '' };
  let missedZhAt = new Date(8.64e15);

  /** Books next Tuesday 10:00 through the bot, as a client on the stub channel would. */
  async function book(key: keyof typeof refs, locale: 'zh-CN' | 'en', phone: string): Promise<void> {
    const id = `cbk-${key}-${Date.now()}`;
    conversations[key] = id;
    const say = async (text: string) => (await send(running.baseUrl, messageActivity(id, text, { locale, serviceUrl: channel.url }))).replies.map((r) => r.text).join('\n');
    const script = locale === 'en' ? ["I'd like a callback", 'Repayment', 'next Tuesday 10:00', phone, 'yes'] : ['预约回电', '还款', '下周二上午10点', phone, '是'];
    let last = '';
    for (const line of script) last = await say(line);
    const reference = CBK.exec(last)?.[0];
    if (!reference) throw new Error(`no booking for ${key}: ${last}`);
    refs[key] = reference;
  }

  beforeAll(async () => {
    channel = await startStubChannel();
    running = await startApp({ storage: 'services', env: { ...ADMIN_ENV, CALLBACK_STAFF_ON_DUTY: '10' } });
    admin = await addStaff(running.baseUrl, [AGENT, COLLEAGUE]);
    agent = await signIn(running.baseUrl, AGENT);
    colleague = await signIn(running.baseUrl, COLLEAGUE);
    const customers = running.app.parts.customers as CustomerRepository;
    customerId = (await customers.upsertByExternalId('CRM-9', { name: '王芳', company: '杭州明远机械有限公司', phone: '+8613812345678', tags: [] })).id;
    await book('kept', 'zh-CN', '13812345678');
    await book('missedZh', 'zh-CN', '13812345678');
    await book('missedEn', 'en', '13900001111');
    await book('unreachable', 'zh-CN', '13700002222');
    await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();
    const { body } = await agent.call('GET', `/api/console/callbacks/${refs.kept}`);
    day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(body.callback.slotStart));
  }, 120000);

  afterAll(async () => {
    await running?.stop();
    await channel?.close();
  });

  /** From here on the desk's clock stands five minutes into the callbacks' slot. */
  async function moveDeskIntoTheSlot(): Promise<void> {
    const { callback } = (await agent.call('GET', `/api/console/callbacks/${refs.kept}`)).body;
    const parts = running.app.parts;
    parts.callbackDesk = new CallbackDesk({
      repository: parts.callbackRepository as CallbackDeskRepository, sender: parts.proactive as ProactiveSender,
      localizer: new Localizer(path.resolve(__dirname, '../../locales')), audit: (parts.console as ConsoleParts).audit,
      timeZone: running.config.BUSINESS_TIMEZONE, slotMinutes: running.config.CALLBACK_SLOT_MINUTES,
      now: () => new Date(new Date(callback.slotStart).getTime() + 5 * 60_000),
    });
  }

  test('When nobody is signed in, then every callback route answers 401; without the CSRF token a change is 403', async () => {
    const anonymous = new ConsoleClient(running.baseUrl);
    expect((await anonymous.call('GET', '/api/console/callbacks')).status).toBe(401);
    expect((await anonymous.call('GET', `/api/console/callbacks/${refs.kept}`)).status).toBe(401);
    expect((await anonymous.call('POST', `/api/console/callbacks/${refs.kept}/assign`, {})).status).toBe(401);
    expect((await anonymous.call('POST', `/api/console/callbacks/${refs.kept}/outcome`, { outcome: 'done' })).status).toBe(401);
    expect((await agent.call('POST', `/api/console/callbacks/${refs.kept}/assign`, {}, { csrf: false })).status).toBe(403);
  });

  test('When an agent lists the day of the bookings, then the four callbacks come by slot with phone and language, none due yet', async () => {
    const { status, body } = await agent.call('GET', `/api/console/callbacks?day=${day}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 4, from: day, to: day, timeZone: 'Asia/Shanghai' });
    expect(body.items.map((c: { reference: string }) => c.reference).sort()).toEqual(Object.values(refs).sort());
    const en = body.items.find((c: { reference: string }) => c.reference === refs.missedEn);
    expect(en).toMatchObject({ status: 'booked', dueNow: false, language: 'en', phone: '+8613900001111', topic: expect.any(String), assignee: null, outcome: null });
    expect(en).not.toHaveProperty('reminder');
    // Today has none of them (they are next week), and nothing is due now.
    expect((await agent.call('GET', '/api/console/callbacks')).body.total).toBe(0);
    expect((await agent.call('GET', `/api/console/callbacks?day=${day}&due=now`)).body.total).toBe(0);
  });

  test.each([
    ['day=2026-13-01', 'invalid_range'],
    ['day=tomorrow', 'invalid_range'],
    ['from=2026-12-10&to=2026-12-01', 'invalid_range'],
    ['from=2026-01-01&to=2026-06-01', 'invalid_range'],
    ['status=lost', 'invalid_status'],
    ['due=later', 'invalid_due'],
    ['limit=0', 'invalid_limit'],
    ['limit=5000', 'invalid_limit'],
    ['offset=-1', 'invalid_offset'],
    ['day=2026-12-01&day=2026-12-02', 'invalid_day'],
  ])('When the list is asked with %s, then it is refused with 400 %s and no stack trace', async (query, code) => {
    const { status, body } = await agent.call('GET', `/api/console/callbacks?${query}`);
    expect([status, body.code]).toEqual([400, code]);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |\.ts:\d+/);
  });

  test('When an agent takes a callback and records done before its slot, then it is refused with 409 callback_not_started; a colleague cannot touch it', async () => {
    const taken = await agent.call('POST', `/api/console/callbacks/${refs.kept}/assign`, {});
    expect(taken.status).toBe(200);
    expect(taken.body.callback.assignee).toMatchObject({ displayName: '李娜' });
    const early = await agent.call('POST', `/api/console/callbacks/${refs.kept}/outcome`, { outcome: 'done' });
    expect([early.status, early.body.code]).toEqual([409, 'callback_not_started']);
    const grab = await colleague.call('POST', `/api/console/callbacks/${refs.kept}/assign`, {});
    expect([grab.status, grab.body.code]).toEqual([403, 'held_by_colleague']);
    expect((await colleague.call('GET', `/api/console/callbacks?assignee=me&day=${day}`)).body.total).toBe(0);
    expect((await agent.call('GET', `/api/console/callbacks?assignee=me&day=${day}`)).body.items.map((c: { reference: string }) => c.reference)).toEqual([refs.kept]);
    expect((await agent.call('POST', `/api/console/callbacks/${refs.kept}/assign`, { staffId: 'nobody' })).body.code).toBe('invalid_staff');
  });

  test.each([
    ['an unknown outcome', 'invalid_outcome', { outcome: 'kept' }],
    ['a note over 2000 characters', 'invalid_note', { outcome: 'done', note: '备'.repeat(2001) }],
    ['missed without a note', 'note_required', { outcome: 'missed' }],
    ['an array for a body', 'invalid_body', [1, 2]],
  ])('When an outcome comes with %s, then it is refused with 400 %s', async (_what, code, payload) => {
    await moveDeskIntoTheSlot();
    const answer = await agent.call('POST', `/api/console/callbacks/${refs.kept}/outcome`, payload);
    expect([answer.status, answer.body.code]).toEqual([400, code]);
  });

  test('When the body is not JSON or the reference is unknown, then the answer is 400 or 404 and never a stack trace', async () => {
    const res = await fetch(`${running.baseUrl}/api/console/callbacks/${refs.kept}/outcome`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: agent.cookieHeader(), 'x-csrf-token': agent.csrf! }, body: '{"outcome": "done",',
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).not.toMatch(/\n\s+at |\.ts:\d+|node_modules/);
    for (const ref of ['CBK-20990101-ZZZZ', 'not-a-reference', '%3Cscript%3E']) {
      const answer = await agent.call('POST', `/api/console/callbacks/${ref}/outcome`, { outcome: 'done' });
      expect([ref, answer.status, answer.body.code]).toEqual([ref, 404, 'callback_not_found']);
    }
    expect((await agent.call('GET', '/api/console/callbacks/CBK-20990101-ZZZZ')).status).toBe(404);
  });

  test('When the slot has come, then done is recorded with who and the note, audited, and nothing more can be recorded', async () => {
    await moveDeskIntoTheSlot();
    const due = await agent.call('GET', `/api/console/callbacks?day=${day}&due=now&assignee=me`);
    expect(due.body.items.map((c: { reference: string; dueNow: boolean }) => [c.reference, c.dueNow])).toEqual([[refs.kept, true]]);
    const done = await agent.call('POST', `/api/console/callbacks/${refs.kept}/outcome`, { outcome: 'done', note: '已确认还款计划' });
    expect(done.status).toBe(200);
    expect(done.body).not.toHaveProperty('clientNotified');
    expect(done.body.callback).toMatchObject({ status: 'done', dueNow: false, outcome: { outcome: 'done', note: '已确认还款计划', by: { displayName: '李娜' } } });
    const again = await agent.call('POST', `/api/console/callbacks/${refs.kept}/outcome`, { outcome: 'missed', note: 'x' });
    expect([again.status, again.body.code]).toEqual([409, 'callback_closed']);
    const { body } = await agent.call('GET', `/api/console/callbacks/${refs.kept}`);
    expect(body.history.map((e: { type: string }) => e.type)).toEqual(['assigned', 'done']);
    const audit = (running.app.parts.console as ConsoleParts).audit;
    expect(await audit.list({ type: 'callback.outcome', caseId: refs.kept })).toEqual([expect.objectContaining({ detail: { reference: refs.kept, outcome: 'done', noteChars: 7 } })]);
    expect(channel.delivered(conversations.kept).filter((a) => /未能联系上您/.test(a.body?.text ?? ''))).toEqual([]);
  });

  test.each([
    ['missedZh', /我们已于.*致电 \+8613812345678.*未能联系上您.*预约回电/],
    ['missedEn', /We tried to call you at \+8613900001111 .*couldn't reach you.*book a callback/],
  ] as const)('When a call (%s) is missed, then the client gets the message on their conversation in their language', async (key, text) => {
    await moveDeskIntoTheSlot();
    const before = channel.delivered(conversations[key]).length;
    if (key === 'missedZh') missedZhAt = new Date();
    const missed = await colleague.call('POST', `/api/console/callbacks/${refs[key]}/outcome`, { outcome: 'missed', note: '无人接听' });
    expect(missed.status).toBe(200);
    expect(missed.body).toMatchObject({ clientNotified: true, callback: { status: 'missed', outcome: { note: '无人接听', by: { displayName: 'Wang Wei' } } } });
    const delivered = channel.delivered(conversations[key]).slice(before);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].body.text).toMatch(text);
    expect(delivered[0].body.text).toContain(refs[key]);
    const { body } = await colleague.call('GET', `/api/console/callbacks/${refs[key]}`);
    expect(body.history.map((e: { type: string }) => e.type)).toEqual(['missed', 'client_notified']);
  });

  test('When the client cannot be reached, then the missed outcome stands and the history says the client was not notified', async () => {
    await moveDeskIntoTheSlot();
    channel.always(conversations.unreachable, 403);
    const missed = await agent.call('POST', `/api/console/callbacks/${refs.unreachable}/outcome`, { outcome: 'missed', note: 'wrong number' });
    expect(missed.status).toBe(200);
    expect(missed.body).toMatchObject({ clientNotified: false, callback: { status: 'missed' } });
    const { body } = await agent.call('GET', `/api/console/callbacks/${refs.unreachable}`);
    expect(body.callback.status).toBe('missed');
    expect(body.history.map((e: { type: string; reason?: string }) => [e.type, e.reason])).toEqual([['missed', undefined], ['client_not_notified', 'unreachable']]);
  });

  test('When the supervisor opens the dashboard, then kept counts the done call and missed the three marked missed', async () => {
    const from = new Date(Date.now() - 24 * 3600_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 15 * 24 * 3600_000).toISOString().slice(0, 10);
    const { status, body } = await admin.call('GET', `/api/console/dashboard?from=${from}&to=${to}`);
    expect(status).toBe(200);
    expect(body.callbacks).toEqual({ booked: 4, kept: 1, missed: 3 });
  });

  test('When staff recorded the client\'s outcomes, then their churn risk was recomputed and counts the missed call, not the kept one', async () => {
    const customers = running.app.parts.customers as CustomerRepository;
    const churn = running.app.parts.churnRisk as ChurnRiskService;
    // The recomputation the missed call triggered (debounced): it ran after the outcome was recorded.
    const computedAt = async () => (await customers.get(customerId))?.churnRisk?.computedAt.getTime() ?? 0;
    await eventually(async () => {
      await churn.flush();
      expect(await computedAt()).toBeGreaterThan(missedZhAt.getTime());
    }, { timeoutMs: 10_000, intervalMs: 200 });
    // Scored at the desk's time (the slot has come), both of the client's callbacks are judged by what staff recorded.
    const { body } = await agent.call('GET', `/api/console/callbacks/${refs.missedZh}`);
    const risk = await churn.recompute(customerId, new Date(new Date(body.callback.slotStart).getTime() + 10 * 60_000));
    expect(risk?.signals.filter((s) => s.code === 'missed_callbacks')).toEqual([expect.objectContaining({ points: 10, detail: `1 missed: ${refs.missedZh}` })]);
  });
});
