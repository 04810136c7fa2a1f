/**
 * The whole app for the in-process campaign tests: clients talk over /api/messages with a stub
 * channel as serviceUrl (so the conversation references the bot keeps point at it), and the test
 * drives the sender with runOnce (its background loop is off).
 */
import crypto from 'node:crypto';
import { startApp, messageActivity, send, type RunningApp } from './appHarness';
import { startStubChannel, type StubChannel } from './stubChannel';
import type { CampaignRecipientRepository } from '../../services/campaigns/campaign';
import type { CampaignSender } from '../../services/campaigns/campaignSender';
import type { CampaignService } from '../../services/campaigns/campaignService';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { Language } from '../../services/i18n/localizer';

export interface CampaignClient { conversationId: string; userId: string; customerId: string; language: Language }

export interface CampaignApp {
  running: RunningApp;
  stub: StubChannel;
  sender: CampaignSender;
  campaigns: CampaignService;
  recipients: CampaignRecipientRepository;
  customers: CustomerRepository;
  /** A client's message on the web chat channel; the bot's replies come back in the response (expectReplies). */
  say(client: Omit<CampaignClient, 'customerId'>, text: string): ReturnType<typeof send>;
  /**
   * A client who said hello once (answered 200, so the bot holds their reference), linked to a
   * new customer named after the conversation, in their language, with these fields.
   */
  helloClient(language: Language, fields: Parameters<CustomerRepository['create']>[0]): Promise<CampaignClient>;
  /** Stores the conversation references the bot is still holding, for the sender to find. */
  flushConversations(): Promise<void>;
  stop(): Promise<void>;
}

export async function startCampaignApp(storage: 'services' | 'embedded', env: Record<string, string> = {}): Promise<CampaignApp> {
  const stub = await startStubChannel();
  let running: RunningApp;
  try {
    running = await startApp({ storage, env: { CAMPAIGN_SENDER_ENABLED: 'false', ...env } });
  } catch (error) {
    await stub.close();
    throw error;
  }
  const { parts } = running.app;
  const customers = parts.customers as CustomerRepository;
  const say: CampaignApp['say'] = (client, text) => send(running.baseUrl, messageActivity(client.conversationId, text, {
    locale: client.language, serviceUrl: stub.url, channelId: 'webchat', from: { id: client.userId, name: 'Client' },
  }));
  return {
    running, stub, customers, say,
    sender: parts.campaignSender as CampaignSender,
    campaigns: parts.campaignService as CampaignService,
    recipients: parts.campaignRecipients as CampaignRecipientRepository,
    helloClient: async (language, fields) => {
      const conversationId = `client-${crypto.randomBytes(5).toString('hex')}`;
      const userId = `user-${conversationId}`;
      expect((await say({ conversationId, userId, language }, language === 'en' ? 'hello' : '你好')).status).toBe(200);
      const customer = await customers.create({ name: `Client ${conversationId}`, language, ...fields, channelUsers: [{ channelId: 'webchat', userId }] });
      return { conversationId, userId, customerId: customer.id, language };
    },
    flushConversations: () => (parts.conversationTracking as { flush(): Promise<void> }).flush(),
    stop: async () => {
      await running.stop();
      await stub.close();
    },
  };
}
