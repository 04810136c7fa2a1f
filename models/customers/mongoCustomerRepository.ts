import crypto from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '../../services/appError';
import {
  CUSTOMER_TIERS,
  NEW_CUSTOMER_DEFAULTS,
  channelUserKey,
  type ChannelUser,
  type Customer,
  type CustomerFields,
  type CustomerRepository,
} from '../../services/customers/customerRepository';

type CustomerDocument = Customer & { channelKeys?: string[] };

const customerSchema = new Schema<CustomerDocument>({
  id: { type: String, required: true },
  externalId: { type: String },
  channelUsers: { type: [{ _id: false, channelId: { type: String, required: true }, userId: { type: String, required: true } }], default: [] },
  // One string per linked chat identity, so a unique index can refuse a second owner.
  channelKeys: { type: [String], default: undefined },
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
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
}, { versionKey: false });
customerSchema.index({ id: 1 }, { unique: true });
customerSchema.index({ externalId: 1 }, { unique: true, sparse: true });
customerSchema.index({ channelKeys: 1 }, { unique: true, sparse: true });

const LINKED = () => AppError.conflict('channel_user_linked', 'That chat identity is already linked to another customer');

/** Customers in MongoDB (FerretDB-compatible): single-document conditional updates and unique indexes. */
export class MongoCustomerRepository implements CustomerRepository {
  private readonly model: Model<CustomerDocument>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoCustomerRepository needs a mongoose connection');
    this.model = connection.models.Customer ?? connection.model<CustomerDocument>('Customer', customerSchema);
  }

  async upsertByExternalId(externalId: string, fields: CustomerFields, at = new Date()): Promise<Customer> {
    if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
    await this.ensureIndexes();
    const set = { ...definedFields(fields), updatedAt: at };
    const onInsert = Object.fromEntries(Object.entries({
      id: crypto.randomUUID(), createdAt: at, tier: NEW_CUSTOMER_DEFAULTS.tier, tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent }, channelUsers: [],
    }).filter(([k]) => !(k in set)));
    const upsert = () => this.model.findOneAndUpdate({ externalId }, { $set: set, $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after', runValidators: true, lean: true });
    let doc;
    try {
      doc = await upsert();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      doc = await upsert(); // a concurrent import created it first; now this is an update
    }
    return toCustomer(doc as Record<string, any>);
  }

  async create(fields: CustomerFields & { channelUsers?: ChannelUser[] }, at = new Date()): Promise<Customer> {
    await this.ensureIndexes();
    const { channelUsers = [], ...rest } = fields;
    try {
      const doc = await this.model.create({
        ...NEW_CUSTOMER_DEFAULTS, tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent }, ...definedFields(rest),
        id: crypto.randomUUID(),
        channelUsers: channelUsers.map((u) => ({ channelId: u.channelId, userId: u.userId })),
        ...(channelUsers.length ? { channelKeys: channelUsers.map(channelUserKey) } : {}),
        createdAt: at, updatedAt: at,
      });
      return toCustomer(doc.toObject());
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw LINKED();
      throw err;
    }
  }

  async findByChannelUser(channelId: string, userId: string): Promise<Customer | undefined> {
    const doc = await this.model.findOne({ channelKeys: channelUserKey({ channelId, userId }) }).lean();
    return doc ? toCustomer(doc) : undefined;
  }

  async linkChannelUser(customerId: string, channelUser: ChannelUser, at = new Date()): Promise<Customer> {
    await this.ensureIndexes();
    const key = channelUserKey(channelUser);
    const owner = await this.model.findOne({ channelKeys: key }, { id: 1 }).lean();
    if (owner && owner.id !== customerId) throw LINKED();
    try {
      await this.model.updateOne(
        { id: customerId, channelKeys: { $ne: key } },
        { $push: { channelUsers: { channelId: channelUser.channelId, userId: channelUser.userId }, channelKeys: key }, $set: { updatedAt: at } },
      );
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw LINKED();
      throw err;
    }
    const doc = await this.model.findOne({ id: customerId }).lean();
    if (!doc) throw AppError.notFound('customer_not_found', 'No such customer');
    return toCustomer(doc);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const doc = await this.model.findOne({ id: customerId }).lean();
    return doc ? toCustomer(doc) : undefined;
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= this.model.init();
    return this.indexes;
  }
}

function definedFields(fields: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function toCustomer(doc: Record<string, any>): Customer {
  const { _id, channelKeys: _keys, ...rest } = doc;
  const customer = {
    ...rest,
    tags: rest.tags ?? [],
    channelUsers: (rest.channelUsers ?? []).map((u: ChannelUser) => ({ channelId: u.channelId, userId: u.userId })),
  } as Customer;
  for (const key of Object.keys(customer) as Array<keyof Customer>) if (customer[key] === null || customer[key] === undefined) delete customer[key];
  return customer;
}
