import crypto from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '../../services/appError';
import {
  CUSTOMER_TIERS,
  NEW_CUSTOMER_DEFAULTS,
  channelUserKey,
  validateCustomerFields,
  type ChannelUser,
  type Customer,
  type CustomerFields,
  type CustomerRepository,
} from '../../services/customers/customerRepository';

type CustomerDocument = Omit<Customer, 'channelUsers'>;

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
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
}, { versionKey: false });
customerSchema.index({ id: 1 }, { unique: true });
customerSchema.index({ externalId: 1 }, { unique: true, sparse: true });

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

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoCustomerRepository needs a mongoose connection');
    this.model = connection.models.Customer ?? connection.model<CustomerDocument>('Customer', customerSchema);
    this.links = connection.models.CustomerChannelLink ?? connection.model<ChannelLinkDocument>('CustomerChannelLink', channelLinkSchema);
  }

  async upsertByExternalId(externalId: string, fields: CustomerFields, at = new Date()): Promise<Customer> {
    if (!externalId) throw AppError.badRequest('customer_external_id_required', 'externalId is required');
    await this.ensureIndexes();
    const set = { ...validateCustomerFields(fields), updatedAt: at };
    const onInsert = Object.fromEntries(Object.entries({
      id: crypto.randomUUID(), createdAt: at, tier: NEW_CUSTOMER_DEFAULTS.tier, tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent },
    }).filter(([k]) => !(k in set)));
    const upsert = () => this.model.findOneAndUpdate({ externalId }, { $set: set, $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after', runValidators: true, lean: true });
    let doc;
    try {
      doc = await upsert();
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      doc = await upsert(); // a concurrent import created it first; now this is an update
    }
    return this.withLinks(doc as Record<string, any>);
  }

  async create(fields: CustomerFields & { channelUsers?: ChannelUser[] }, at = new Date()): Promise<Customer> {
    await this.ensureIndexes();
    const { channelUsers = [], ...rest } = fields;
    const id = crypto.randomUUID();
    const valid = validateCustomerFields(rest);
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
      ...NEW_CUSTOMER_DEFAULTS, tags: [], consent: { ...NEW_CUSTOMER_DEFAULTS.consent }, ...valid, id, createdAt: at, updatedAt: at,
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

  private async withLinks(doc: Record<string, any>): Promise<Customer> {
    const links = await this.links.find({ customerId: doc.id }).sort({ linkedAt: 1, _id: 1 }).lean();
    return toCustomer(doc, links);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([this.model.init(), this.links.init()]);
    return this.indexes;
  }
}

function toCustomer(doc: Record<string, any>, links: ChannelUser[]): Customer {
  const { _id, ...rest } = doc;
  const customer = {
    ...rest,
    tags: rest.tags ?? [],
    channelUsers: links.map((u) => ({ channelId: u.channelId, userId: u.userId })),
  } as Customer;
  for (const key of Object.keys(customer) as Array<keyof Customer>) if (customer[key] === null || customer[key] === undefined) delete customer[key];
  return customer;
}
