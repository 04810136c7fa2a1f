import { Schema, type Connection, type Model } from 'mongoose';
import {
  RECIPIENT_STATES,
  type CampaignRecipient,
  type CampaignRecipientRepository,
  type RecipientCounts,
  type RecipientState,
} from '../../services/campaigns/campaign';
import { RECIPIENT_INSERT_BATCH, definedOnly, recipientDocument, recipientKey, toRecipient } from './campaignRecords';
import { KeyedSerializer } from '../../services/concurrency/keyedSerializer';

/** Claims queued per recipient (database/key), shared by every repository of the process. */
const RECIPIENT_CLAIMS = new KeyedSerializer();

type RecipientDocument = CampaignRecipient & { _id: string };

/** Who won attempt n at sending to a recipient: `_id` is `<campaignId>:<customerId>:<attempt>`, unique. */
interface RecipientClaim {
  _id: string;
  campaignId: string;
  customerId: string;
  claimedBy: string;
  claimedAt: Date;
}

const recipientSchema = new Schema<RecipientDocument>({
  _id: { type: String, required: true },
  campaignId: { type: String, required: true },
  customerId: { type: String, required: true },
  state: { type: String, required: true, enum: RECIPIENT_STATES },
  seq: { type: Number, required: true },
}, { versionKey: false, strict: false, _id: false });
// nextPending / counts / staleSending walk one campaign's states; opt-out and replies look by customer.
recipientSchema.index({ campaignId: 1, state: 1, seq: 1 });
recipientSchema.index({ campaignId: 1, seq: 1 });
recipientSchema.index({ customerId: 1, state: 1 });

const claimSchema = new Schema<RecipientClaim>({
  _id: { type: String, required: true },
  campaignId: { type: String, required: true },
  customerId: { type: String, required: true },
  claimedBy: { type: String, required: true },
  claimedAt: { type: Date, required: true },
}, { versionKey: false, _id: false });

/**
 * The last feedback request sent to a customer, across campaigns: `_id` is the customer id, so
 * the frequency cap reads it by key (FerretDB answers a key lookup in ~1 ms, while a query on
 * another field reads the whole collection). Kept up to date by `update` and `insertMany`.
 */
interface FeedbackSend {
  _id: string;
  lastSentAt: Date;
}

const feedbackSendSchema = new Schema<FeedbackSend>({
  _id: { type: String, required: true },
  lastSentAt: { type: Date, required: true },
}, { versionKey: false, _id: false });

const DUPLICATE_KEY = 11000;
/** A claim this old that never marked its recipient 'sending' belongs to a process that died. */
export const ORPHANED_CLAIM_MS = 2 * 60_000;

/**
 * Campaign recipients in MongoDB (FerretDB-compatible). `_id` is `<campaignId>:<customerId>`,
 * so the key itself keeps a customer in a campaign once. A send is claimed by a unique insert
 * into `CampaignRecipientClaim` for the recipient's current attempt (FerretDB 1.x lets two
 * guarded updates both win); only the winner then moves the record to 'sending'.
 */
export class MongoCampaignRecipientRepository implements CampaignRecipientRepository {
  private readonly recipients: Model<RecipientDocument>;
  private readonly claims: Model<RecipientClaim>;
  private readonly feedbackSends: Model<FeedbackSend>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoCampaignRecipientRepository needs a mongoose connection');
    this.recipients = connection.models.CampaignRecipient ?? connection.model<RecipientDocument>('CampaignRecipient', recipientSchema);
    this.claims = connection.models.CampaignRecipientClaim ?? connection.model<RecipientClaim>('CampaignRecipientClaim', claimSchema);
    this.feedbackSends = connection.models.CampaignFeedbackSend ?? connection.model<FeedbackSend>('CampaignFeedbackSend', feedbackSendSchema);
  }

  async insertMany(recipients: CampaignRecipient[]): Promise<number> {
    await this.ensureIndexes();
    let added = 0;
    for (let i = 0; i < recipients.length; i += RECIPIENT_INSERT_BATCH) {
      const batch = recipients.slice(i, i + RECIPIENT_INSERT_BATCH).map(recipientDocument);
      try {
        added += (await this.recipients.collection.insertMany(batch as never[], { ordered: false })).insertedCount;
      } catch (error) {
        added += batch.length - duplicateCount(error, batch.length);
      }
    }
    for (const r of recipients) if (r.asksForFeedback && r.sentAt) await this.recordFeedbackSend(r.customerId, r.sentAt);
    return added;
  }

  async get(campaignId: string, customerId: string): Promise<CampaignRecipient | undefined> {
    const doc = await this.recipients.findOne({ _id: recipientKey(campaignId, customerId) }).lean();
    return doc ? toRecipient(doc) : undefined;
  }

  async nextPending(campaignId: string, afterSeq: number, limit: number, now: Date): Promise<CampaignRecipient[]> {
    const docs = await this.recipients.find({
      campaignId, state: 'pending', seq: { $gt: afterSeq },
      $or: [{ notBefore: { $exists: false } }, { notBefore: null }, { notBefore: { $lte: now } }],
    }).sort({ seq: 1 }).limit(limit).lean();
    return docs.map(toRecipient);
  }

  async claim(campaignId: string, customerId: string, claimer: string, at: Date): Promise<boolean> {
    await this.ensureIndexes();
    // One claim of a recipient at a time in this process: on FerretDB 1.x a claimer releasing an
    // orphaned claim writes back the whole recipient it read, which could undo the winner's
    // 'sending' mark made in between. Across processes the unique claim insert still decides.
    return RECIPIENT_CLAIMS.run(`${this.recipients.db.name}/${recipientKey(campaignId, customerId)}`, () => this.claimNow(campaignId, customerId, claimer, at));
  }

  private async claimNow(campaignId: string, customerId: string, claimer: string, at: Date): Promise<boolean> {
    const key = recipientKey(campaignId, customerId);
    for (let tries = 0; tries < 2; tries += 1) {
      const recipient = await this.recipients.findOne({ _id: key }).lean();
      if (recipient?.state !== 'pending') return false;
      // Attempts only grow, so a claimer working from a stale read collides with the winner's claim.
      const attempt = recipient.attempts ?? 0;
      try {
        await this.claims.collection.insertOne({ _id: `${key}:${attempt}`, campaignId, customerId, claimedBy: claimer, claimedAt: at } as never);
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
        if (!(await this.releaseOrphanedClaim(key, attempt, at))) return false;
        continue;
      }
      await this.recipients.collection.updateOne({ _id: key } as never, { $set: { state: 'sending', claimedBy: claimer, claimedAt: at, attempts: attempt + 1 } });
      return true;
    }
    return false;
  }

  /**
   * A claim whose process died between inserting it and marking the recipient 'sending' leaves the
   * recipient pending at the same attempt, so every later claim would collide with it and the
   * campaign would never complete. Nothing was sent in that case (the send starts only after the
   * mark), so once the claim is older than {@link ORPHANED_CLAIM_MS} the recipient moves on to the
   * next attempt, which is claimed by a unique insert like any other. Returns true when it moved.
   */
  private async releaseOrphanedClaim(key: string, attempt: number, now: Date): Promise<boolean> {
    const claim = await this.claims.findOne({ _id: `${key}:${attempt}` }).lean();
    if (!claim || now.getTime() - new Date(claim.claimedAt).getTime() < ORPHANED_CLAIM_MS) return false;
    const { modifiedCount } = await this.recipients.collection.updateOne(
      { _id: key, state: 'pending', attempts: attempt } as never, { $set: { attempts: attempt + 1 } },
    );
    // Two processes may both move it (FerretDB); both then race on the next attempt's unique insert.
    return modifiedCount > 0 || Boolean(await this.recipients.findOne({ _id: key, state: 'pending', attempts: attempt + 1 }).lean());
  }

  async update(campaignId: string, customerId: string, fields: Partial<CampaignRecipient>): Promise<void> {
    const { campaignId: _c, customerId: _u, ...rest } = fields;
    const set = definedOnly(rest);
    if (!Object.keys(set).length) return;
    await this.recipients.collection.updateOne({ _id: recipientKey(campaignId, customerId) } as never, { $set: set });
    if (set.sentAt) {
      const stored = await this.recipients.findOne({ _id: recipientKey(campaignId, customerId) }, { asksForFeedback: 1 }).lean();
      if (stored?.asksForFeedback) await this.recordFeedbackSend(customerId, set.sentAt);
    }
  }

  async markSent(campaignId: string, customerId: string, fields: Required<Pick<CampaignRecipient, 'sentAt' | 'channelId' | 'conversationId'>>): Promise<boolean> {
    const key = recipientKey(campaignId, customerId);
    const { matchedCount } = await this.recipients.collection.updateOne({ _id: key, state: 'sending' } as never, { $set: { ...fields, state: 'sent' } });
    if (matchedCount === 0) await this.recipients.collection.updateOne({ _id: key } as never, { $set: fields });
    const stored = await this.recipients.findOne({ _id: key }, { asksForFeedback: 1 }).lean();
    if (stored?.asksForFeedback) await this.recordFeedbackSend(customerId, fields.sentAt);
    return matchedCount > 0;
  }

  /** Moves the customer's last feedback send forward (never back); a concurrent first upsert is retried as an update. */
  private async recordFeedbackSend(customerId: string, sentAt: Date): Promise<void> {
    const upsert = () => this.feedbackSends.collection.updateOne({ _id: customerId } as never, { $max: { lastSentAt: new Date(sentAt) } }, { upsert: true });
    try {
      await upsert();
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      await upsert();
    }
  }

  async *stream(campaignId: string): AsyncIterable<CampaignRecipient> {
    const cursor = this.recipients.find({ campaignId }).sort({ seq: 1 }).lean().cursor({ batchSize: RECIPIENT_INSERT_BATCH });
    try {
      for await (const doc of cursor) yield toRecipient(doc as Record<string, any>);
    } finally {
      await cursor.close();
    }
  }

  async counts(campaignId: string): Promise<RecipientCounts> {
    const counts = Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as RecipientCounts;
    const groups = await this.recipients.aggregate<{ _id: RecipientState; n: number }>([
      { $match: { campaignId } },
      { $group: { _id: '$state', n: { $sum: 1 } } },
    ]);
    for (const g of groups) if (g._id in counts) counts[g._id] = g.n;
    return counts;
  }

  async staleSending(campaignId: string, before: Date): Promise<CampaignRecipient[]> {
    const docs = await this.recipients.find({ campaignId, state: 'sending', claimedAt: { $lt: before } }).sort({ seq: 1 }).lean();
    return docs.map(toRecipient);
  }

  async lastSurveySentAt(customerId: string): Promise<Date | undefined> {
    const doc = await this.feedbackSends.findOne({ _id: customerId }).lean();
    return doc ? new Date(doc.lastSentAt) : undefined;
  }

  async lastSurveySentAtMany(customerIds: string[]): Promise<Map<string, Date>> {
    if (!customerIds.length) return new Map();
    const docs = await this.feedbackSends.find({ _id: { $in: customerIds } }).lean();
    return new Map(docs.map((d) => [d._id, new Date(d.lastSentAt)]));
  }

  async findByCustomer(customerId: string, states?: RecipientState[]): Promise<CampaignRecipient[]> {
    const query: Record<string, unknown> = { customerId };
    if (states) query.state = { $in: states };
    return (await this.recipients.find(query).sort({ campaignId: 1 }).lean()).map(toRecipient);
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([this.recipients.init(), this.claims.init(), this.feedbackSends.init()]);
    return this.indexes;
  }
}

/** How many inserts of an unordered insertMany failed on the unique key; rethrows any other failure. */
function duplicateCount(error: unknown, batchSize: number): number {
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const writeErrors = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Array<{ code?: number; err?: { code?: number } }>;
  if (!writeErrors.length && (error as { code?: number }).code === DUPLICATE_KEY && batchSize === 1) return 1;
  if (!writeErrors.length || writeErrors.some((e) => (e.code ?? e.err?.code) !== DUPLICATE_KEY)) throw error;
  return writeErrors.length;
}
