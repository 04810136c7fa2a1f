/**
 * The world the campaign, opt-out and follow-through dialog tests run in: the real dialogs
 * and services on one in-memory embedded store (customers, campaign recipients, survey
 * responses, follow-up tasks, callbacks) with the clock fixed, and a helper that sends one
 * message and gathers every reply of the turn as text.
 */
import path from 'node:path';
import type { Activity, TurnContext } from 'botbuilder';
import type { DialogTestClient } from 'botbuilder-testing';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../../models/customers/embeddedCustomerRepository';
import { EmbeddedCampaignRecipientRepository } from '../../../models/campaigns/embeddedCampaignRecipientRepository';
import { EmbeddedFollowUpTaskRepository } from '../../../models/followups/embeddedFollowUpTaskRepository';
import { EmbeddedChannelOptOutRepository } from '../../../models/optOuts/embeddedChannelOptOutRepository';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { CallbackService } from '../../../services/callbacks/callbackService';
import { CampaignResponses } from '../../../services/campaigns/campaignResponses';
import { OptOutService } from '../../../services/campaigns/optOutService';
import type { CampaignRecipient } from '../../../services/campaigns/campaign';
import { FollowUpService } from '../../../services/followups/followUpService';
import type { CustomerFields } from '../../../services/customers/customerRepository';
import { CallbackBookingDialog } from '../../../dialogs/callbackBookingDialog';
import { FollowThroughDialog } from '../../../dialogs/followThroughDialog';
import { SurveyDialog } from '../../../dialogs/surveyDialog';
import { QuickCsatDialog } from '../../../dialogs/quickCsatDialog';
import { OptOutDialog } from '../../../dialogs/optOutDialog';
import { CampaignDialog } from '../../../dialogs/campaignDialog';
import { repoRoot } from '../../support/dialogHarness';
import { createSurveyEnvironment } from './surveyCaseRunner';

export const ZONE = 'Asia/Shanghai';
/** A Monday morning in Beijing: tomorrow 15:00 is a free business slot. */
export const NOW = new Date('2026-11-30T10:00:00+08:00');
/** DialogTestClient's conversation: channel 'test', user 'user1'. */
export const CHAT_USER = { channelId: 'test', userId: 'user1' };
/** DialogTestClient's conversation id (TestAdapter's default). */
export const TEST_CONVERSATION = 'Convo1';

const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'), { timeZone: ZONE, logger: { warn: () => undefined } });

/** `newRequests`: messages the recognizer takes for a new request, with their intent (the rule on the shipped model: test/unit/nlu/newRequestShippedModel.test.ts). */
export async function campaignWorld(options: { newRequests?: Record<string, string> } = {}) {
  const db = new EmbeddedDatabase(null);
  const { definitions, responses, parser, ...environment } = await createSurveyEnvironment(db);
  const interruption = {
    ...environment,
    isNewRequest: (context: TurnContext, except: readonly string[] = []) => {
      const intent = options.newRequests?.[context.activity.text ?? ''];
      return intent !== undefined && !except.includes(intent);
    },
  };
  const customers = new EmbeddedCustomerRepository(db);
  const recipients = new EmbeddedCampaignRecipientRepository(db);
  const followUpTasks = new EmbeddedFollowUpTaskRepository(db);
  const followUps = new FollowUpService(followUpTasks, customers, () => NOW);
  const callbacks = new CallbackService(new EmbeddedCallbackRepository(db), { calendar, timeZone: ZONE, capacityPerSlot: 2, now: () => NOW });
  const callbackBooking = new CallbackBookingDialog({ ...interruption, callbacks });
  const followThrough = new FollowThroughDialog({ ...interruption, followUps, callbackBooking });
  const channelOptOuts = new EmbeddedChannelOptOutRepository(db);
  const optOuts = new OptOutService({ customers, recipients, channelOptOuts, now: () => NOW });
  const optOut = new OptOutDialog({ localizer: interruption.localizer, optOut: optOuts });
  const surveyDeps = { ...interruption, definitions, responses, parser, customers, followThrough, optOut };
  const survey = new SurveyDialog(surveyDeps);
  const quickCsat = new QuickCsatDialog(surveyDeps);
  const campaignResponses = new CampaignResponses(recipients, () => NOW);
  const campaign = new CampaignDialog({ localizer: interruption.localizer, interruptions: interruption.interruptions, survey, quickCsat, optOut, responses: campaignResponses, followThrough });

  /** A customer linked to the test chat user, with consent. */
  const linkedCustomer = (fields: CustomerFields = {}) => customers.create({
    name: 'Wang', company: 'Huaxin Trading', relationshipManager: 'rm-zhao', consent: { surveys: true, marketing: true }, ...fields, channelUsers: [CHAT_USER],
  }, NOW);
  /** A recipient of a campaign, already sent. */
  const recipient = async (campaignId: string, customerId: string, fields: Partial<CampaignRecipient> = {}) => {
    await recipients.insertMany([{
      campaignId, customerId, state: 'sent', language: 'zh-CN', tier: 'standard', timeZone: ZONE, seq: 1, attempts: 1, sentAt: NOW, ...fields,
    }]);
  };
  return {
    ...interruption, db, definitions, responses, parser, customers, recipients, followUpTasks, followUps, callbacks, channelOptOuts, optOuts,
    dialogs: { callbackBooking, followThrough, survey, quickCsat, optOut, campaign }, linkedCustomer, recipient,
  };
}

export type CampaignWorld = Awaited<ReturnType<typeof campaignWorld>>;

/** Sends one activity and gathers every reply of the turn: texts and button titles as "[title]". */
export async function say(client: DialogTestClient, text: string, locale: string): Promise<string> {
  return turn(client, { type: 'message', text, locale });
}

/** Runs one turn with any activity (an event stands for the sender's proactive turn) and gathers the replies. */
export async function turn(client: DialogTestClient, activity: Partial<Activity>): Promise<string> {
  const replies: Partial<Activity>[] = [];
  let reply = await client.sendActivity(activity);
  while (reply) {
    replies.push(reply);
    reply = client.getNextReply();
  }
  return replies.flatMap((r) => [r.text ?? '', ...(r.suggestedActions?.actions ?? []).map((a) => `[${a.title}]`)]).join('\n');
}
