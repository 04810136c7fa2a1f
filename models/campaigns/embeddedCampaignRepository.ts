import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { Campaign, CampaignRepository, CampaignStatus } from '../../services/campaigns/campaign';
import { definedOnly, draftChanges, noCampaign, notDraft, toCampaign, transitionFields } from './campaignRecords';

const COLLECTION = 'campaigns';

/**
 * Campaigns in the embedded database. A NeDB datastore runs one operation at a time, so a
 * guarded update (`status ∈ from`) is atomic here: of two concurrent transitions one matches.
 */
export class EmbeddedCampaignRepository implements CampaignRepository {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedCampaignRepository needs an EmbeddedDatabase');
  }

  async create(campaign: Campaign): Promise<Campaign> {
    const store = await this.store();
    await store.insertAsync({ ...definedOnly(campaign) });
    return (await this.get(campaign.id))!;
  }

  async get(id: string): Promise<Campaign | undefined> {
    const doc = await (await this.store()).findOneAsync({ id });
    return doc ? toCampaign(doc) : undefined;
  }

  async list(): Promise<Campaign[]> {
    const docs = await (await this.store()).findAsync({}).sort({ createdAt: -1, id: 1 });
    return docs.map(toCampaign);
  }

  async updateDraft(id: string, fields: Partial<Campaign>, at: Date): Promise<Campaign> {
    const store = await this.store();
    const { set, unset } = draftChanges(fields);
    const update: Record<string, unknown> = { $set: { ...set, updatedAt: at } };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, true]));
    const { numAffected } = await store.updateAsync({ id, status: 'draft' }, update, {});
    if (numAffected === 0) throw (await this.get(id)) ? notDraft() : noCampaign();
    return (await this.get(id))!;
  }

  async transition(id: string, from: CampaignStatus[], to: CampaignStatus, at: Date, extra: Partial<Campaign> = {}): Promise<Campaign | undefined> {
    const store = await this.store();
    const { numAffected } = await store.updateAsync({ id, status: { $in: from } }, { $set: { ...transitionFields(extra), status: to, updatedAt: at } }, {});
    return numAffected === 1 ? this.get(id) : undefined;
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.ready ??= Promise.all([
      store.ensureIndexAsync({ fieldName: 'id', unique: true }),
      store.ensureIndexAsync({ fieldName: 'createdAt' }),
    ]);
    await this.ready;
    return store;
  }
}
