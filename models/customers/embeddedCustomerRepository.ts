import crypto from 'node:crypto';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { AppError } from '../../services/appError';
import {
  DERIVED_FIELDS,
  MAX_LIST_LIMIT,
  NEW_CUSTOMER_DEFAULTS,
  TIER_RANK,
  channelUserKey,
  customerWrite,
  escapeRegExp,
  normalizePhone,
  validateCustomerFields,
  type ChannelUser,
  type Customer,
  type CustomerListOptions,
  type CustomerQuery,
  type CustomerRepository,
  type CustomerUpdate,
} from '../../services/customers/customerRepository';

const COLLECTION = 'customers';
const PAGE = 500;
/** Consecutive id ranges covering every string: below '00', '00'…'ff' (one per two hex digits), and from 'g' up. */
const ID_RANGES: Array<[string, string | undefined]> = (() => {
  const cuts = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
  return [['', '00'], ...cuts.map((cut, i) => [cut, cuts[i + 1] ?? 'g'] as [string, string]), ['g', undefined]];
})();
const SORT_FIELD = { churnRisk: 'churnScore', name: 'name', company: 'company', tier: 'tierRank', lastContactAt: 'lastContactAt' } as const;

/**
 * Customers in the embedded database. `channelKeys` (one string per linked chat identity)
 * carries a unique index, so two customers can never claim the same channel user.
 */
export class EmbeddedCustomerRepository implements CustomerRepository {
  private ready: Promise<unknown> | undefined;

  private readonly pageSize: number;

  /** @param options.batchSize customers read per page when streaming an audience (default 500). */
  constructor(private readonly db: EmbeddedDatabase, options: { batchSize?: number } = {}) {
    if (!db) throw new Error('EmbeddedCustomerRepository needs an EmbeddedDatabase');
    this.pageSize = options.batchSize ?? PAGE;
  }

  async upsertByExternalId(externalId: string, fields: CustomerUpdate, at = new Date()): Promise<Customer> {
    if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
    const store = await this.store();
    const { set, unset } = customerWrite(validateCustomerFields(fields));
    const change = { $set: { ...set, updatedAt: at }, ...(Object.keys(unset).length ? { $unset: unset } : {}) };
    const { numAffected } = await store.updateAsync({ externalId }, change, {});
    if (numAffected === 0) {
      try {
        await store.insertAsync(newDocument({ ...set, externalId }, [], at));
      } catch (err) {
        if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
        await store.updateAsync({ externalId }, change, {});
      }
    }
    return toCustomer((await store.findOneAsync({ externalId }))!);
  }

  async create(fields: CustomerUpdate & { channelUsers?: ChannelUser[] }, at = new Date()): Promise<Customer> {
    const store = await this.store();
    const { channelUsers = [], ...rest } = fields;
    try {
      return toCustomer(await store.insertAsync(newDocument(customerWrite(validateCustomerFields(rest)).set, channelUsers, at)));
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

  async update(customerId: string, fields: CustomerUpdate, at = new Date()): Promise<Customer> {
    const store = await this.store();
    const { set, unset } = customerWrite(validateCustomerFields(fields));
    const { numAffected } = await store.updateAsync({ id: customerId }, { $set: { ...set, updatedAt: at }, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, {});
    if (numAffected === 0) throw AppError.notFound('customer_not_found', 'No such customer');
    return toCustomer((await store.findOneAsync({ id: customerId }))!);
  }

  async findByPhone(phone: string): Promise<Customer[]> {
    const normalized = normalizePhone(phone);
    if (!normalized) return [];
    const store = await this.store();
    return (await store.findAsync({ phone: normalized }).sort({ id: 1 })).map(toCustomer);
  }

  async insertMany(entries: Array<{ externalId: string; fields: CustomerUpdate }>, at = new Date()): Promise<{ inserted: number; existing: string[] }> {
    const store = await this.store();
    const docs = entries.map(({ externalId, fields }) => {
      if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
      return newDocument({ ...customerWrite(validateCustomerFields(fields)).set, externalId }, [], at);
    });
    const existing: string[] = [];
    let inserted = 0;
    // One by one: NeDB rolls back a whole array when one document breaks a unique index.
    for (const doc of docs) {
      try {
        await store.insertAsync(doc);
        inserted++;
      } catch (err) {
        if ((err as { errorType?: string }).errorType !== 'uniqueViolated') throw err;
        existing.push(doc.externalId as string);
      }
    }
    return { inserted, existing };
  }

  async findByExternalIds(externalIds: string[]): Promise<Customer[]> {
    if (!externalIds.length) return [];
    const store = await this.store();
    return (await store.findAsync({ externalId: { $in: externalIds } }).sort({ id: 1 })).map(toCustomer);
  }

  async *streamMatching(query: CustomerQuery): AsyncIterable<Customer> {
    const store = await this.store();
    const filter = matching(query);
    // Paged by id within id ranges: NeDB sorts every candidate before it applies a limit, so a
    // page is taken from one slice of the id index (ids are UUIDs: 256 slices by their first two
    // hex digits, and the ranges around them for any other id). Memory holds one page.
    for (const [low, high] of ID_RANGES) {
      let after: string | undefined;
      for (;;) {
        const bounds: Record<string, string> = after === undefined ? { $gte: low } : { $gt: after };
        if (high !== undefined) bounds.$lt = high;
        const page = await store.findAsync({ ...filter, id: bounds }).sort({ id: 1 }).limit(this.pageSize);
        for (const doc of page) yield toCustomer(doc);
        if (page.length < this.pageSize) break;
        after = page[page.length - 1].id;
      }
    }
  }

  async countMatching(query: CustomerQuery): Promise<number> {
    const store = await this.store();
    return store.countAsync(matching(query));
  }

  async list(options: CustomerListOptions): Promise<{ items: Customer[]; total: number }> {
    const store = await this.store();
    const q = options.q?.trim();
    const pattern = q ? new RegExp(escapeRegExp(q), 'i') : undefined;
    const filter = pattern ? { $or: ['name', 'company', 'externalId', 'phone'].map((field) => ({ [field]: { $regex: pattern } })) } : {};
    const direction = options.order === 'desc' ? -1 : 1;
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(0, options.limit ?? 50));
    const [items, total] = await Promise.all([
      limit === 0 ? [] : store.findAsync(filter).sort({ [SORT_FIELD[options.sort ?? 'name']]: direction, id: 1 }).skip(offset).limit(limit),
      store.countAsync(filter),
    ]);
    return { items: items.map(toCustomer), total };
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.ready ??= Promise.all([
      store.ensureIndexAsync({ fieldName: 'id', unique: true }),
      store.ensureIndexAsync({ fieldName: 'externalId', unique: true, sparse: true }),
      store.ensureIndexAsync({ fieldName: 'channelKeys', unique: true, sparse: true }),
      store.ensureIndexAsync({ fieldName: 'phone' }),
    ]);
    await this.ready;
    return store;
  }
}

/** The NeDB filter of an audience (every criterion must hold). */
function matching(query: CustomerQuery): Record<string, unknown> {
  const all: Array<Record<string, unknown>> = [];
  if (query.tiers) all.push({ tier: { $in: query.tiers } });
  if (query.tagsAny) all.push({ tags: { $in: query.tagsAny } });
  if (query.languages) all.push({ language: { $in: query.languages } });
  if (query.relationshipManagers) all.push({ relationshipManager: { $in: query.relationshipManagers } });
  if (query.lastContactBefore) all.push({ $or: [{ lastContactAt: { $lt: query.lastContactBefore } }, { lastContactAt: { $exists: false } }] });
  return all.length ? { $and: all } : {};
}

function newDocument(fields: Record<string, unknown>, channelUsers: ChannelUser[], at: Date): Record<string, unknown> {
  return {
    ...NEW_CUSTOMER_DEFAULTS,
    tierRank: TIER_RANK[NEW_CUSTOMER_DEFAULTS.tier],
    churnScore: 0,
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
  for (const field of DERIVED_FIELDS) delete rest[field];
  return { ...rest, channelUsers: (rest.channelUsers ?? []).map((u: ChannelUser) => ({ channelId: u.channelId, userId: u.userId })) } as Customer;
}
