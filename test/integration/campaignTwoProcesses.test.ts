/**
 * Two real bot processes on the same Redis and Mongo send one campaign at the same time: the
 * claim (a unique insert) lets exactly one of them send to each client, both do part of the
 * work, and the shared rate limiter keeps them together within the campaign's rate.
 */
import type { Connection } from 'mongoose';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../../models/campaigns/mongoCampaignRecipientRepository';
import type { CampaignRecipient } from '../../services/campaigns/campaign';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { startBotProcess, type BotProcess } from '../support/campaignProcess';
import { eventually } from '../support/eventually';
import { putRunningCampaign, seedCustomersWithConversations } from '../support/campaignSeed';
import { mongoUri, redisUrl, uniquePrefix } from '../support/services';

const RECIPIENTS = 200;
const RATE = 50;

describe('One campaign sent by two bot processes at once', () => {
  let stub: StubChannel;
  let connection: Connection;
  let processes: BotProcess[] = [];

  beforeAll(async () => {
    stub = await startStubChannel();
    const uri = mongoUri();
    connection = await openMongoConnection(uri);
    const env = {
      MONGODB_URI: uri, REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: uniquePrefix('two-senders'),
      CAMPAIGN_POLL_MS: '200', CAMPAIGN_BATCH_SIZE: '25', CAMPAIGN_CONCURRENCY: '8', TRANSCRIPT_FLUSH_MS: '50',
    };
    processes = await Promise.all([startBotProcess(env), startBotProcess(env)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await connection?.close();
    await stub?.close();
  });

  test('When both processes send the same campaign, then every client gets it exactly once and both processes sent some', async () => {
    const customers = await seedCustomersWithConversations(connection, { count: RECIPIENTS, serviceUrl: stub.url, prefix: `two${Date.now()}` });
    const campaign = await putRunningCampaign(connection, customers, { sendRatePerSecond: RATE });
    const started = Date.now();
    const campaigns = new MongoCampaignRepository(connection);
    await eventually(async () => (await campaigns.get(campaign.id))?.status === 'completed', { timeoutMs: 180_000, what: 'the campaign to complete' });
    const seconds = (Date.now() - started) / 1000;

    const counts = stub.deliveredCounts();
    for (const c of customers) expect(counts.get(c.conversationId) ?? 0).toBe(1);
    const states: CampaignRecipient[] = [];
    for await (const r of new MongoCampaignRecipientRepository(connection).stream(campaign.id)) states.push(r);
    expect(states.every((r) => r.state === 'sent')).toBe(true);

    const byProcess = new Map<string, number>();
    for (const r of states) byProcess.set(r.claimedBy!, (byProcess.get(r.claimedBy!) ?? 0) + 1);
    expect(byProcess.size).toBe(2);
    for (const p of processes) expect([...byProcess.keys()].some((k) => k.endsWith(`:${p.pid}`))).toBe(true);
    // Together within the shared rate (with a second's slack for the window edges).
    expect(seconds).toBeGreaterThan(RECIPIENTS / RATE - 1);
    console.info(`two processes: ${[...byProcess.entries()].map(([k, n]) => `${k} sent ${n}`).join(', ')} in ${seconds.toFixed(1)} s`);
  }, 240_000);
});
