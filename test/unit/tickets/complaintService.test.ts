import path from 'node:path';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { ComplaintService, type ComplaintInput, type ComplaintServiceOptions } from '../../../services/tickets/complaintService';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedTicketRepository } from '../../../models/tickets/embeddedTicketRepository';
import { isReference } from '../../../services/tickets/referenceGenerator';
import { repoRoot } from '../../support/dialogHarness';

const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'));
const shanghai = (local: string) => new Date(`${local}+08:00`);

function service(now: Date, slaBusinessHours?: ComplaintServiceOptions['slaBusinessHours']) {
  return new ComplaintService(new EmbeddedTicketRepository(new EmbeddedDatabase(null)), calendar, { now: () => now, ...(slaBusinessHours ? { slaBusinessHours } : {}) });
}

const input: ComplaintInput = {
  channelId: 'webchat', userId: 'u1', conversationId: 'c1', language: 'zh-CN', category: 'fees_charges',
  description: '  账户管理费被重复收取了两次  ', severity: 'medium', contact: { kind: 'mobile', value: '+8613812345678' },
};

describe('ComplaintService', () => {
  test.each([
    ['critical', '2026-11-30T11:30:00'], // Friday 16:00 + 4h: 1.5h Fri, 2.5h Mon
    ['high', '2026-11-30T15:30:00'], // + 8h: 1.5h Fri, 6.5h Mon
    ['medium', '2026-12-01T15:00:00'], // + 16h: 1.5 Fri + 8.5 Mon + 6 Tue
    ['low', '2026-12-04T13:30:00'], // + 40h: 1.5 Fri + 4 × 8.5 Mon-Thu + 4.5 Fri
  ] as const)('When a %s complaint is filed on Friday 16:00, then it is due %s (business hours only)', async (severity, due) => {
    const ticket = await service(shanghai('2026-11-27T16:00:00')).fileComplaint({ ...input, severity });
    expect(ticket.slaDueAt).toEqual(shanghai(due));
    expect(ticket.status).toBe('open');
    expect(ticket.reference).toMatch(/^CMP-20261127-/);
    expect(isReference(ticket.reference, 'CMP')).toBe(true);
    expect(ticket.description).toBe('账户管理费被重复收取了两次');
  });

  test('When the SLA is configured, then the configured hours are used', async () => {
    const ticket = await service(shanghai('2026-11-30T09:00:00'), { critical: 1 }).fileComplaint({ ...input, severity: 'critical' });
    expect(ticket.slaDueAt).toEqual(shanghai('2026-11-30T10:00:00'));
  });

  test('When another user asks for a ticket, then it is undefined; the filer gets it, in any letter case', async () => {
    const complaints = service(shanghai('2026-11-30T09:00:00'));
    const ticket = await complaints.fileComplaint(input);
    expect(await complaints.getStatusForUser(ticket.reference, 'webchat', 'u2')).toBeUndefined();
    expect((await complaints.getStatusForUser(ticket.reference.toLowerCase(), 'webchat', 'u1'))?.reference).toBe(ticket.reference);
    expect((await complaints.listOpenForUser('webchat', 'u1')).map((t) => t.reference)).toEqual([ticket.reference]);
    expect(await complaints.listOpenForUser('webchat', 'u2')).toEqual([]);
  });

  test('When input is incomplete, then fileComplaint refuses with a 400', async () => {
    const complaints = service(shanghai('2026-11-30T09:00:00'));
    await expect(complaints.fileComplaint({ ...input, description: '   ' })).rejects.toMatchObject({ status: 400 });
    await expect(complaints.fileComplaint({ ...input, contact: { kind: 'mobile', value: '12345' } })).rejects.toMatchObject({ status: 400 });
    await expect(complaints.fileComplaint({ ...input, severity: 'urgent' as never })).rejects.toMatchObject({ status: 400 });
    await expect(complaints.fileComplaint({ ...input, description: '长'.repeat(2001) })).rejects.toMatchObject({ status: 400 });
    expect(await complaints.listOpenForUser('webchat', 'u1')).toEqual([]);
  });

  test('When SLA hours are not positive, then construction fails', () => {
    expect(() => service(new Date(), { high: 0 })).toThrow(/high/);
  });
});
