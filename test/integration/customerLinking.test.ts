/**
 * A client who gives their phone in a complaint or a callback booking is linked to the one
 * CRM customer holding that number (real dialogs, real customer stores: embedded and FerretDB).
 */
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { BusinessCalendar } from '../../services/calendar/businessCalendar';
import { CallbackService } from '../../services/callbacks/callbackService';
import { ComplaintService } from '../../services/tickets/complaintService';
import { CustomerLinker } from '../../services/customers/customerLinker';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedCallbackRepository } from '../../models/callbacks/embeddedCallbackRepository';
import { EmbeddedTicketRepository } from '../../models/tickets/embeddedTicketRepository';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import { CallbackBookingDialog } from '../../dialogs/callbackBookingDialog';
import { ComplaintDialog } from '../../dialogs/complaintDialog';
import { createInterruptionDependencies, dialogClient, repoRoot } from '../support/dialogHarness';
import { storeFactories } from '../support/storeFactories';

const ZONE = 'Asia/Shanghai';
const NOW = new Date('2026-11-30T10:00:00+08:00');
const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'), { timeZone: ZONE, logger: { warn: () => undefined } });
const factories = storeFactories<CustomerRepository>(
  (database) => new EmbeddedCustomerRepository(database),
  (connection) => new MongoCustomerRepository(connection),
);

const message = (text: string, userId: string) => ({ type: 'message', text, locale: 'zh-CN', from: { id: userId, name: userId } }) as Partial<Activity>;

describe.each(factories)('Linking a chat user by the phone they give (%s)', (_name, create) => {
  async function complain(customers: CustomerRepository, userId: string, phone: string) {
    const complaints = new ComplaintService(new EmbeddedTicketRepository(new EmbeddedDatabase(null)), calendar, { now: () => NOW });
    const client = dialogClient(new ComplaintDialog({ ...createInterruptionDependencies(), complaints, customerLinker: new CustomerLinker(customers) }));
    for (const text of ['我要投诉', '收费问题', '上个月的账户管理费被重复扣了两次', '高']) await client.sendActivity(message(text, userId));
    const summary = await client.sendActivity(message(phone, userId));
    expect(summary.text).toContain('• 类别：收费问题');
  }

  test('When a client gives a phone held by exactly one customer in a complaint, then their chat identity is linked to that customer', async () => {
    const customers = await create();
    const c = await customers.upsertByExternalId('CRM-1', { name: '王芳', phone: '+8613812345678' });
    await complain(customers, 'client-1', '我的手机是 138 1234 5678');
    expect((await customers.findByChannelUser('test', 'client-1'))?.id).toBe(c.id);
  });

  test('When the phone belongs to two customers or to none, then the complaint goes on and nothing is linked', async () => {
    const customers = await create();
    await customers.upsertByExternalId('CRM-1', { phone: '+8613812345678' });
    await customers.upsertByExternalId('CRM-2', { phone: '+8613812345678' });
    await complain(customers, 'client-2', '13812345678');
    await complain(customers, 'client-3', '13900001111');
    expect(await customers.findByChannelUser('test', 'client-2')).toBeUndefined();
    expect(await customers.findByChannelUser('test', 'client-3')).toBeUndefined();
  });

  test('When a client books a callback with a known phone, then they are linked and the booking carries the customer id', async () => {
    const customers = await create();
    const c = await customers.upsertByExternalId('CRM-9', { name: 'Li Lei', phone: '+862161234567' });
    const callbacks = new CallbackService(new EmbeddedCallbackRepository(new EmbeddedDatabase(null)), { calendar, timeZone: ZONE, capacityPerSlot: 2, now: () => NOW });
    const client = dialogClient(new CallbackBookingDialog({ ...createInterruptionDependencies(), callbacks, customerLinker: new CustomerLinker(customers) }));
    for (const text of ['你好', '贷款咨询', '明天下午三点', '021-6123 4567']) await client.sendActivity(message(text, 'client-4'));
    const booked = await client.sendActivity(message('是', 'client-4'));
    expect(booked.text).toContain('CBK');
    expect((await customers.findByChannelUser('test', 'client-4'))?.id).toBe(c.id);
    expect((await callbacks.listForUser('test', 'client-4'))[0]).toMatchObject({ customerId: c.id, phone: '+862161234567' });
  });

  test('When a chat identity is already linked to another customer, then a phone of a different customer does not move it', async () => {
    const customers = await create();
    const a = await customers.upsertByExternalId('CRM-A', { phone: '+8613700000000' });
    await customers.upsertByExternalId('CRM-B', { phone: '+8613812345678' });
    await customers.linkChannelUser(a.id, { channelId: 'test', userId: 'client-5' });
    await complain(customers, 'client-5', '13812345678');
    expect((await customers.findByChannelUser('test', 'client-5'))?.id).toBe(a.id);
  });
});
