import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  RECIPIENT_STATES,
  type CampaignRecipient,
  type CampaignRecipientRepository,
  type RecipientCounts,
  type RecipientState,
} from '../../services/campaigns/campaign';
import { RECIPIENT_INSERT_BATCH, definedOnly, recipientDocument, recipientKey, toRecipient } from './campaignRecords';

const COLLECTION = 'campaign_recipients';

/**
 * Campaign recipients in the embedded database. `_id` is `<campaignId>:<customerId>`, so a
 * customer is in a campaign once. NeDB runs one operation at a time, so the claim is a
 * guarded update (`state: 'pending'` → 'sending'): of concurrent claimers one matches.
 */
export class EmbeddedCampaignRecipientRepository implements CampaignRecipientRepository {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedCampaignRecipientRepository needs an EmbeddedDatabase');
  }

  async insertMany(recipients: CampaignRecipient[]): Promise<number> {
    const store = await this.store();
    let added = 0;
    for (let i = 0; i < recipients.length; i += RECIPIENT_INSERT_BATCH) {
      const batch = recipients.slice(i, i + RECIPIENT_INSERT_BATCH).map(recipientDocument);
      const existing = new Set((await store.findAsync({ _id: { $in: batch.map((d) => d._id) } }, { _id: 1 })).map((d) => d._id));
      const fresh = [...new Map(batch.filter((d) => !existing.has(d._id)).map((d) => [d._id, d])).values()];
      if (!fresh.length) continue;
      try {
        await store.insertAsync(fresh); // all or nothing in NeDB
        added += fresh.length;
      } catch (error) {
        if ((error as { errorType?: string }).errorType !== 'uniqueViolated') throw error;
        // Someone inserted some of them since the read: fall back to one by one.
        for (const doc of fresh) added += await store.insertAsync(doc).then(() => 1, (e) => { if (e.errorType === 'uniqueViolated') return 0; throw e; });
      }
    }
    return added;
  }

  async get(campaignId: string, customerId: string): Promise<CampaignRecipient | undefined> {
    const doc = await (await this.store()).findOneAsync({ _id: recipientKey(campaignId, customerId) });
    return doc ? toRecipient(doc) : undefined;
  }

  async nextPending(campaignId: string, afterSeq: number, limit: number, now: Date): Promise<CampaignRecipient[]> {
    const docs = await (await this.store()).findAsync({
      campaignId, state: 'pending', seq: { $gt: afterSeq },
      $or: [{ notBefore: { $exists: false } }, { notBefore: null }, { notBefore: { $lte: now } }],
    }).sort({ seq: 1 }).limit(limit);
    return docs.map(toRecipient);
  }

  async claim(campaignId: string, customerId: string, claimer: string, at: Date): Promise<boolean> {
    const { numAffected } = await (await this.store()).updateAsync(
      { _id: recipientKey(campaignId, customerId), state: 'pending' },
      { $set: { state: 'sending', claimedBy: claimer, claimedAt: at }, $inc: { attempts: 1 } },
      {},
    );
    return numAffected === 1;
  }

  async update(campaignId: string, customerId: string, fields: Partial<CampaignRecipient>): Promise<void> {
    const { campaignId: _c, customerId: _u, ...rest } = fields;
    const set = definedOnly(rest);
    if (!Object.keys(set).length) return;
    await (await this.store()).updateAsync({ _id: recipientKey(campaignId, customerId) }, { $set: set }, {});
  }

  async markSent(campaignId: string, customerId: string, fields: Required<Pick<CampaignRecipient, 'sentAt' | 'channelId' | 'conversationId'>>): Promise<boolean> {
    const store = await this.store();
    const key = recipientKey(campaignId, customerId);
    const { numAffected } = await store.updateAsync({ _id: key, state: 'sending' }, { $set: { ...fields, state: 'sent' } }, {});
    if (numAffected === 0) await store.updateAsync({ _id: key }, { $set: fields }, {});
    return numAffected === 1;
  }

  async *stream(campaignId: string): AsyncIterable<CampaignRecipient> {
    // NeDB has no cursor over its in-memory index; read a page of seq at a time.
    const store = await this.store();
    let afterSeq = -Infinity;
    for (;;) {
      const page = await store.findAsync({ campaignId, seq: { $gt: afterSeq } }).sort({ seq: 1 }).limit(RECIPIENT_INSERT_BATCH);
      for (const doc of page) yield toRecipient(doc);
      if (page.length < RECIPIENT_INSERT_BATCH) return;
      afterSeq = page[page.length - 1].seq;
    }
  }

  async counts(campaignId: string): Promise<RecipientCounts> {
    const store = await this.store();
    const entries = await Promise.all(RECIPIENT_STATES.map(async (state) => [state, Number(await store.countAsync({ campaignId, state }))] as const));
    return Object.fromEntries(entries) as RecipientCounts;
  }

  async staleSending(campaignId: string, before: Date): Promise<CampaignRecipient[]> {
    const docs = await (await this.store()).findAsync({ campaignId, state: 'sending', claimedAt: { $lt: before } }).sort({ seq: 1 });
    return docs.map(toRecipient);
  }

  async lastSurveySentAt(customerId: string): Promise<Date | undefined> {
    const [doc] = await (await this.store()).findAsync({ customerId, asksForFeedback: true, sentAt: { $exists: true } }).sort({ sentAt: -1 }).limit(1);
    return doc?.sentAt ? new Date(doc.sentAt) : undefined;
  }

  async lastSurveySentAtMany(customerIds: string[]): Promise<Map<string, Date>> {
    const latest = new Map<string, Date>();
    if (!customerIds.length) return latest;
    const docs = await (await this.store()).findAsync({ customerId: { $in: customerIds }, asksForFeedback: true, sentAt: { $exists: true } }, { customerId: 1, sentAt: 1 });
    for (const doc of docs) {
      const sentAt = new Date(doc.sentAt);
      if (!latest.has(doc.customerId) || latest.get(doc.customerId)!.getTime() < sentAt.getTime()) latest.set(doc.customerId, sentAt);
    }
    return latest;
  }

  async findByCustomer(customerId: string, states?: RecipientState[]): Promise<CampaignRecipient[]> {
    const query: Record<string, unknown> = { customerId };
    if (states) query.state = { $in: states };
    return (await (await this.store()).findAsync(query).sort({ campaignId: 1 })).map(toRecipient);
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.ready ??= Promise.all([
      store.ensureIndexAsync({ fieldName: 'campaignId' }),
      store.ensureIndexAsync({ fieldName: 'customerId' }),
      store.ensureIndexAsync({ fieldName: 'state' }),
    ]);
    await this.ready;
    return store;
  }
}
