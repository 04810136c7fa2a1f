import crypto from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '../../services/appError';
import {
  CUSTOMER_TIERS,
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
import { KeyedSerializer } from '../../services/concurrency/keyedSerializer';

type CustomerDocument = Omit<Customer, 'channelUsers'> & { tierRank?: number; churnScore?: number };

const BATCH = 500;
/** Updates queued per customer (database/customer id), shared by every repository of the process. */
const CUSTOMER_UPDATES = new KeyedSerializer();
const SORT_FIELD = { churnRisk: 'churnScore', name: 'name', company: 'company', tier: 'tierRank', lastContactAt: 'lastContactAt' } as const;

const churnSignalSchema = new Schema({ code: { type: String, required: true }, points: { type: Number, required: true }, detail: { type: String } }, { _id: false });

interface ChannelLinkDocument extends ChannelUser {
  /** `${channelId}:${userId}`, unique: a chat identity belongs to one customer. */
  key: string;
  customerId: string;
  linkedAt: Date;
}

const customerSchema = new Schema<CustomerDocument>({
  id: { type: String, required: true },
  externalId: { type: String },
  name: { type: String, trim: true, maxlength: 200 },
  company: { type: String, trim: true, maxlength: 300 },
  phone: { type: String, trim: true, maxlength: 40 },
  email: { type: String, trim: true, lowercase: true, maxlength: 254, match: /^[^\s@]+@[^\s@]+\.[^\s@]+$/ },
  language: { type: String, enum: ['zh-CN', 'en'] },
  tier: { type: String, required: true, enum: CUSTOMER_TIERS, default: 'standard' },
  relationshipManager: { type: String, trim: true },
  tags: { type: [String], default: [] },
  consent: {
    surveys: { type: Boolean, required: true, default: false },
    marketing: { type: Boolean, required: true, default: false },
  },
  timeZone: { type: String },
  lastContactAt: { type: Date },
  optedOutAt: { type: Date },
  churnRisk: {
    type: new Schema({ score: { type: Number, required: true, min: 0, max: 100 }, signals: { type: [churnSignalSchema], default: [] }, computedAt: { type: Date, required: true } }, { _id: false }),
  },
  /** Sort keys of the console list (rank of the tier, churn score with none = 0); never returned. */
  tierRank: { type: Number },
  churnScore: { type: Number },
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
}, { versionKey: false });
customerSchema.index({ id: 1 }, { unique: true });
customerSchema.index({ externalId: 1 }, { unique: true, sparse: true });
customerSchema.index({ phone: 1 });

const channelLinkSchema = new Schema<ChannelLinkDocument>({
  key: { type: String, required: true },
  customerId: { type: String, required: true },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  linkedAt: { type: Date, required: true },
}, { versionKey: false });
channelLinkSchema.index({ key: 1 }, { unique: true });
channelLinkSchema.index({ customerId: 1, linkedAt: 1 });

const LINKED = () => AppError.conflict('channel_user_linked', 'That chat identity is already linked to another customer');

/**
 * Customers in MongoDB (FerretDB-compatible). Chat identities are their own documents with a
 * unique key rather than an array on the customer: FerretDB 1.x rewrites a whole document on
 * update, so concurrent `$push`es to one customer lose each other (measured: 10 concurrent
 * links kept 1), while inserts guarded by a unique index are atomic.
 */
export class MongoCustomerRepository implements CustomerRepository {
  private readonly model: Model<CustomerDocument>;
  private readonly links: Model<ChannelLinkDocument>;
  private indexes: Promise<unknown> | undefined;

  private readonly batchSize: number;

  /** @param options.batchSize customers read per cursor batch when streaming an audience (default 500). */
  constructor(connection: Connection, options: { batchSize?: number } = {}) {
    if (!connection) throw new Error('MongoCustomerRepository needs a mongoose connection');
    this.batchSize = options.batchSize ?? BATCH;
    this.model = connection.models.Customer ?? connection.model<CustomerDocument>('Customer', customerSchema);
    this.links = connection.models.CustomerChannelLink ?? connection.model<ChannelLinkDocument>('CustomerChannelLink', channelLinkSchema);
  }

  async upsertByExternalId(externalId: string, fields: CustomerUpdate, at = new Date()): Promise<Customer> {
    if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
    await this.ensureIndexes();
    const write = customerWrite(validateCustomerFields(fields));
    const set = { ...write.set, updatedAt: at };
    const onInsert = Object.fromEntries(Object.entries({
      id: crypto.randomUUID(), createdAt: at, tier: NEW_CUSTOMER_DEFAULTS.tier, tierRank: TIER_RANK[NEW_CUSTOMER_DEFAULTS.tier], churnScore: 0,
      tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent },
    }).filter(([k]) => !(k in set)));
    const unset = Object.keys(write.unset).length ? { $unset: write.unset } : {};
    const upsert = () => this.model.findOneAndUpdate({ externalId }, { $set: set, $setOnInsert: onInsert, ...unset }, { upsert: true, returnDocument: 'after', runValidators: true, lean: true });
    let doc;
    try {
      doc = await upsert();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      doc = await upsert(); // a concurrent import created it first; now this is an update
    }
    return this.withLinks(doc as Record<string, any>);
  }

  async create(fields: CustomerUpdate & { channelUsers?: ChannelUser[] }, at = new Date()): Promise<Customer> {
    await this.ensureIndexes();
    const { channelUsers = [], ...rest } = fields;
    const id = crypto.randomUUID();
    const valid = customerWrite(validateCustomerFields(rest)).set;
    // Claim the chat identities first, so a refused link leaves no half-made customer behind.
    const claimed: string[] = [];
    try {
      for (const u of channelUsers) {
        const key = channelUserKey(u);
        await this.links.create({ key, customerId: id, channelId: u.channelId, userId: u.userId, linkedAt: at });
        claimed.push(key);
      }
    } catch (err) {
      await this.links.deleteMany({ key: { $in: claimed }, customerId: id });
      if ((err as { code?: number }).code === 11000) throw LINKED();
      throw err;
    }
    const doc = await this.model.create({
      ...NEW_CUSTOMER_DEFAULTS, tierRank: TIER_RANK[NEW_CUSTOMER_DEFAULTS.tier], churnScore: 0, tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent },
      ...valid, id, createdAt: at, updatedAt: at,
    });
    return this.withLinks(doc.toObject());
  }

  async findByChannelUser(channelId: string, userId: string): Promise<Customer | undefined> {
    const link = await this.links.findOne({ key: channelUserKey({ channelId, userId }) }).lean();
    return link ? this.get(link.customerId) : undefined;
  }

  async linkChannelUser(customerId: string, channelUser: ChannelUser, at = new Date()): Promise<Customer> {
    await this.ensureIndexes();
    const key = channelUserKey(channelUser);
    if (!(await this.model.exists({ id: customerId }))) throw AppError.notFound('customer_not_found', 'No such customer');
    try {
      await this.links.create({ key, customerId, channelId: channelUser.channelId, userId: channelUser.userId, linkedAt: at });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const owner = await this.links.findOne({ key }).lean();
      if (owner?.customerId !== customerId) throw LINKED();
    }
    return (await this.get(customerId))!;
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const doc = await this.model.findOne({ id: customerId }).lean();
    return doc ? this.withLinks(doc) : undefined;
  }

  async update(customerId: string, fields: CustomerUpdate, at = new Date()): Promise<Customer> {
    // One update of a customer at a time in this process: FerretDB 1.x writes back the whole
    // document, so concurrent $set of different fields lose each other (measured: 18 of 20
    // rounds of lastContactAt + churnRisk + optedOutAt at once lost one). Between two bot
    // processes on FerretDB the race remains; MongoDB itself has no such race.
    return CUSTOMER_UPDATES.run(`${this.model.db.name}/${customerId}`, () => this.updateNow(customerId, fields, at));
  }

  private async updateNow(customerId: string, fields: CustomerUpdate, at: Date): Promise<Customer> {
    await this.ensureIndexes();
    const { set, unset } = customerWrite(validateCustomerFields(fields));
    const doc = await this.model.findOneAndUpdate(
      { id: customerId },
      { $set: { ...set, updatedAt: at }, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      { returnDocument: 'after', runValidators: true, lean: true },
    );
    if (!doc) throw AppError.notFound('customer_not_found', 'No such customer');
    return this.withLinks(doc as Record<string, any>);
  }

  async findByPhone(phone: string): Promise<Customer[]> {
    const normalized = normalizePhone(phone);
    if (!normalized) return [];
    return this.withLinksOf(await this.model.find({ phone: normalized }).sort({ id: 1 }).lean());
  }

  async insertMany(entries: Array<{ externalId: string; fields: CustomerUpdate }>, at = new Date()): Promise<{ inserted: number; existing: string[] }> {
    if (!entries.length) return { inserted: 0, existing: [] };
    await this.ensureIndexes();
    const docs = entries.map(({ externalId, fields }) => {
      if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
      return {
        ...NEW_CUSTOMER_DEFAULTS, tierRank: TIER_RANK[NEW_CUSTOMER_DEFAULTS.tier], churnScore: 0, tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent },
        ...customerWrite(validateCustomerFields(fields)).set, externalId, id: crypto.randomUUID(), createdAt: at, updatedAt: at,
      };
    });
    // Unordered: a CRM id created meanwhile (duplicate key) does not stop the rest of the batch.
    try {
      await this.model.collection.insertMany(docs, { ordered: false });
      return { inserted: docs.length, existing: [] };
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ code?: number; index: number; err?: { code?: number; index?: number } }> }).writeErrors;
      if ((err as { code?: number }).code !== 11000 && !writeErrors?.length) throw err;
      const failed = (writeErrors ?? []).map((e) => ({ code: e.code ?? e.err?.code, index: e.index ?? e.err?.index ?? -1 }));
      if (failed.some((e) => e.code !== 11000)) throw err;
      const existing = failed.map((e) => docs[e.index]?.externalId).filter((x): x is string => Boolean(x));
      return { inserted: docs.length - existing.length, existing };
    }
  }

  async findByExternalIds(externalIds: string[]): Promise<Customer[]> {
    if (!externalIds.length) return [];
    return this.withLinksOf(await this.model.find({ externalId: { $in: externalIds } }).sort({ id: 1 }).lean());
  }

  async *streamMatching(query: CustomerQuery): AsyncIterable<Customer> {
    // One cursor read in batches; each batch gets its chat identities in one query.
    const cursor = this.model.find(matching(query)).sort({ id: 1 }).lean().cursor({ batchSize: this.batchSize });
    let batch: Array<Record<string, any>> = [];
    try {
      for await (const doc of cursor) {
        batch.push(doc as Record<string, any>);
        if (batch.length >= this.batchSize) {
          yield* await this.withLinksOf(batch);
          batch = [];
        }
      }
      if (batch.length) yield* await this.withLinksOf(batch);
    } finally {
      await cursor.close();
    }
  }

  async countMatching(query: CustomerQuery): Promise<number> {
    return this.model.countDocuments(matching(query));
  }

  async list(options: CustomerListOptions): Promise<{ items: Customer[]; total: number }> {
    const q = options.q?.trim();
    const filter = q ? { $or: ['name', 'company', 'externalId', 'phone'].map((field) => ({ [field]: { $regex: escapeRegExp(q), $options: 'i' } })) } : {};
    const direction = options.order === 'desc' ? -1 : 1;
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.min(MAX_LIST_LIMIT, Math.max(0, options.limit ?? 50));
    const [docs, total] = await Promise.all([
      limit === 0 ? [] : this.model.find(filter).sort({ [SORT_FIELD[options.sort ?? 'name']]: direction, id: 1 }).skip(offset).limit(limit).lean(),
      this.model.countDocuments(filter),
    ]);
    return { items: await this.withLinksOf(docs as Array<Record<string, any>>), total };
  }

  /** Customers of several documents with their chat identities, in one query for the links. */
  private async withLinksOf(docs: Array<Record<string, any>>): Promise<Customer[]> {
    if (!docs.length) return [];
    const links = await this.links.find({ customerId: { $in: docs.map((d) => d.id) } }).sort({ linkedAt: 1, _id: 1 }).lean();
    const byCustomer = new Map<string, ChannelUser[]>();
    for (const link of links) {
      const list = byCustomer.get(link.customerId) ?? [];
      list.push(link);
      byCustomer.set(link.customerId, list);
    }
    return docs.map((doc) => toCustomer(doc, byCustomer.get(doc.id) ?? []));
  }

  private async withLinks(doc: Record<string, any>): Promise<Customer> {
    const links = await this.links.find({ customerId: doc.id }).sort({ linkedAt: 1, _id: 1 }).lean();
    return toCustomer(doc, links);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([this.model.init(), this.links.init()]);
    return this.indexes;
  }
}

/** The Mongo filter of an audience (every criterion must hold). */
function matching(query: CustomerQuery): Record<string, unknown> {
  const all: Array<Record<string, unknown>> = [];
  if (query.tiers) all.push({ tier: { $in: query.tiers } });
  if (query.tagsAny) all.push({ tags: { $in: query.tagsAny } });
  if (query.languages) all.push({ language: { $in: query.languages } });
  if (query.relationshipManagers) all.push({ relationshipManager: { $in: query.relationshipManagers } });
  if (query.lastContactBefore) all.push({ $or: [{ lastContactAt: { $lt: query.lastContactBefore } }, { lastContactAt: { $exists: false } }, { lastContactAt: null }] });
  return all.length ? { $and: all } : {};
}

function toCustomer(doc: Record<string, any>, links: ChannelUser[]): Customer {
  const { _id, ...rest } = doc;
  for (const field of DERIVED_FIELDS) delete rest[field];
  const customer = {
    ...rest,
    tags: rest.tags ?? [],
    channelUsers: links.map((u) => ({ channelId: u.channelId, userId: u.userId })),
  } as Customer;
  for (const key of Object.keys(customer) as Array<keyof Customer>) if (customer[key] === null || customer[key] === undefined) delete customer[key];
  return customer;
}
