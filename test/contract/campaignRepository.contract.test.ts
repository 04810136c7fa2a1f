import { EmbeddedCampaignRepository } from '../../models/campaigns/embeddedCampaignRepository';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { DEFAULT_QUIET_HOURS, type Campaign, type CampaignRepository } from '../../services/campaigns/campaign';
import { mongoConnections, storeFactories } from '../support/storeFactories';

const connectMongo = mongoConnections();
const factories = storeFactories<CampaignRepository>(
  (database) => new EmbeddedCampaignRepository(database),
  (connection) => new MongoCampaignRepository(connection),
);

const t0 = new Date('2026-11-30T02:00:00Z');
const t1 = new Date('2026-11-30T03:00:00Z');
let counter = 0;

function draft(fields: Partial<Campaign> = {}): Campaign {
  counter += 1;
  return {
    id: `cmp-${counter}-${Math.random().toString(36).slice(2, 8)}`, name: 'Q4 satisfaction', kind: 'survey', surveyId: 'service-satisfaction',
    audience: { tiers: ['premier'], lastContactBefore: new Date('2026-11-01T00:00:00Z') }, startAt: t0, quietHours: { ...DEFAULT_QUIET_HOURS },
    frequencyCapDays: 30, sendRatePerSecond: 20, status: 'draft', createdBy: 'sup-1', createdAt: t0, updatedAt: t0, ...fields,
  };
}

describe.each(factories)('CampaignRepository (%s)', (_name, create) => {
  test('When a campaign is created, then it reads back equal, with its audience dates as dates', async () => {
    const repo = await create();
    const c = draft({ message: { 'zh-CN': '您好', en: 'Hello' } });
    expect(await repo.create(c)).toEqual(c);
    expect(await repo.get(c.id)).toEqual(c);
    expect(await repo.get('nope')).toBeUndefined();
  });

  test('When campaigns are listed, then the newest comes first', async () => {
    const repo = await create();
    const older = await repo.create(draft({ createdAt: t0 }));
    const newer = await repo.create(draft({ createdAt: t1 }));
    expect((await repo.list()).map((c) => c.id)).toEqual([newer.id, older.id]);
  });

  test('When a draft is edited, then the given fields change, undefined ones are removed and identity fields stay', async () => {
    const repo = await create();
    const c = await repo.create(draft({ endAt: new Date('2026-12-31T00:00:00Z') }));
    const edited = await repo.updateDraft(c.id, { name: 'Renamed', endAt: undefined, status: 'running', createdBy: 'someone' }, t1);
    expect(edited).toEqual({ ...c, name: 'Renamed', endAt: undefined, updatedAt: t1 } as Campaign);
    expect(edited).not.toHaveProperty('endAt');
    expect(await repo.get(c.id)).toEqual(edited);
  });

  test('When a launched campaign or an unknown one is edited, then it is 409 or 404', async () => {
    const repo = await create();
    const c = await repo.create(draft());
    await repo.transition(c.id, ['draft'], 'running', t1, { launchedAt: t1 });
    await expect(repo.updateDraft(c.id, { name: 'x' }, t1)).rejects.toMatchObject({ status: 409, code: 'campaign_not_draft' });
    await expect(repo.updateDraft('nope', { name: 'x' }, t1)).rejects.toMatchObject({ status: 404 });
  });

  test('When a transition starts from an allowed status, then it sets the status and the extra fields; from another status it returns undefined', async () => {
    const repo = await create();
    const c = await repo.create(draft());
    const running = await repo.transition(c.id, ['draft'], 'running', t1, { launchedAt: t1 });
    expect(running).toMatchObject({ status: 'running', launchedAt: t1, updatedAt: t1 });
    expect(await repo.transition(c.id, ['draft'], 'running', t1)).toBeUndefined();
    expect(await repo.transition('nope', ['draft'], 'running', t1)).toBeUndefined();
    const marked = await repo.transition(c.id, ['running'], 'running', t1, { materialisedAt: t1 });
    expect(marked).toMatchObject({ status: 'running', materialisedAt: t1 });
  });

  test('When a running campaign is paused and cancelled at the same time (10 rounds), then exactly one of the two wins each time', async () => {
    const repo = await create();
    for (let round = 0; round < 10; round += 1) {
      const c = await repo.create(draft());
      await repo.transition(c.id, ['draft'], 'running', t0);
      const [paused, cancelled] = await Promise.all([
        repo.transition(c.id, ['running'], 'paused', t1),
        repo.transition(c.id, ['running'], 'cancelled', t1),
      ]);
      expect([paused, cancelled].filter(Boolean)).toHaveLength(1);
      expect((await repo.get(c.id))?.status).toBe((paused ?? cancelled)!.status);
    }
  });

  test('When 10 processes try to launch the same draft at once, then exactly one launches it', async () => {
    const repo = await create();
    const c = await repo.create(draft());
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repo.transition(c.id, ['draft'], 'running', t1, { launchedAt: new Date(t1.getTime() + i) })));
    const winners = results.filter(Boolean);
    expect(winners).toHaveLength(1);
    expect((await repo.get(c.id))?.launchedAt).toEqual(winners[0]!.launchedAt);
  });
});

describe('MongoCampaignRepository change log', () => {
  test('When a writer claimed a change and died before applying it, then the next reader applies it and the next change builds on it', async () => {
    const connection = await connectMongo();
    const repo = new MongoCampaignRepository(connection);
    const c = await repo.create(draft());
    // What a launch leaves behind when its process dies between claiming version 0 and applying it.
    await connection.models.CampaignChange.collection.insertOne({ _id: `${c.id}:0`, campaignId: c.id, version: 0, set: { status: 'running', launchedAt: t1, updatedAt: t1 }, unset: [], at: t1 } as never);
    expect(await repo.get(c.id)).toMatchObject({ status: 'running', launchedAt: t1 });
    expect(await repo.transition(c.id, ['draft'], 'running', t1)).toBeUndefined();
    expect(await repo.transition(c.id, ['running'], 'paused', t1)).toMatchObject({ status: 'paused', launchedAt: t1 });
    expect((await repo.list()).find((x) => x.id === c.id)?.status).toBe('paused');
  });

  test('When a draft\'s audience is edited with a date, then it reads back as a date', async () => {
    const connection = await connectMongo();
    const repo = new MongoCampaignRepository(connection);
    const c = await repo.create(draft());
    const at = new Date('2026-10-10T00:00:00Z');
    expect((await repo.updateDraft(c.id, { audience: { lastContactBefore: at, hasOpenComplaint: true } }, t1)).audience).toEqual({ lastContactBefore: at, hasOpenComplaint: true });
    expect((await repo.get(c.id))?.audience.lastContactBefore).toEqual(at);
  });
});
