import path from 'node:path';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedTicketRepository } from '../../../models/tickets/embeddedTicketRepository';
import { EmbeddedAuditEventRepository } from '../../../models/audit/embeddedAuditEventRepository';
import { Localizer } from '../../../services/i18n/localizer';
import { AppError } from '../../../services/appError';
import { withTicketSignals } from '../../../services/analytics/churnSignals';
import type { SignalSubject } from '../../../services/analytics/churnRiskService';
import type { ProactiveSender, ProactiveTarget } from '../../../services/proactive/proactiveSender';
import { allowedTransitions, MAX_TICKET_NOTE_LENGTH, TicketDeskService } from '../../../services/tickets/ticketDeskService';
import { TICKET_STATUSES, type NewTicket, type StaffActor, type TicketStatus } from '../../../services/tickets/ticketRepository';

const localizer = new Localizer(path.resolve(__dirname, '../../../locales'));
const LI: StaffActor = { staffId: 'staff-li', displayName: '李娜' };
const WANG: StaffActor = { staffId: 'staff-wang', displayName: 'Wang Wei' };
const now = new Date('2026-11-25T06:00:00Z');

/** A sender that records what it was asked to send, or fails / hangs the way a channel can. */
class RecordingSender implements ProactiveSender {
  sent: Array<{ target: ProactiveTarget; text: string }> = [];
  behaviour: 'deliver' | 'unreachable' | 'crash' | 'hang' = 'deliver';
  async sendToConversation(target: ProactiveTarget, text: string): Promise<void> {
    if (this.behaviour === 'unreachable') throw new AppError('unreachable', 'no conversation reference', 404);
    if (this.behaviour === 'crash') throw new Error('socket hang up at 10.0.0.3');
    if (this.behaviour === 'hang') return new Promise(() => undefined);
    this.sent.push({ target, text });
  }
}

async function desk(options: { sendTimeoutMs?: number } = {}) {
  const db = new EmbeddedDatabase(null);
  const signals: SignalSubject[] = [];
  const tickets = withTicketSignals(new EmbeddedTicketRepository(db), (s) => signals.push(s));
  const audit = new EmbeddedAuditEventRepository(db);
  const sender = new RecordingSender();
  const service = new TicketDeskService({ tickets, sender, localizer, audit, now: () => now, sendTimeoutMs: options.sendTimeoutMs ?? 200 });
  let n = 0;
  const file = async (fields: Partial<NewTicket> = {}) => {
    n += 1;
    const ticket = await tickets.create({
      channelId: 'webchat', userId: `u${n}`, conversationId: `conv-${n}`, customerId: 'cust-1', language: 'zh-CN', category: 'loan_delay',
      description: '流动资金贷款审批拖了三周', severity: 'high', contact: { kind: 'mobile', value: '+8613812345678' }, status: 'open',
      createdAt: new Date('2026-11-24T02:00:00Z'), slaDueAt: new Date('2026-11-26T02:00:00Z'), ...fields,
    }, () => `CMP-20261124-${'ABCDEFGHJK'[Math.floor(n / 10) % 10]}${'ABCDEFGHJK'[n % 10]}AA`);
    signals.length = 0;
    return ticket;
  };
  return { tickets, audit, sender, service, file, signals };
}

const ALLOWED: Array<[TicketStatus, TicketStatus]> = [
  ['open', 'in_progress'], ['open', 'resolved'], ['in_progress', 'resolved'], ['resolved', 'closed'], ['resolved', 'in_progress'],
];
const ALL_MOVES = TICKET_STATUSES.flatMap((from) => TICKET_STATUSES.map((to) => [from, to] as [TicketStatus, TicketStatus]));

describe('TicketDeskService transitions', () => {
  test.each(ALL_MOVES.filter(([from, to]) => ALLOWED.some(([f, t]) => f === from && t === to)))(
    'When a %s ticket is moved to %s, then the move is made and recorded in the history',
    async (from, to) => {
      const w = await desk();
      const ticket = await w.file({ status: from });
      const { ticket: moved } = await w.service.changeStatus(ticket.reference, { status: to, note: '已与客户电话沟通' }, LI);
      expect(moved.status).toBe(to);
      expect(moved.history).toEqual([expect.objectContaining({ by: LI, from, to, at: now, note: '已与客户电话沟通' })]);
      expect((await w.tickets.get(ticket.reference))?.status).toBe(to);
    },
  );

  test.each(ALL_MOVES.filter(([from, to]) => !ALLOWED.some(([f, t]) => f === from && t === to)))(
    'When a %s ticket is asked to become %s, then it is refused with 409 and left as it was',
    async (from, to) => {
      const w = await desk();
      const ticket = await w.file({ status: from });
      const refused = w.service.changeStatus(ticket.reference, { status: to, note: 'note' }, LI);
      await expect(refused).rejects.toMatchObject({ status: 409, code: 'ticket_transition_not_allowed', details: { from, to, allowed: allowedTransitions(from) } });
      expect(await w.tickets.get(ticket.reference)).toEqual(ticket);
      expect(await w.audit.list({ type: 'ticket.status' })).toEqual([]);
      expect(w.signals).toEqual([]);
    },
  );

  test('When an agent takes an open ticket, then it is assigned to them, audited and the client\'s churn risk is signalled', async () => {
    const w = await desk();
    const ticket = await w.file();
    const { ticket: taken, clientNotified } = await w.service.changeStatus(ticket.reference.toLowerCase(), { status: 'in_progress' }, LI, '10.0.0.9');
    expect(taken).toMatchObject({ status: 'in_progress', assignee: LI, updatedAt: now });
    expect(clientNotified).toBeUndefined();
    expect(w.sender.sent).toEqual([]);
    expect(await w.audit.list({ type: 'ticket.status' })).toEqual([
      expect.objectContaining({ staffId: LI.staffId, at: now, ip: '10.0.0.9', detail: { reference: ticket.reference, from: 'open', to: 'in_progress' } }),
    ]);
    expect(w.signals).toEqual([{ customerId: 'cust-1' }]);
  });

  test('When a resolved ticket is reopened by a colleague, then it is theirs, no longer resolved, and the history keeps the resolution', async () => {
    const w = await desk();
    const ticket = await w.file();
    await w.service.changeStatus(ticket.reference, { status: 'in_progress' }, LI);
    await w.service.changeStatus(ticket.reference, { status: 'resolved', note: '已放款' }, LI);
    const { ticket: reopened } = await w.service.changeStatus(ticket.reference, { status: 'in_progress', note: '客户反映未到账' }, WANG);
    expect(reopened.assignee).toEqual(WANG);
    expect(reopened).not.toHaveProperty('resolvedAt');
    expect(reopened).not.toHaveProperty('resolutionNote');
    expect(reopened.history?.map((e) => [e.by.staffId, e.from, e.to, e.note])).toEqual([
      [LI.staffId, 'open', 'in_progress', undefined], [LI.staffId, 'in_progress', 'resolved', '已放款'], [WANG.staffId, 'resolved', 'in_progress', '客户反映未到账'],
    ]);
    expect(await w.audit.list({ type: 'ticket.status' })).toHaveLength(3);
  });

  test('When an open ticket is resolved directly, then the resolver becomes its assignee; closing it records the close time', async () => {
    const w = await desk();
    const ticket = await w.file();
    const { ticket: resolved } = await w.service.changeStatus(ticket.reference, { status: 'resolved', note: '电话中已解决' }, WANG);
    expect(resolved).toMatchObject({ assignee: WANG, resolvedAt: now, resolutionNote: '电话中已解决' });
    const { ticket: closed } = await w.service.changeStatus(ticket.reference, { status: 'closed' }, LI);
    expect(closed).toMatchObject({ status: 'closed', closedAt: now, resolvedAt: now, assignee: WANG });
  });

  test('When two staff take the same open ticket at once, then one gets it and the other is told it changed (409)', async () => {
    const w = await desk();
    const ticket = await w.file();
    const results = await Promise.allSettled([
      w.service.changeStatus(ticket.reference, { status: 'in_progress' }, LI),
      w.service.changeStatus(ticket.reference, { status: 'in_progress' }, WANG),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, code: 'ticket_changed' });
    expect((await w.tickets.get(ticket.reference))?.history).toHaveLength(1);
  });
});

describe('TicketDeskService input rules', () => {
  test.each<[string, unknown, string]>([
    ['no note', undefined, 'ticket_note_required'],
    ['an empty note', '', 'ticket_note_required'],
    ['a blank note', ' \n\t ', 'ticket_note_required'],
    ['a note too long', 'x'.repeat(MAX_TICKET_NOTE_LENGTH + 1), 'ticket_note_too_long'],
    ['a note that is not text', { text: 'hi' }, 'ticket_invalid_note'],
  ])('When a ticket is resolved with %s, then it is refused with 400 and nothing changes', async (_name, note, code) => {
    const w = await desk();
    const ticket = await w.file({ status: 'in_progress' });
    await expect(w.service.changeStatus(ticket.reference, { status: 'resolved', note }, LI)).rejects.toMatchObject({ status: 400, code });
    expect(await w.tickets.get(ticket.reference)).toEqual(ticket);
    expect(w.sender.sent).toEqual([]);
  });

  test('When the resolution note is exactly the longest allowed (counted in characters, not UTF-16 units), then it is accepted', async () => {
    const w = await desk();
    const ticket = await w.file({ status: 'in_progress' });
    const note = '😀'.repeat(MAX_TICKET_NOTE_LENGTH);
    const { ticket: resolved } = await w.service.changeStatus(ticket.reference, { status: 'resolved', note }, LI);
    expect(resolved.resolutionNote).toBe(note);
  });

  test.each<[string, unknown]>([['an unknown status', 'reopened'], ['no status', undefined], ['a number', 2]])(
    'When the status asked for is %s, then it is refused with 400', async (_name, status) => {
      const w = await desk();
      const ticket = await w.file();
      await expect(w.service.changeStatus(ticket.reference, { status }, LI)).rejects.toMatchObject({ status: 400, code: 'ticket_invalid_status' });
    },
  );

  test.each(['CMP-20261124-ZZZZ', 'not a reference', 'CBK-20261124-AAAA', ''])('When the reference is %j, then the answer is 404', async (reference) => {
    const w = await desk();
    await w.file();
    await expect(w.service.changeStatus(reference, { status: 'in_progress' }, LI)).rejects.toMatchObject({ status: 404, code: 'ticket_not_found' });
    await expect(w.service.get(reference)).rejects.toMatchObject({ status: 404 });
  });
});

describe('TicketDeskService client notification', () => {
  test.each<[NewTicket['language'], RegExp]>([
    ['zh-CN', /^您的投诉（受理编号 CMP-\S+）已处理完毕。处理结果：已为您办理放款/],
    ['en', /^Your complaint CMP-\S+ has been resolved\. What we did: 已为您办理放款/],
  ])('When a %s client\'s complaint is resolved, then the resolution reaches their conversation in their language', async (language, expected) => {
    const w = await desk();
    const ticket = await w.file({ language });
    const outcome = await w.service.changeStatus(ticket.reference, { status: 'resolved', note: '已为您办理放款' }, LI);
    expect(outcome.clientNotified).toBe(true);
    expect(w.sender.sent).toEqual([{ target: { channelId: 'webchat', conversationId: ticket.conversationId, userId: ticket.userId }, text: expect.stringMatching(expected) }]);
    expect(w.sender.sent[0].text).toContain(ticket.reference);
    expect(outcome.ticket.history?.[0]).toMatchObject({ to: 'resolved', clientNotified: true });
    expect(outcome.ticket.history?.[0]).not.toHaveProperty('notificationError');
  });

  test.each<[RecordingSender['behaviour'], string]>([['unreachable', 'unreachable'], ['crash', 'send_failed'], ['hang', 'timeout']])(
    'When the client cannot be reached (%s), then the ticket is still resolved and its event says the client was not notified',
    async (behaviour, reason) => {
      const w = await desk({ sendTimeoutMs: 50 });
      const ticket = await w.file({ status: 'in_progress' });
      w.sender.behaviour = behaviour;
      const outcome = await w.service.changeStatus(ticket.reference, { status: 'resolved', note: '已退款' }, LI);
      expect(outcome.clientNotified).toBe(false);
      const stored = await w.tickets.get(ticket.reference);
      expect(stored).toMatchObject({ status: 'resolved', resolvedAt: now, resolutionNote: '已退款' });
      expect(stored?.history?.[0]).toMatchObject({ to: 'resolved', clientNotified: false, notificationError: reason });
      expect(outcome.ticket).toEqual(stored);
      expect(await w.audit.list({ type: 'ticket.status' })).toHaveLength(1);
      expect(w.signals).toEqual([{ customerId: 'cust-1' }]);
    },
  );

  test('When a ticket is closed or taken, then the client is not messaged', async () => {
    const w = await desk();
    const a = await w.file({ status: 'resolved' });
    const b = await w.file();
    await w.service.changeStatus(a.reference, { status: 'closed' }, LI);
    await w.service.changeStatus(b.reference, { status: 'in_progress' }, LI);
    expect(w.sender.sent).toEqual([]);
  });
});
