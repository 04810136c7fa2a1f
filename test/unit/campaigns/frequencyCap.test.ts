import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCampaignRecipientRepository } from '../../../models/campaigns/embeddedCampaignRecipientRepository';
import { FrequencyCap, asksForFeedback } from '../../../services/campaigns/frequencyCap';
import type { CampaignRecipient } from '../../../services/campaigns/campaign';

const now = new Date('2026-11-30T02:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 24 * 3600_000);

function sent(campaignId: string, customerId: string, sentAt: Date, asks: boolean): CampaignRecipient {
  return { campaignId, customerId, state: 'sent', sentAt, asksForFeedback: asks, language: 'en', tier: 'standard', timeZone: 'Asia/Shanghai', seq: 1, attempts: 1 };
}

async function capWith(recipients: CampaignRecipient[]): Promise<FrequencyCap> {
  const repo = new EmbeddedCampaignRecipientRepository(new EmbeddedDatabase(null));
  await repo.insertMany(recipients);
  return new FrequencyCap(repo);
}

test('When a customer was surveyed 10 days ago, then a 30-day cap holds them back and a 7-day cap does not', async () => {
  const cap = await capWith([sent('s1', 'c1', daysAgo(10), true)]);
  expect(await cap.isCapped('c1', 30, now)).toBe(true);
  expect(await cap.isCapped('c1', 7, now)).toBe(false);
  expect(await cap.isCapped('c1', 10, now)).toBe(false); // exactly capDays ago: free again
});

test('When a customer was never surveyed, or the cap is 0, then they are not capped', async () => {
  const cap = await capWith([sent('s1', 'c1', daysAgo(1), true)]);
  expect(await cap.isCapped('c2', 30, now)).toBe(false);
  expect(await cap.isCapped('c1', 0, now)).toBe(false);
});

test('When a customer only got a greeting that asked nothing, then it does not count toward the cap', async () => {
  const cap = await capWith([sent('m1', 'c1', daysAgo(1), false)]);
  expect(await cap.isCapped('c1', 30, now)).toBe(false);
});

test('When the campaign asks nothing, then it is never capped; a survey or a message with CSAT is', async () => {
  const cap = await capWith([sent('s1', 'c1', daysAgo(1), true)]);
  expect(await cap.isCappedFor({ kind: 'message', frequencyCapDays: 30 }, 'c1', now)).toBe(false);
  expect(await cap.isCappedFor({ kind: 'message', followWithCsat: true, frequencyCapDays: 30 }, 'c1', now)).toBe(true);
  expect(await cap.isCappedFor({ kind: 'survey', frequencyCapDays: 30 }, 'c1', now)).toBe(true);
});

test('When campaigns are classified, then surveys and messages with CSAT ask for feedback, plain messages do not', () => {
  expect(asksForFeedback({ kind: 'survey' })).toBe(true);
  expect(asksForFeedback({ kind: 'message', followWithCsat: true })).toBe(true);
  expect(asksForFeedback({ kind: 'message' })).toBe(false);
});

test('When a batch is checked, then only the recently surveyed customers are held back, and only for a campaign that asks', async () => {
  const cap = await capWith([sent('s1', 'c1', daysAgo(1), true), sent('s2', 'c2', daysAgo(40), true), sent('m1', 'c3', daysAgo(1), false)]);
  expect([...await cap.cappedAmong({ kind: 'survey', frequencyCapDays: 30 }, ['c1', 'c2', 'c3', 'c4'], now)]).toEqual(['c1']);
  expect((await cap.cappedAmong({ kind: 'message', frequencyCapDays: 30 }, ['c1'], now)).size).toBe(0);
  expect((await cap.cappedAmong({ kind: 'survey', frequencyCapDays: 0 }, ['c1'], now)).size).toBe(0);
});
