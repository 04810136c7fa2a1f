import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../../models/customers/embeddedCustomerRepository';
import { CustomerLinker } from '../../../services/customers/customerLinker';

const user = { channelId: 'webchat', userId: 'w-1' };

async function setUp() {
  const customers = new EmbeddedCustomerRepository(new EmbeddedDatabase(null));
  const errors: unknown[] = [];
  return { customers, errors, linker: new CustomerLinker(customers, (e) => errors.push(e)) };
}

describe('CustomerLinker.linkByPhone', () => {
  test('When exactly one customer has the phone, then the chat user is linked to them, whatever the number format', async () => {
    const { customers, linker } = await setUp();
    const c = await customers.upsertByExternalId('CRM-1', { phone: '+8613812345678' });
    expect((await linker.linkByPhone(user, '138-1234-5678'))?.id).toBe(c.id);
    expect((await customers.findByChannelUser('webchat', 'w-1'))?.id).toBe(c.id);
  });

  test('When no customer or several customers have the phone, then nothing is linked', async () => {
    const { customers, linker } = await setUp();
    await customers.upsertByExternalId('CRM-1', { phone: '+8613812345678' });
    await customers.upsertByExternalId('CRM-2', { phone: '+8613812345678' });
    expect(await linker.linkByPhone(user, '13812345678')).toBeUndefined();
    expect(await linker.linkByPhone(user, '13900000000')).toBeUndefined();
    expect(await customers.findByChannelUser('webchat', 'w-1')).toBeUndefined();
  });

  test('When the chat user is already linked, then the link stays and that customer is returned', async () => {
    const { customers, linker } = await setUp();
    const a = await customers.upsertByExternalId('CRM-A', { phone: '+8613700000000' });
    await customers.upsertByExternalId('CRM-B', { phone: '+8613812345678' });
    await customers.linkChannelUser(a.id, user);
    expect((await linker.linkByPhone(user, '13812345678'))?.id).toBe(a.id);
    expect((await customers.get(a.id))?.channelUsers).toEqual([user]);
  });

  test('When the phone is not a valid number, then nothing is looked up or linked', async () => {
    const { customers, linker } = await setUp();
    await customers.upsertByExternalId('CRM-1', { phone: '+8613812345678' });
    expect(await linker.linkByPhone(user, '12345')).toBeUndefined();
    expect(await customers.findByChannelUser('webchat', 'w-1')).toBeUndefined();
  });

  test('When the same chat user is linked by two turns at once, then one link results and neither call fails', async () => {
    const { customers, linker, errors } = await setUp();
    const c = await customers.upsertByExternalId('CRM-1', { phone: '+8613812345678' });
    const results = await Promise.all([linker.linkByPhone(user, '13812345678'), linker.linkByPhone(user, '+86 138 1234 5678')]);
    expect(results.map((r) => r?.id)).toEqual([c.id, c.id]);
    expect(errors).toEqual([]);
  });

  test('When the store fails, then the error is reported and the call answers undefined instead of throwing', async () => {
    const errors: unknown[] = [];
    const broken = new CustomerLinker({
      findByChannelUser: async () => { throw new Error('store down'); },
      findByPhone: async () => [],
      linkChannelUser: async () => { throw new Error('unreachable'); },
    }, (e) => errors.push(e));
    expect(await broken.linkByPhone(user, '13812345678')).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ message: 'store down' })]);
  });
});
