import { EmbeddedTicketRepository } from '../../models/tickets/embeddedTicketRepository';
import { MongoTicketRepository } from '../../models/tickets/mongoTicketRepository';
import type { NewTicket, StaffActor, TicketEvent, TicketRepository, TicketTransition } from '../../services/tickets/ticketRepository';
import { mongoConnections, storeFactories } from '../support/storeFactories';

const connectMongo = mongoConnections();
const factories = storeFactories<TicketRepository>(
  (database) => new EmbeddedTicketRepository(database),
  (connection) => new MongoTicketRepository(connection),
);

function newTicket(overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN',
    category: 'loan_delay', description: '流动资金贷款审批已经拖了三周', severity: 'high',
    contact: { kind: 'mobile', value: '+8613812345678' }, status: 'open',
    createdAt: new Date('2026-11-27T08:00:00Z'), slaDueAt: new Date('2026-11-30T07:30:00Z'),
    ...overrides,
  };
}

/** Hands out the given references in order. */
function references(...list: string[]): () => string {
  return () => {
    const next = list.shift();
    if (!next) throw new Error('test ran out of references');
    return next;
  };
}

describe.each(factories)('TicketRepository (%s)', (_name, create) => {
  test('When a ticket is created, then the filer finds it by reference with every field intact', async () => {
    const repo = await create();
    const created = await repo.create(newTicket({ customerId: 'cust-7' }), references('CMP-20261127-AAAA'));
    expect(created.reference).toBe('CMP-20261127-AAAA');
    const found = await repo.findForUser('CMP-20261127-AAAA', 'webchat', 'u1');
    expect(found).toEqual({ ...newTicket({ customerId: 'cust-7' }), reference: 'CMP-20261127-AAAA' });
  });

  test('When a ticket has no customer id, then it reads back without one', async () => {
    const repo = await create();
    await repo.create(newTicket(), references('CMP-20261127-AAAB'));
    const found = await repo.findForUser('CMP-20261127-AAAB', 'webchat', 'u1');
    expect(found).toBeDefined();
    expect('customerId' in found!).toBe(false);
  });

  test('When the drawn reference is taken, then the retry stores the ticket under a different reference', async () => {
    const repo = await create();
    await repo.create(newTicket(), references('CMP-20261127-BBBB'));
    const second = await repo.create(newTicket({ userId: 'u2' }), references('CMP-20261127-BBBB', 'CMP-20261127-CCCC'));
    expect(second.reference).toBe('CMP-20261127-CCCC');
    expect((await repo.findForUser('CMP-20261127-BBBB', 'webchat', 'u1'))?.userId).toBe('u1');
    expect((await repo.findForUser('CMP-20261127-CCCC', 'webchat', 'u2'))?.userId).toBe('u2');
  });

  test('When every drawn reference is taken, then create fails with a 409 and stores nothing', async () => {
    const repo = await create();
    await repo.create(newTicket(), references('CMP-20261127-DDDD'));
    await expect(repo.create(newTicket({ userId: 'u3' }), () => 'CMP-20261127-DDDD')).rejects.toMatchObject({ status: 409, code: 'reference_exhausted' });
    expect(await repo.listOpenForUser('webchat', 'u3')).toEqual([]);
  });

  test('When another user or channel asks for a reference, then it is not found', async () => {
    const repo = await create();
    await repo.create(newTicket(), references('CMP-20261127-EEEE'));
    expect(await repo.findForUser('CMP-20261127-EEEE', 'webchat', 'someone-else')).toBeUndefined();
    expect(await repo.findForUser('CMP-20261127-EEEE', 'msteams', 'u1')).toBeUndefined();
    expect(await repo.findForUser('CMP-20261127-ZZZZ', 'webchat', 'u1')).toBeUndefined();
  });

  test('When a user has open and closed tickets, then only the open ones are listed, newest first', async () => {
    const repo = await create();
    await repo.create(newTicket({ createdAt: new Date('2026-11-20T02:00:00Z') }), references('CMP-20261120-FFFF'));
    await repo.create(newTicket({ createdAt: new Date('2026-11-25T02:00:00Z'), status: 'in_progress' }), references('CMP-20261125-GGGG'));
    await repo.create(newTicket({ createdAt: new Date('2026-11-26T02:00:00Z'), status: 'closed' }), references('CMP-20261126-HHHH'));
    await repo.create(newTicket({ userId: 'u9', createdAt: new Date('2026-11-27T02:00:00Z') }), references('CMP-20261127-JJJJ'));
    const listed = await repo.listOpenForUser('webchat', 'u1');
    expect(listed.map((t) => t.reference)).toEqual(['CMP-20261125-GGGG', 'CMP-20261120-FFFF']);
  });
});

const LI: StaffActor = { staffId: 'staff-li', displayName: '李娜' };
const WANG: StaffActor = { staffId: 'staff-wang', displayName: 'Wang Wei' };
let eventCounter = 0;

function event(from: TicketEvent['from'], to: TicketEvent['to'], at: string, extra: Partial<TicketEvent> = {}): TicketEvent {
  eventCounter += 1;
  return { id: `ev-${eventCounter}`, at: new Date(at), by: LI, from, to, ...extra };
}

function move(from: TicketTransition['from'], to: TicketTransition['to'], at: string, extra: Partial<TicketTransition> = {}): TicketTransition {
  return { from, to, event: event(from, to, at), ...extra };
}

describe.each(factories)('TicketRepository staff desk (%s)', (_name, create) => {
  /** Six tickets of one day, due at different times, in different states. */
  async function seeded(): Promise<TicketRepository> {
    const repo = await create();
    const rows: Array<[string, Partial<NewTicket>]> = [
      ['CMP-20261120-AAAA', { slaDueAt: new Date('2026-11-21T08:00:00Z'), status: 'open', severity: 'high', category: 'loan_delay' }],
      ['CMP-20261120-BBBB', { slaDueAt: new Date('2026-11-22T08:00:00Z'), status: 'in_progress', severity: 'low', category: 'fees_charges', userId: 'u2' }],
      ['CMP-20261120-CCCC', { slaDueAt: new Date('2026-11-19T08:00:00Z'), status: 'resolved', severity: 'high', category: 'loan_delay' }],
      ['CMP-20261120-DDDD', { slaDueAt: new Date('2026-12-05T08:00:00Z'), status: 'open', severity: 'critical', category: 'staff_conduct' }],
      ['CMP-20261120-EEEE', { slaDueAt: new Date('2026-11-20T20:00:00Z'), status: 'closed', severity: 'medium', category: 'other' }],
      ['CMP-20261120-FFFF', { slaDueAt: new Date('2026-11-18T08:00:00Z'), status: 'open', severity: 'medium', category: 'online_banking' }],
    ];
    for (const [reference, fields] of rows) await repo.create(newTicket({ createdAt: new Date('2026-11-17T02:00:00Z'), ...fields }), references(reference));
    return repo;
  }
  const now = new Date('2026-11-25T00:00:00Z');
  const refs = (page: { items: Array<{ reference: string }> }) => page.items.map((t) => t.reference);

  test('When staff get a ticket by reference, then they see it whoever filed it; an unknown reference is undefined', async () => {
    const repo = await seeded();
    expect((await repo.get('CMP-20261120-BBBB'))?.userId).toBe('u2');
    expect(await repo.get('CMP-20261120-ZZZZ')).toBeUndefined();
  });

  test('When staff list without filters, then every ticket comes soonest-due first with the total', async () => {
    const repo = await seeded();
    const page = await repo.list({ now });
    expect(page.total).toBe(6);
    expect(refs(page)).toEqual(['CMP-20261120-FFFF', 'CMP-20261120-CCCC', 'CMP-20261120-EEEE', 'CMP-20261120-AAAA', 'CMP-20261120-BBBB', 'CMP-20261120-DDDD']);
  });

  test('When staff page through the list, then pages follow the due order and the total stays the whole match', async () => {
    const repo = await seeded();
    const second = await repo.list({ now, offset: 2, limit: 2 });
    expect(second.total).toBe(6);
    expect(refs(second)).toEqual(['CMP-20261120-EEEE', 'CMP-20261120-AAAA']);
    expect(refs(await repo.list({ now, offset: 6, limit: 2 }))).toEqual([]);
  });

  test.each([
    [{ status: 'open' as const }, ['CMP-20261120-FFFF', 'CMP-20261120-AAAA', 'CMP-20261120-DDDD']],
    [{ category: 'loan_delay' as const }, ['CMP-20261120-CCCC', 'CMP-20261120-AAAA']],
    [{ severity: 'high' as const, status: 'open' as const }, ['CMP-20261120-AAAA']],
    [{ overdue: true }, ['CMP-20261120-FFFF', 'CMP-20261120-AAAA', 'CMP-20261120-BBBB']],
    [{ overdue: true, status: 'in_progress' as const }, ['CMP-20261120-BBBB']],
    [{ overdue: true, status: 'resolved' as const }, []],
    [{ reference: 'cccc' }, ['CMP-20261120-CCCC']],
    [{ reference: 'CMP-20261120' }, ['CMP-20261120-FFFF', 'CMP-20261120-CCCC', 'CMP-20261120-EEEE', 'CMP-20261120-AAAA', 'CMP-20261120-BBBB', 'CMP-20261120-DDDD']],
    [{ reference: '.*' }, []],
  ])('When staff filter by %j, then exactly the matching tickets are listed', async (filter, expected) => {
    const repo = await seeded();
    const page = await repo.list({ now, ...filter });
    expect(refs(page)).toEqual(expected);
    expect(page.total).toBe(expected.length);
  });

  test('When a ticket moves from its current status, then status, assignee, resolution and history are stored', async () => {
    const repo = await seeded();
    const taken = await repo.transition('CMP-20261120-AAAA', move('open', 'in_progress', '2026-11-21T01:00:00Z', { assignee: LI }));
    expect(taken).toMatchObject({ status: 'in_progress', assignee: LI, updatedAt: new Date('2026-11-21T01:00:00Z') });
    expect(taken?.history).toEqual([expect.objectContaining({ by: LI, from: 'open', to: 'in_progress', at: new Date('2026-11-21T01:00:00Z') })]);
    const resolved = await repo.transition('CMP-20261120-AAAA', {
      ...move('in_progress', 'resolved', '2026-11-21T03:00:00Z'), resolvedAt: new Date('2026-11-21T03:00:00Z'), resolutionNote: '贷款已于今日放款',
    });
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: new Date('2026-11-21T03:00:00Z'), resolutionNote: '贷款已于今日放款', assignee: LI });
    const stored = await repo.get('CMP-20261120-AAAA');
    expect(stored).toEqual(resolved);
    expect(stored?.history?.map((e) => `${e.from}>${e.to}`)).toEqual(['open>in_progress', 'in_progress>resolved']);
    // The filer still sees it through the bot, with the new status.
    expect((await repo.findForUser('CMP-20261120-AAAA', 'webchat', 'u1'))?.status).toBe('resolved');
  });

  test('When a ticket is not in the expected status, then nothing changes and the answer is undefined', async () => {
    const repo = await seeded();
    const before = await repo.get('CMP-20261120-CCCC');
    expect(await repo.transition('CMP-20261120-CCCC', move('open', 'in_progress', '2026-11-21T01:00:00Z', { assignee: WANG }))).toBeUndefined();
    expect(await repo.get('CMP-20261120-CCCC')).toEqual(before);
    expect(await repo.transition('CMP-20261120-ZZZZ', move('open', 'in_progress', '2026-11-21T01:00:00Z'))).toBeUndefined();
  });

  test('When two staff move the same ticket one after the other from the same status, then only the first succeeds', async () => {
    const repo = await seeded();
    expect(await repo.transition('CMP-20261120-DDDD', move('open', 'in_progress', '2026-11-21T01:00:00Z', { assignee: LI }))).toBeDefined();
    expect(await repo.transition('CMP-20261120-DDDD', move('open', 'in_progress', '2026-11-21T01:00:01Z', { assignee: WANG }))).toBeUndefined();
    const stored = await repo.get('CMP-20261120-DDDD');
    expect(stored?.assignee).toEqual(LI);
    expect(stored?.history).toHaveLength(1);
  });

  test('When a resolved ticket is reopened, then the resolution fields set to null are removed and the history keeps both events', async () => {
    const repo = await seeded();
    await repo.transition('CMP-20261120-BBBB', { ...move('in_progress', 'resolved', '2026-11-21T03:00:00Z'), resolvedAt: new Date('2026-11-21T03:00:00Z'), resolutionNote: 'done' });
    const reopened = await repo.transition('CMP-20261120-BBBB', { ...move('resolved', 'in_progress', '2026-11-22T03:00:00Z', { assignee: WANG }), resolvedAt: null, resolutionNote: null });
    expect(reopened?.status).toBe('in_progress');
    expect(reopened?.assignee).toEqual(WANG);
    expect(reopened).not.toHaveProperty('resolvedAt');
    expect(reopened).not.toHaveProperty('resolutionNote');
    expect(reopened?.history?.map((e) => e.to)).toEqual(['resolved', 'in_progress']);
    expect(refs(await repo.list({ now, assigneeId: WANG.staffId }))).toEqual(['CMP-20261120-BBBB']);
    expect(refs(await repo.list({ now, assigneeId: LI.staffId }))).toEqual([]);
  });

  test('When the notification outcome is recorded, then it lands on that event only; an unknown event is refused', async () => {
    const repo = await seeded();
    await repo.transition('CMP-20261120-AAAA', move('open', 'in_progress', '2026-11-21T01:00:00Z', { assignee: LI }));
    const resolving = { ...move('in_progress', 'resolved', '2026-11-21T03:00:00Z', { event: event('in_progress', 'resolved', '2026-11-21T03:00:00Z', { note: '已放款' }) }), resolvedAt: new Date('2026-11-21T03:00:00Z'), resolutionNote: '已放款' };
    await repo.transition('CMP-20261120-AAAA', resolving);
    expect(await repo.recordNotification('CMP-20261120-AAAA', resolving.event.id, { clientNotified: false, notificationError: 'unreachable' })).toBe(true);
    const stored = await repo.get('CMP-20261120-AAAA');
    expect(stored?.history?.[1]).toEqual({ ...resolving.event, clientNotified: false, notificationError: 'unreachable' });
    expect(stored?.history?.[0]).not.toHaveProperty('clientNotified');
    expect(await repo.recordNotification('CMP-20261120-AAAA', 'no-such-event', { clientNotified: true })).toBe(false);
    expect(await repo.recordNotification('CMP-20261120-ZZZZ', resolving.event.id, { clientNotified: true })).toBe(false);
  });
});

describe('MongoTicketRepository validation', () => {
  test('When a ticket breaks the schema, then Mongo refuses it', async () => {
    const c = await connectMongo();
    const repo = new MongoTicketRepository(c);
    await expect(repo.create(newTicket({ severity: 'urgent' as never }), references('CMP-20261127-KKKK'))).rejects.toThrow(/severity/);
    await expect(repo.create(newTicket(), references('not-a-reference'))).rejects.toThrow(/reference/);
    await expect(repo.create(newTicket({ description: '   ' }), references('CMP-20261127-MMMM'))).rejects.toThrow(/description/);
  });
});
