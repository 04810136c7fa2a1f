import crypto from 'node:crypto';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { AppError } from '../../services/appError';
import {
  NEW_CUSTOMER_DEFAULTS,
  channelUserKey,
  validateCustomerFields,
  type ChannelUser,
  type Customer,
  type CustomerFields,
  type CustomerRepository,
} from '../../services/customers/customerRepository';

const COLLECTION = 'customers';

/**
 * Customers in the embedded database. `channelKeys` (one string per linked chat identity)
 * carries a unique index, so two customers can never claim the same channel user.
 */
export class EmbeddedCustomerRepository implements CustomerRepository {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedCustomerRepository needs an EmbeddedDatabase');
  }

  async upsertByExternalId(externalId: string, fields: CustomerFields, at = new Date()): Promise<Customer> {
    if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
    const store = await this.store();
    const set = validateCustomerFields(fields) as Record<string, unknown>;
    const { numAffected } = await store.updateAsync({ externalId }, { $set: { ...set, updatedAt: at } }, {});
    if (numAffected === 0) {
      try {
        await store.insertAsync(newDocument({ ...set, externalId }, [], at));
      } catch (err) {
        if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
        await store.updateAsync({ externalId }, { $set: { ...set, updatedAt: at } }, {});
      }
    }
    return toCustomer((await store.findOneAsync({ externalId }))!);
  }

  async create(fields: CustomerFields & { channelUsers?: ChannelUser[] }, at = new Date()): Promise<Customer> {
    const store = await this.store();
    const { channelUsers = [], ...rest } = fields;
    try {
      return toCustomer(await store.insertAsync(newDocument(validateCustomerFields(rest), channelUsers, at)));
    } catch (err) {
      if ((err as { errorType?: string }).errorType === 'uniqueViolated') throw AppError.conflict('channel_user_linked', 'That chat identity is already linked to another customer');
      throw err;
    }
  }

  async findByChannelUser(channelId: string, userId: string): Promise<Customer | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ channelKeys: channelUserKey({ channelId, userId }) });
    return doc ? toCustomer(doc) : undefined;
  }

  async linkChannelUser(customerId: string, channelUser: ChannelUser, at = new Date()): Promise<Customer> {
    const store = await this.store();
    const key = channelUserKey(channelUser);
    const owner = await store.findOneAsync({ channelKeys: key });
    if (owner && owner.id !== customerId) throw AppError.conflict('channel_user_linked', 'That chat identity is already linked to another customer');
    try {
      const { numAffected } = await store.updateAsync(
        { id: customerId, channelKeys: { $ne: key } },
        { $push: { channelUsers: { channelId: channelUser.channelId, userId: channelUser.userId }, channelKeys: key }, $set: { updatedAt: at } },
        {},
      );
      if (numAffected === 0 && !(await store.findOneAsync({ id: customerId }))) throw AppError.notFound('customer_not_found', 'No such customer');
    } catch (err) {
      if ((err as { errorType?: string }).errorType === 'uniqueViolated') throw AppError.conflict('channel_user_linked', 'That chat identity is already linked to another customer');
      throw err;
    }
    return toCustomer((await store.findOneAsync({ id: customerId }))!);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ id: customerId });
    return doc ? toCustomer(doc) : undefined;
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.ready ??= Promise.all([
      store.ensureIndexAsync({ fieldName: 'id', unique: true }),
      store.ensureIndexAsync({ fieldName: 'externalId', unique: true, sparse: true }),
      store.ensureIndexAsync({ fieldName: 'channelKeys', unique: true, sparse: true }),
    ]);
    await this.ready;
    return store;
  }
}

function newDocument(fields: Record<string, unknown>, channelUsers: ChannelUser[], at: Date): Record<string, unknown> {
  return {
    ...NEW_CUSTOMER_DEFAULTS,
    tags: [...NEW_CUSTOMER_DEFAULTS.tags],
    consent: { ...NEW_CUSTOMER_DEFAULTS.consent },
    ...fields,
    id: crypto.randomUUID(),
    channelUsers: channelUsers.map((u) => ({ channelId: u.channelId, userId: u.userId })),
    // Left out when empty: a unique index treats every empty array alike, sparse skips a missing field.
    ...(channelUsers.length ? { channelKeys: channelUsers.map(channelUserKey) } : {}),
    createdAt: at,
    updatedAt: at,
  };
}

function toCustomer(doc: Record<string, any>): Customer {
  const { _id, channelKeys: _keys, ...rest } = doc;
  return { ...rest, channelUsers: (rest.channelUsers ?? []).map((u: ChannelUser) => ({ channelId: u.channelId, userId: u.userId })) } as Customer;
}
