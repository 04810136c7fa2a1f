import type { Connection } from 'mongoose';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedTicketRepository } from '../../models/tickets/embeddedTicketRepository';
import { MongoTicketRepository } from '../../models/tickets/mongoTicketRepository';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import type { NewTicket, TicketRepository } from '../../services/tickets/ticketRepository';
import { mongoUri } from '../support/services';

const connections: Connection[] = [];
afterAll(async () => { await Promise.all(connections.map((c) => c.close())); });

const factories: Array<[string, () => Promise<TicketRepository>]> = [
  ['embedded', async () => new EmbeddedTicketRepository(new EmbeddedDatabase(null))],
  ['mongo', async () => {
    const c = await openMongoConnection(mongoUri());
    connections.push(c);
    return new MongoTicketRepository(c);
  }],
];

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

describe('MongoTicketRepository validation', () => {
  test('When a ticket breaks the schema, then Mongo refuses it', async () => {
    const c = await openMongoConnection(mongoUri());
    connections.push(c);
    const repo = new MongoTicketRepository(c);
    await expect(repo.create(newTicket({ severity: 'urgent' as never }), references('CMP-20261127-KKKK'))).rejects.toThrow(/severity/);
    await expect(repo.create(newTicket(), references('not-a-reference'))).rejects.toThrow(/reference/);
    await expect(repo.create(newTicket({ description: '   ' }), references('CMP-20261127-MMMM'))).rejects.toThrow(/description/);
  });
});
