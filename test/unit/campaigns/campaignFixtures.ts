/** A small world for campaign tests on the embedded stores: customers, their conversations and complaints. */
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../../models/customers/embeddedCustomerRepository';
import { EmbeddedConversationRepository } from '../../../models/conversations/embeddedConversationRepository';
import { EmbeddedTicketRepository } from '../../../models/tickets/embeddedTicketRepository';
import { EmbeddedCampaignRepository } from '../../../models/campaigns/embeddedCampaignRepository';
import { EmbeddedCampaignRecipientRepository } from '../../../models/campaigns/embeddedCampaignRecipientRepository';
import { EmbeddedSurveyDefinitionRepository } from '../../../models/surveys/embeddedSurveyDefinitionRepository';
import { loadSurveyDefinitions } from '../../../services/surveys/surveyDefinitionLoader';
import { Audience } from '../../../services/campaigns/audience';
import { FrequencyCap } from '../../../services/campaigns/frequencyCap';
import { CampaignService } from '../../../services/campaigns/campaignService';
import type { CustomerUpdate } from '../../../services/customers/customerRepository';
import path from 'node:path';

export async function campaignWorld(now: Date) {
  const db = new EmbeddedDatabase(null);
  const customers = new EmbeddedCustomerRepository(db);
  const conversations = new EmbeddedConversationRepository({ database: db, now: () => now });
  const tickets = new EmbeddedTicketRepository(db);
  const recipients = new EmbeddedCampaignRecipientRepository(db);
  const campaigns = new EmbeddedCampaignRepository(db);
  const surveys = new EmbeddedSurveyDefinitionRepository(db);
  await loadSurveyDefinitions(path.resolve(__dirname, '../../../data/surveys'), surveys);
  const frequencyCap = new FrequencyCap(recipients);
  const audience = new Audience({ customers, tickets, conversations, frequencyCap });
  let clock = now;
  const service = new CampaignService({ campaigns, recipients, surveys, audience, defaultTimeZone: 'Asia/Shanghai', clock: () => clock });
  let n = 0;

  /** A customer; `chat: true` links a chat identity with a stored conversation; `complaint` files an open ticket from it. */
  async function customer(fields: CustomerUpdate, options: { chat?: boolean; complaint?: boolean } = {}) {
    n += 1;
    const { lastContactAt, optedOutAt, ...created } = fields;
    let c = await customers.create(created, now);
    if (lastContactAt || optedOutAt) c = await customers.update(c.id, { lastContactAt, optedOutAt }, now);
    if (options.chat || options.complaint) {
      const userId = `u-${n}`;
      c = await customers.linkChannelUser(c.id, { channelId: 'webchat', userId }, now);
      await conversations.upsertFromTurn(
        { channelId: 'webchat', serviceUrl: 'http://127.0.0.1:1', conversation: { id: `conv-${n}` } as never, user: { id: userId, name: 'c' } },
        { channelId: 'webchat', conversationId: `conv-${n}`, userId, customerId: c.id },
      );
      if (options.complaint) {
        await tickets.create({
          channelId: 'webchat', userId, conversationId: `conv-${n}`, customerId: c.id, language: 'zh-CN', category: 'fees_charges', description: '收费太高',
          severity: 'medium', contact: { kind: 'email', value: 'a@b.cn' } as never, status: 'open', createdAt: now, slaDueAt: now,
        }, () => `CMP-20261130-${String(n).padStart(4, '0')}`);
      }
    }
    return c;
  }
  return { db, customers, conversations, tickets, recipients, campaigns, surveys, audience, frequencyCap, service, customer, setClock: (d: Date) => { clock = d; } };
}
