/**
 * Seeds campaign audiences straight into the Mongo stores with bulk inserts (the bench's
 * 10,000 customers, the crash and two-process tests' hundreds): customers with consent, their
 * chat identity, a conversation whose reference points at a stub channel, and a running
 * campaign with its recipients stored as a launch leaves them.
 */
import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import { MongoConversationRepository } from '../../models/conversations/mongoConversationRepository';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../../models/campaigns/mongoCampaignRecipientRepository';
import type { Campaign, CampaignRecipient } from '../../services/campaigns/campaign';
import type { Language } from '../../services/i18n/localizer';

const INSERT_BATCH = 1000;

export interface SeededCustomer {
  customerId: string;
  userId: string;
  conversationId: string;
  language: Language;
}

/** `count` customers (consent to surveys and marketing) each with one conversation on `serviceUrl`. */
export async function seedCustomersWithConversations(connection: Connection, options: {
  count: number; serviceUrl: string; prefix: string; channelId?: string; tags?: string[];
}): Promise<SeededCustomer[]> {
  const channelId = options.channelId ?? 'webchat';
  // Building the repositories registers their models (and indexes); the rows go in as bulk inserts.
  new MongoCustomerRepository(connection);
  new MongoConversationRepository({ connection });
  await Promise.all([connection.models.Customer.init(), connection.models.CustomerChannelLink.init()]);
  const now = new Date();
  const seeded: SeededCustomer[] = [];
  for (let start = 0; start < options.count; start += INSERT_BATCH) {
    const customers = [];
    const links = [];
    const conversations = [];
    for (let i = start; i < Math.min(options.count, start + INSERT_BATCH); i += 1) {
      const customerId = crypto.randomUUID();
      const userId = `${options.prefix}-user-${i}`;
      const conversationId = `${options.prefix}-conv-${i}`;
      const language: Language = i % 2 === 0 ? 'zh-CN' : 'en';
      seeded.push({ customerId, userId, conversationId, language });
      customers.push({
        id: customerId, name: `Client ${i}`, company: `Company ${i}`, language, tier: 'standard', tierRank: 0, churnScore: 0,
        tags: options.tags ?? [], consent: { surveys: true, marketing: true }, timeZone: 'Asia/Shanghai', createdAt: now, updatedAt: now,
      });
      links.push({ key: `${channelId}:${userId}`, customerId, channelId, userId, linkedAt: now });
      const reference = {
        activityId: `a-${i}`, user: { id: userId, name: 'Client' }, bot: { id: 'rapport', name: 'Rapport' },
        conversation: { id: conversationId }, channelId, locale: language, serviceUrl: options.serviceUrl,
      };
      conversations.push({
        channelId, conversationId, userId, customerId, language, status: 'bot', createdAt: now, lastActivityAt: now, reference: JSON.stringify(reference),
      });
    }
    await connection.models.Customer.collection.insertMany(customers as never[], { ordered: false });
    await connection.models.CustomerChannelLink.collection.insertMany(links as never[], { ordered: false });
    await connection.collection('conversations').insertMany(conversations as never[], { ordered: false });
  }
  return seeded;
}

/**
 * A running message campaign to these customers, recipients stored in launch order (seq 1..n)
 * and `materialisedAt` set, as a finished launch leaves it. No quiet hours unless given.
 */
export async function putRunningCampaign(connection: Connection, customers: SeededCustomer[], fields: Partial<Campaign> = {}): Promise<Campaign> {
  const campaigns = new MongoCampaignRepository(connection);
  const recipients = new MongoCampaignRecipientRepository(connection);
  const now = new Date();
  const draft: Campaign = {
    id: `campaign-${crypto.randomBytes(4).toString('hex')}`, name: 'Greeting', kind: 'message',
    message: { 'zh-CN': '新年快乐！感谢您一直以来的支持。', en: 'Happy New Year, and thank you for banking with us.' },
    followWithCsat: false, audience: {}, startAt: new Date(now.getTime() - 1000), quietHours: { start: '00:00', end: '00:00' },
    frequencyCapDays: 0, sendRatePerSecond: 0, status: 'draft', createdBy: 'test', createdAt: now, updatedAt: now, ...fields,
  };
  await campaigns.create({ ...draft, status: 'draft' });
  for (let start = 0; start < customers.length; start += INSERT_BATCH) {
    const batch: CampaignRecipient[] = customers.slice(start, start + INSERT_BATCH).map((c, k) => ({
      campaignId: draft.id, customerId: c.customerId, state: 'pending', language: c.language, tier: 'standard',
      timeZone: 'Asia/Shanghai', seq: start + k + 1, attempts: 0, asksForFeedback: draft.kind === 'survey' || Boolean(draft.followWithCsat),
    }));
    await recipients.insertMany(batch);
  }
  const launched = await campaigns.transition(draft.id, ['draft'], 'running', new Date(), { launchedAt: new Date(), materialisedAt: new Date() });
  if (!launched) throw new Error('could not launch the seeded campaign');
  return launched;
}
