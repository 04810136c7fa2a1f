/**
 * The complaint desk over HTTP on the whole app (embedded storage, and Mongo-wire + Redis):
 * complaints filed through the bot by a Chinese and an English client, worked by an agent
 * through the console API, the resolution reaching each client on a stub channel in their
 * language, a client who cannot be reached, bad input answered 4xx, the audit trail, the
 * churn-risk score following the ticket, and the dashboard's on-time figures.
 */
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { ADMIN_ENV, AGENT, ConsoleClient, addStaff, signIn } from '../support/consoleClient';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { ChurnRiskService } from '../../services/analytics/churnRiskService';
import type { TicketRepository } from '../../services/tickets/ticketRepository';

const DAY = 24 * 60 * 60 * 1000;
const REFERENCE = /CMP-\d{8}-[A-Z2-9]{4}/;

describe.each(['embedded', 'services'] as const)('Console complaint desk (%s)', (storage) => {
  let running: RunningApp;
  let admin: ConsoleClient;
  let agent: ConsoleClient;
  let stub: StubChannel;
  let tickets: TicketRepository;
  const run = `${storage}-${Date.now()}`;
  const filed: Record<'zh' | 'en', { reference: string; conversationId: string }> = {} as never;
  const seeded: Record<'late' | 'overdue', string> = {} as never;

  /** Files a complaint through the bot, as the client would, on a conversation whose channel is the stub. */
  async function fileComplaint(conversationId: string, locale: 'zh-CN' | 'en'): Promise<string> {
    const say = async (text: string) => {
      const { status, replies } = await send(running.baseUrl, messageActivity(conversationId, text, { locale, serviceUrl: stub.url }));
      expect(status).toBe(200);
      return replies.map((r) => r.text ?? '').join('\n');
    };
    const lines = locale === 'zh-CN'
      ? ['我要投诉', '贷款延误', '流动资金贷款审批已经拖了三周，没有人给我们答复', '高', '13812345678', '确认提交']
      : ['I want to file a complaint', 'Loan processing delay', 'Our working-capital loan approval has been stuck for three weeks', 'medium', '+86 138 1234 5678', 'Confirm'];
    let last = '';
    for (const line of lines) last = await say(line);
    const reference = REFERENCE.exec(last)?.[0];
    expect(reference).toBeDefined();
    await (running.app.parts.conversationTracking as { flush(): Promise<void> }).flush();
    return reference!;
  }

  const resolutionTo = (conversationId: string) => stub.delivered(conversationId).map((r) => r.body?.text as string).filter((text) => /CMP-/.test(text ?? ''));

  beforeAll(async () => {
    stub = await startStubChannel();
    running = await startApp({ storage, env: ADMIN_ENV });
    admin = await addStaff(running.baseUrl, [AGENT]);
    agent = await signIn(running.baseUrl, AGENT);
    tickets = running.app.parts.tickets as TicketRepository;

    // The Chinese client is a known customer: their churn-risk score should follow the ticket.
    const customers = running.app.parts.customers as CustomerRepository;
    const customer = await customers.upsertByExternalId(`CRM-${run}`, { name: '王芳', company: '杭州明远机械有限公司', tier: 'priority' });
    filed.zh = { conversationId: `desk-zh-${run}`, reference: '' };
    filed.en = { conversationId: `desk-en-${run}`, reference: '' };
    await customers.linkChannelUser(customer.id, { channelId: 'emulator', userId: `user-${filed.zh.conversationId}` });
    filed.zh.reference = await fileComplaint(filed.zh.conversationId, 'zh-CN');
    filed.en.reference = await fileComplaint(filed.en.conversationId, 'en');

    // Two complaints from three days ago, due yesterday: one still open (overdue), one to be resolved late.
    // Their conversation was never seen by this bot, so a resolution cannot reach the client.
    const base = { channelId: 'emulator', userId: 'user-gone', conversationId: `gone-${run}`, language: 'zh-CN' as const, category: 'fees_charges' as const,
      description: '账户管理费被重复收取', severity: 'medium' as const, contact: { kind: 'mobile' as const, value: '+8613912345678' }, status: 'open' as const,
      createdAt: new Date(Date.now() - 3 * DAY), slaDueAt: new Date(Date.now() - DAY) };
    seeded.late = (await tickets.create(base, () => 'CMP-20261101-TARD')).reference;
    seeded.overdue = (await tickets.create(base, () => 'CMP-20261101-WAYS')).reference;
  }, 90_000);
  afterAll(async () => {
    await running?.stop();
    await stub?.close();
  });

  test('When nobody is logged in, then every ticket route answers 401', async () => {
    const anonymous = new ConsoleClient(running.baseUrl);
    expect((await anonymous.call('GET', '/api/console/tickets')).status).toBe(401);
    expect((await anonymous.call('GET', `/api/console/tickets/${filed.zh.reference}`)).status).toBe(401);
    expect((await anonymous.call('POST', `/api/console/tickets/${filed.zh.reference}/status`, { status: 'in_progress' })).status).toBe(401);
  });

  test('When an agent lists complaints, then they come soonest due first, overdue ones flagged, without the client\'s words', async () => {
    const { status, body } = await agent.call('GET', '/api/console/tickets');
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    // Both seeded ones are due yesterday; the filed ones are due later (high before medium).
    expect(body.items.map((t: { reference: string }) => t.reference)).toEqual([seeded.late, seeded.overdue, filed.zh.reference, filed.en.reference]);
    expect(body.items[0]).toMatchObject({ status: 'open', overdue: true, assignee: null, category: 'fees_charges' });
    expect(body.items[2]).toMatchObject({ status: 'open', overdue: false, severity: 'high', category: 'loan_delay', language: 'zh-CN' });
    expect(body.items[2]).not.toHaveProperty('description');
    expect(body.items[2]).not.toHaveProperty('contact');
    const overdue = await agent.call('GET', '/api/console/tickets?overdue=true');
    expect(overdue.body).toMatchObject({ total: 2, items: [{ reference: seeded.late }, { reference: seeded.overdue }] });
    const search = await agent.call('GET', `/api/console/tickets?q=${filed.en.reference.slice(-4).toLowerCase()}`);
    expect(search.body.items.map((t: { reference: string }) => t.reference)).toEqual([filed.en.reference]);
    const paged = await agent.call('GET', '/api/console/tickets?offset=1&limit=2&category=fees_charges');
    expect(paged.body).toMatchObject({ total: 2, items: [{ reference: seeded.overdue }] });
  });

  test.each([
    ['status=reopened', 'invalid_status'],
    ['category=rates', 'invalid_category'],
    ['severity=urgent', 'invalid_severity'],
    ['overdue=yes', 'invalid_overdue'],
    ['limit=0', 'invalid_limit'],
    ['limit=101', 'invalid_limit'],
    ['offset=-1', 'invalid_offset'],
    ['q=%2E*', 'invalid_q'],
    ['status=open&status=closed', 'invalid_status'],
  ])('When the list is asked with %s, then it is refused with 400 %s', async (query, code) => {
    const { status, body } = await agent.call('GET', `/api/console/tickets?${query}`);
    expect(status).toBe(400);
    expect(body.code).toBe(code);
  });

  test('When an agent opens a complaint, then it has the description, contact, empty history and the moves allowed', async () => {
    const { status, body } = await agent.call('GET', `/api/console/tickets/${filed.zh.reference.toLowerCase()}`);
    expect(status).toBe(200);
    expect(body.ticket).toMatchObject({
      reference: filed.zh.reference, status: 'open', description: '流动资金贷款审批已经拖了三周，没有人给我们答复',
      contact: { kind: 'mobile', value: '+8613812345678' }, history: [], allowed: ['in_progress', 'resolved'], resolutionNote: null,
    });
    expect((await agent.call('GET', '/api/console/tickets/CMP-20261101-ZZZZ')).status).toBe(404);
    expect((await agent.call('GET', '/api/console/tickets/%3Cscript%3E')).status).toBe(404);
  });

  test('When the Chinese client\'s complaint is taken, resolved and closed, then they get the resolution in Chinese, each step is in the history and audited, and their churn risk drops', async () => {
    const churn = running.app.parts.churnRisk as ChurnRiskService;
    const customers = running.app.parts.customers as CustomerRepository;
    const path = `/api/console/tickets/${filed.zh.reference}/status`;
    await churn.flush();
    const before = await customers.findByChannelUser('emulator', `user-${filed.zh.conversationId}`);
    expect(before?.churnRisk?.signals.map((s) => s.code)).toContain('open_complaints');

    const taken = await agent.call('POST', path, { status: 'in_progress' });
    expect(taken.status).toBe(200);
    expect(taken.body.ticket).toMatchObject({ status: 'in_progress', assignee: { displayName: '李娜' }, allowed: ['resolved'] });
    expect(taken.body).not.toHaveProperty('clientNotified');
    expect((await agent.call('GET', '/api/console/tickets?assignee=me')).body.items.map((t: { reference: string }) => t.reference)).toEqual([filed.zh.reference]);

    const noNote = await agent.call('POST', path, { status: 'resolved', note: '   ' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.code).toBe('ticket_note_required');
    const tooLong = await agent.call('POST', path, { status: 'resolved', note: '款'.repeat(2001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('ticket_note_too_long');

    const note = '贷款已于今日审批通过并放款，延误原因是抵押登记材料补件，我们已向您致歉。';
    const resolved = await agent.call('POST', path, { status: 'resolved', note });
    expect(resolved.status).toBe(200);
    expect(resolved.body.clientNotified).toBe(true);
    expect(resolved.body.ticket).toMatchObject({ status: 'resolved', resolutionNote: note, allowed: ['closed', 'in_progress'] });
    expect(resolved.body.ticket.resolvedAt).toEqual(expect.any(String));
    const messages = resolutionTo(filed.zh.conversationId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(filed.zh.reference);
    expect(messages[0]).toContain(note);
    expect(messages[0]).toMatch(/^您的投诉/);

    const closed = await agent.call('POST', path, { status: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.body.ticket.history.map((e: any) => [e.from, e.to, e.by.displayName, e.clientNotified])).toEqual([
      ['open', 'in_progress', '李娜', undefined], ['in_progress', 'resolved', '李娜', true], ['resolved', 'closed', '李娜', undefined],
    ]);
    const again = await agent.call('POST', path, { status: 'in_progress' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ticket_transition_not_allowed', from: 'closed', to: 'in_progress', allowed: [] });

    const audit = (running.app.parts.console as { audit: AuditEventRepository }).audit;
    const changes = (await audit.list({ type: 'ticket.status' })).filter((e) => e.detail?.reference === filed.zh.reference);
    expect(changes.map((e) => [e.detail?.from, e.detail?.to])).toEqual([['resolved', 'closed'], ['in_progress', 'resolved'], ['open', 'in_progress']]);
    expect(new Set(changes.map((e) => e.staffId)).size).toBe(1);

    await churn.flush();
    const after = await customers.findByChannelUser('emulator', `user-${filed.zh.conversationId}`);
    expect(after?.churnRisk?.signals.map((s) => s.code)).not.toContain('open_complaints');
    expect(after!.churnRisk!.computedAt.getTime()).toBeGreaterThan(before!.churnRisk!.computedAt.getTime());
  });

  test('When the English client\'s complaint is resolved straight from open, then they get the resolution in English', async () => {
    const note = 'Your loan was approved and paid out today; the delay came from a missing collateral document.';
    const resolved = await agent.call('POST', `/api/console/tickets/${filed.en.reference}/status`, { status: 'resolved', note });
    expect(resolved.status).toBe(200);
    expect(resolved.body.clientNotified).toBe(true);
    const messages = resolutionTo(filed.en.conversationId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(new RegExp(`^Your complaint ${filed.en.reference} has been resolved`));
    expect(messages[0]).toContain(note);
  });

  test('When a client whose conversation cannot be reached has a complaint resolved, then it is resolved anyway and the history says they were not notified', async () => {
    const resolved = await agent.call('POST', `/api/console/tickets/${seeded.late}/status`, { status: 'resolved', note: '已退还重复收取的管理费' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.clientNotified).toBe(false);
    expect(resolved.body.ticket.status).toBe('resolved');
    expect(resolved.body.ticket.history).toEqual([expect.objectContaining({ from: 'open', to: 'resolved', clientNotified: false, notificationError: 'unreachable' })]);
    const stored = await agent.call('GET', `/api/console/tickets/${seeded.late}`);
    expect(stored.body.ticket.history[0]).toMatchObject({ clientNotified: false });
  });

  test.each<[string, unknown, number, string]>([
    ['no status', { note: 'x' }, 400, 'ticket_invalid_status'],
    ['an unknown status', { status: 'escalated' }, 400, 'ticket_invalid_status'],
    ['a note that is not text', { status: 'in_progress', note: ['a'] }, 400, 'ticket_invalid_note'],
    ['an array body', [{ status: 'in_progress' }], 400, 'invalid_body'],
    ['a move back to open', { status: 'open' }, 409, 'ticket_transition_not_allowed'],
  ])('When a status change is sent with %s (%j), then it is answered %i %s, without a stack trace', async (_name, payload, expected, code) => {
    const { status, body } = await agent.call('POST', `/api/console/tickets/${seeded.overdue}/status`, payload);
    expect(status).toBe(expected);
    expect(body.code).toBe(code);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|Error:/);
  });

  test('When a status change is not JSON, lacks the CSRF token or names no ticket, then it is refused 4xx and nothing changes', async () => {
    const raw = await fetch(`${running.baseUrl}/api/console/tickets/${seeded.overdue}/status`, {
      method: 'POST', headers: { 'content-type': 'application/json', cookie: agent.cookieHeader(), 'x-csrf-token': agent.csrf! }, body: '{"status": ',
    });
    expect(raw.status).toBe(400);
    expect(await raw.text()).not.toMatch(/at .*\.(ts|js):\d+/);
    expect((await agent.call('POST', `/api/console/tickets/${seeded.overdue}/status`, { status: 'in_progress' }, { csrf: false })).status).toBe(403);
    expect((await agent.call('POST', '/api/console/tickets/CMP-20261101-ZZZZ/status', { status: 'in_progress' })).status).toBe(404);
    expect((await agent.call('GET', `/api/console/tickets/${seeded.overdue}`)).body.ticket).toMatchObject({ status: 'open', history: [] });
  });

  test('When the supervisor reads the dashboard, then complaints resolved by their due time are on time and late or overdue ones are breached', async () => {
    const { status, body } = await admin.call('GET', '/api/console/dashboard');
    expect(status).toBe(200);
    // Closed in time (zh), resolved in time (en); resolved after its due time, open past due.
    expect(body.complaintsBySla).toEqual({ onTime: 2, atRisk: 0, breached: 2 });
  });
});
