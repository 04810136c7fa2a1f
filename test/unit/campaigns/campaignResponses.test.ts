import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCampaignRecipientRepository } from '../../../models/campaigns/embeddedCampaignRecipientRepository';
import { CampaignResponses } from '../../../services/campaigns/campaignResponses';
import type { RecipientState } from '../../../services/campaigns/campaign';

const sentAt = new Date('2026-11-30T02:00:00Z');
const answeredAt = new Date('2026-11-30T02:05:00Z');

async function recipientIn(state: RecipientState) {
  const recipients = new EmbeddedCampaignRecipientRepository(new EmbeddedDatabase(null));
  await recipients.insertMany([{ campaignId: 'c1', customerId: 'k1', state, language: 'zh-CN', tier: 'standard', timeZone: 'Asia/Shanghai', seq: 1, attempts: 1, sentAt }]);
  return { recipients, responses: new CampaignResponses(recipients, () => answeredAt) };
}

describe('CampaignResponses', () => {
  test.each(['sending', 'sent', 'failed'] as const)('When a recipient in %s answers, then it becomes responded with the instant', async (state) => {
    const { recipients, responses } = await recipientIn(state);
    expect(await responses.markResponded('c1', 'k1')).toBe(true);
    expect(await recipients.get('c1', 'k1')).toMatchObject({ state: 'responded', respondedAt: answeredAt });
  });

  test.each(['pending', 'opted_out', 'unreachable', 'skipped'] as const)('When a recipient in %s "answers", then its state is left as it is', async (state) => {
    const { recipients, responses } = await recipientIn(state);
    expect(await responses.markResponded('c1', 'k1')).toBe(false);
    expect(await recipients.get('c1', 'k1')).toMatchObject({ state });
  });

  test('When a responded recipient answers again, then the first instant is kept', async () => {
    const { recipients, responses } = await recipientIn('sent');
    await responses.markResponded('c1', 'k1');
    const later = new CampaignResponses(recipients, () => new Date('2026-12-01T00:00:00Z'));
    expect(await later.markResponded('c1', 'k1')).toBe(false);
    expect(await recipients.get('c1', 'k1')).toMatchObject({ respondedAt: answeredAt });
  });

  test('When the customer is not a recipient of the campaign, then nothing is marked', async () => {
    const { responses } = await recipientIn('sent');
    expect(await responses.markResponded('c1', 'someone-else')).toBe(false);
  });
});
