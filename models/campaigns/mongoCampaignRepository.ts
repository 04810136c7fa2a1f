import { Schema, type Connection, type Model } from 'mongoose';
import type { Campaign, CampaignRepository, CampaignStatus } from '../../services/campaigns/campaign';
import { CAMPAIGN_STATUSES } from '../../services/campaigns/campaign';
import { definedOnly, draftChanges, noCampaign, notDraft, statusIn, toCampaign, transitionFields } from './campaignRecords';

/** The stored campaign: `_id` is the campaign id; `version` counts the changes applied to it. */
type CampaignDocument = Campaign & { _id: string; version: number };

/**
 * One change of a campaign (an edit of the draft or a status transition). `_id` is
 * `<campaignId>:<version it applies to>`, unique: of two writers starting from the same
 * version only one can insert it, so only one change per version ever happens.
 */
interface CampaignChange {
  _id: string;
  campaignId: string;
  version: number;
  set: Record<string, unknown>;
  unset: string[];
  at: Date;
}

const campaignSchema = new Schema<CampaignDocument>({
  _id: { type: String, required: true },
  id: { type: String, required: true },
  name: { type: String, required: true },
  kind: { type: String, required: true, enum: ['survey', 'message'] },
  status: { type: String, required: true, enum: CAMPAIGN_STATUSES },
  version: { type: Number, required: true },
  createdAt: { type: Date, required: true },
}, { versionKey: false, strict: false, _id: false });
campaignSchema.index({ createdAt: -1 });

const changeSchema = new Schema<CampaignChange>({
  _id: { type: String, required: true },
  campaignId: { type: String, required: true },
  version: { type: Number, required: true },
  set: { type: Schema.Types.Mixed },
  unset: { type: [String] },
  at: { type: Date, required: true },
}, { versionKey: false, _id: false, minimize: false });

/** How often a writer re-reads and retries after losing a version to a concurrent change that left its guard true. */
const MAX_CHANGE_ATTEMPTS = 10;

/**
 * Campaigns in MongoDB (FerretDB-compatible). FerretDB 1.x lets two guarded updates of one
 * document both succeed, so every change (draft edit or status transition) first claims the
 * campaign's current version with a unique insert into `CampaignChange`, then applies it.
 * The change log is the truth: a reader that finds a claimed but unapplied change (its
 * writer died in between) applies it before going on, so a campaign never sticks.
 */
export class MongoCampaignRepository implements CampaignRepository {
  private readonly campaigns: Model<CampaignDocument>;
  private readonly changes: Model<CampaignChange>;
  private indexes: Promise<unknown> | undefined;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoCampaignRepository needs a mongoose connection');
    this.campaigns = connection.models.Campaign ?? connection.model<CampaignDocument>('Campaign', campaignSchema);
    this.changes = connection.models.CampaignChange ?? connection.model<CampaignChange>('CampaignChange', changeSchema);
  }

  async create(campaign: Campaign): Promise<Campaign> {
    await this.ensureIndexes();
    await this.campaigns.collection.insertOne({ ...definedOnly(campaign), _id: campaign.id, version: 0 } as never);
    return (await this.get(campaign.id))!;
  }

  async get(id: string): Promise<Campaign | undefined> {
    const doc = await this.current(id);
    return doc ? toCampaign(doc) : undefined;
  }

  async list(): Promise<Campaign[]> {
    const docs = await this.campaigns.find({}).sort({ createdAt: -1, _id: 1 }).lean();
    return Promise.all(docs.map(async (doc) => toCampaign((await this.applyClaimedChanges(doc as CampaignDocument)))));
  }

  async updateDraft(id: string, fields: Partial<Campaign>, at: Date): Promise<Campaign> {
    const { set, unset } = draftChanges(fields);
    const outcome = await this.change(id, (c) => c.status === 'draft', { ...set, updatedAt: at }, unset, at);
    if (outcome === 'missing') throw noCampaign();
    if (outcome === 'refused') throw notDraft();
    return toCampaign(outcome);
  }

  async transition(id: string, from: CampaignStatus[], to: CampaignStatus, at: Date, extra: Partial<Campaign> = {}): Promise<Campaign | undefined> {
    const outcome = await this.change(id, (c) => statusIn(c, from), { ...transitionFields(extra), status: to, updatedAt: at }, [], at);
    return typeof outcome === 'string' ? undefined : toCampaign(outcome);
  }

  /** Claims the current version for this change while `guard` holds; retries on the next version when another change won. */
  private async change(id: string, guard: (c: CampaignDocument) => boolean, set: Record<string, unknown>, unset: string[], at: Date): Promise<CampaignDocument | 'missing' | 'refused'> {
    await this.ensureIndexes();
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt += 1) {
      const doc = await this.current(id);
      if (!doc) return 'missing';
      if (!guard(doc)) return 'refused';
      try {
        await this.changes.collection.insertOne({ _id: `${id}:${doc.version}`, campaignId: id, version: doc.version, set, unset, at } as never);
      } catch (error) {
        if ((error as { code?: number }).code === 11000) continue; // another change took this version: look again
        throw error;
      }
      return this.apply(doc, { set, unset, version: doc.version });
    }
    throw new Error(`campaign ${id}: gave up after ${MAX_CHANGE_ATTEMPTS} concurrent changes`);
  }

  /** The campaign with every claimed change applied. */
  private async current(id: string): Promise<CampaignDocument | undefined> {
    const doc = await this.campaigns.findOne({ _id: id }).lean();
    return doc ? this.applyClaimedChanges(doc as CampaignDocument) : undefined;
  }

  private async applyClaimedChanges(doc: CampaignDocument): Promise<CampaignDocument> {
    let current = doc;
    for (;;) {
      const pending = await this.changes.findOne({ _id: `${current._id}:${current.version}` }).lean();
      if (!pending) return current;
      current = await this.apply(current, { set: pending.set ?? {}, unset: pending.unset ?? [], version: pending.version });
    }
  }

  /** Writes one claimed change; idempotent (a second writer of the same change writes the same values). */
  private async apply(doc: CampaignDocument, change: { set: Record<string, unknown>; unset: string[]; version: number }): Promise<CampaignDocument> {
    const update: Record<string, unknown> = { $set: { ...change.set, version: change.version + 1 } };
    if (change.unset.length) update.$unset = Object.fromEntries(change.unset.map((k) => [k, '']));
    await this.campaigns.collection.updateOne({ _id: doc._id, version: change.version } as never, update);
    const next: Record<string, unknown> = { ...doc, ...change.set, version: change.version + 1 };
    for (const key of change.unset) delete next[key];
    return next as unknown as CampaignDocument;
  }

  private ensureIndexes(): Promise<unknown> {
    this.indexes ??= Promise.all([this.campaigns.init(), this.changes.init()]);
    return this.indexes;
  }
}
