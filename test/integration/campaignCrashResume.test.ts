/**
 * A bot process is SIGKILLed in the middle of a campaign and a new one takes over: no client
 * gets the campaign twice (the core guarantee), every recipient ends in a final state, and the
 * only clients left without the message are the sends in flight at the kill, marked
 * failed/'interrupted' (at-most-once: the bank prefers a missed greeting to a double one).
 */
import type { Connection } from 'mongoose';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../../models/campaigns/mongoCampaignRecipientRepository';
import type { CampaignRecipient } from '../../services/campaigns/campaign';
import { startStubChannel, type StubChannel } from '../support/stubChannel';
import { startBotProcess, type BotProcess } from '../support/campaignProcess';
import { eventually } from '../support/eventually';
import { putRunningCampaign, seedCustomersWithConversations, type SeededCustomer } from '../support/campaignSeed';
import { mongoUri, redisUrl, uniquePrefix } from '../support/services';

const RECIPIENTS = 200;
const CONCURRENCY = 8;

describe('Campaign sending survives a SIGKILL (two real bot processes in turn)', () => {
  let stub: StubChannel;
  let connection: Connection;
  const processes: BotProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    stub = await startStubChannel();
    const uri = mongoUri();
    connection = await openMongoConnection(uri);
    env = {
      MONGODB_URI: uri, REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: uniquePrefix('crash'),
      CAMPAIGN_POLL_MS: '200', CAMPAIGN_BATCH_SIZE: '20', CAMPAIGN_CONCURRENCY: String(CONCURRENCY), CAMPAIGN_CLAIM_STALE_MS: '10000',
      // A killed process's conversation locks expire quickly, so the next one is not kept waiting.
      LOCK_TTL_MS: '3000', LOCK_WAIT_MS: '5000', TRANSCRIPT_FLUSH_MS: '50',
    };
  }, 60_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await connection?.close();
    await stub?.close();
  });

  test('When the sending process is killed mid-campaign and another starts, then nobody gets it twice and only interrupted sends are missing', async () => {
    const customers: SeededCustomer[] = await seedCustomersWithConversations(connection, { count: RECIPIENTS, serviceUrl: stub.url, prefix: `crash${Date.now()}` });
    const first = await startBotProcess(env);
    processes.push(first);
    // 40 a second: the campaign takes about five seconds, long enough to kill the process half-way.
    const campaign = await putRunningCampaign(connection, customers, { sendRatePerSecond: 40 });
    const delivered = () => customers.filter((c) => (stub.deliveredCounts().get(c.conversationId) ?? 0) > 0).length;

    await eventually(() => delivered() >= 40, { timeoutMs: 90_000, what: 'the first process to send some' });
    await first.kill();
    const atKill = delivered();
    expect(atKill).toBeLessThan(RECIPIENTS);

    const second = await startBotProcess(env);
    processes.push(second);
    const campaigns = new MongoCampaignRepository(connection);
    await eventually(async () => (await campaigns.get(campaign.id))?.status === 'completed', { timeoutMs: 120_000, what: 'the campaign to complete' });
    await second.stop();

    const recipients = new MongoCampaignRecipientRepository(connection);
    const states: CampaignRecipient[] = [];
    for await (const r of recipients.stream(campaign.id)) states.push(r);
    expect(states).toHaveLength(RECIPIENTS);
    const byCustomer = new Map(states.map((r) => [r.customerId, r]));
    const counts = stub.deliveredCounts();

    let interrupted = 0;
    let interruptedWithMessage = 0;
    for (const c of customers) {
      const messages = counts.get(c.conversationId) ?? 0;
      const r = byCustomer.get(c.customerId)!;
      // The core guarantee: never twice.
      expect(messages).toBeLessThanOrEqual(1);
      expect(['sent', 'failed', 'unreachable', 'skipped']).toContain(r.state);
      if (r.state === 'sent') expect(messages).toBe(1);
      if (messages === 0) expect(r).toMatchObject({ state: 'failed', reason: 'interrupted' });
      if (r.state === 'failed') {
        expect(r.reason).toBe('interrupted');
        interrupted += 1;
        if (messages === 1) interruptedWithMessage += 1;
      }
    }
    // Only the sends in flight in the killed process can be interrupted.
    expect(interrupted).toBeLessThanOrEqual(CONCURRENCY);
    const sent = states.filter((r) => r.state === 'sent').length;
    console.info(`crash/resume: ${atKill} delivered before the kill; ${sent} sent, ${interrupted} interrupted (${interruptedWithMessage} of them had reached the channel), ${RECIPIENTS - sent - interrupted} other`);
  }, 300_000);
});
