/**
 * Builds the services, repositories and dialogs of the conversation layer. Part of the
 * composition root: every repository is the Mongo one when Mongo is configured, else embedded.
 */
import path from 'node:path';
import type { CloudAdapter, ConversationState, TurnContext, UserState } from 'botbuilder';
import type { Connection } from 'mongoose';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import type { Language, Localizer } from '../services/i18n/localizer';
import type { EmbeddedDatabase } from '../models/embedded/embeddedDatabase';
import type { ConversationRepository } from '../models/conversations/conversationRepository';
import { InterruptionDetector } from '../services/conversation/interruptionDetector';
import { MongoHandoffRequestRepository } from '../models/handoff/mongoHandoffRequestRepository';
import { EmbeddedHandoffRequestRepository } from '../models/handoff/embeddedHandoffRequestRepository';
import { MainDialog, type MainDialogMemory, type Route } from '../dialogs/mainDialog';
import type { Dialog } from 'botbuilder-dialogs';
import { turnRecognition } from './rapportBot';
import { KnowledgeBase } from '../services/knowledge/knowledgeBase';
import { InquiryFeedbackService } from '../services/knowledge/inquiryFeedbackService';
import { LoanApplicationLookup } from '../services/loans/loanApplicationLookup';
import { MongoLoanApplicationRepository } from '../models/loans/mongoLoanApplicationRepository';
import { EmbeddedLoanApplicationRepository } from '../models/loans/embeddedLoanApplicationRepository';
import { MongoInquiryFeedbackRepository } from '../models/knowledge/mongoInquiryFeedbackRepository';
import { EmbeddedInquiryFeedbackRepository } from '../models/knowledge/embeddedInquiryFeedbackRepository';
import { InquiryDialog, INQUIRY_DIALOG } from '../dialogs/inquiryDialog';
import { ClarifyIntentDialog, CLARIFY_INTENT_DIALOG } from '../dialogs/clarifyIntentDialog';
import { closeIntents } from '../services/nlu/intentClarification';
import { isNewRequest } from '../services/nlu/newRequest';
import { AnswerParser } from '../services/surveys/answerParser';
import { loadSurveyDefinitions } from '../services/surveys/surveyDefinitionLoader';
import { MongoSurveyDefinitionRepository } from '../models/surveys/mongoSurveyDefinitionRepository';
import { EmbeddedSurveyDefinitionRepository } from '../models/surveys/embeddedSurveyDefinitionRepository';
import { MongoSurveyResponseRepository } from '../models/surveys/mongoSurveyResponseRepository';
import { EmbeddedSurveyResponseRepository } from '../models/surveys/embeddedSurveyResponseRepository';
import { MongoCustomerRepository } from '../models/customers/mongoCustomerRepository';
import { EmbeddedCustomerRepository } from '../models/customers/embeddedCustomerRepository';
import { CustomerLinker } from '../services/customers/customerLinker';
import { SurveyDialog } from '../dialogs/surveyDialog';
import { QuickCsatDialog } from '../dialogs/quickCsatDialog';

import os from 'node:os';
import { BusinessCalendar } from '../services/calendar/businessCalendar';
import { ComplaintService } from '../services/tickets/complaintService';
import { MongoTicketRepository } from '../models/tickets/mongoTicketRepository';
import { EmbeddedTicketRepository } from '../models/tickets/embeddedTicketRepository';
import { ComplaintDialog, COMPLAINT_DIALOG, COMPLAINT_DESCRIBING_STEPS } from '../dialogs/complaintDialog';
import { ComplaintStatusDialog, COMPLAINT_STATUS_DIALOG } from '../dialogs/complaintStatusDialog';
import { CallbackService } from '../services/callbacks/callbackService';
import { CallbackReminderScheduler } from '../services/callbacks/reminderScheduler';
import { CallbackDesk } from '../services/callbacks/callbackDesk';
import { MongoCallbackRepository } from '../models/callbacks/mongoCallbackRepository';
import { EmbeddedCallbackRepository } from '../models/callbacks/embeddedCallbackRepository';
import { CallbackBookingDialog, CALLBACK_BOOKING_DIALOG } from '../dialogs/callbackBookingDialog';
import { CallbackManageDialog, CALLBACK_MANAGE_DIALOG } from '../dialogs/callbackManageDialog';
import { ProactiveMessenger } from './proactiveMessenger';
import type Redis from 'ioredis';
import { HandoffService } from '../services/handoff/handoffService';
import { InProcessHandoffEventBus, RedisHandoffEventBus, type HandoffEventBus } from '../services/handoff/handoffEventBus';
import { SentimentMonitor } from '../services/handoff/sentimentMonitor';
import { MongoHandoffCaseRepository } from '../models/handoff/mongoHandoffCaseRepository';
import { EmbeddedHandoffCaseRepository } from '../models/handoff/embeddedHandoffCaseRepository';
import { HandoffRelayMiddleware } from './middleware/handoffRelayMiddleware';
import { FollowUpService } from '../services/followups/followUpService';
import { MongoFollowUpTaskRepository } from '../models/followups/mongoFollowUpTaskRepository';
import { EmbeddedFollowUpTaskRepository } from '../models/followups/embeddedFollowUpTaskRepository';
import { FollowThroughDialog } from '../dialogs/followThroughDialog';
import { OptOutService, carryOptOutOnLink } from '../services/campaigns/optOutService';
import { CampaignResponses } from '../services/campaigns/campaignResponses';
import { MongoChannelOptOutRepository } from '../models/optOuts/mongoChannelOptOutRepository';
import { EmbeddedChannelOptOutRepository } from '../models/optOuts/embeddedChannelOptOutRepository';
import { MongoCampaignRecipientRepository } from '../models/campaigns/mongoCampaignRecipientRepository';
import { EmbeddedCampaignRecipientRepository } from '../models/campaigns/embeddedCampaignRecipientRepository';
import { OptOutDialog, OPT_OUT_DIALOG } from '../dialogs/optOutDialog';
import { OptInDialog, OPT_IN_DIALOG } from '../dialogs/optInDialog';
import { CampaignDialog } from '../dialogs/campaignDialog';
import { CampaignService } from '../services/campaigns/campaignService';
import { Audience } from '../services/campaigns/audience';
import { FrequencyCap } from '../services/campaigns/frequencyCap';
import { CampaignSender, type CampaignDelivery } from '../services/campaigns/campaignSender';
import { InProcessSendRateLimiter, RedisSendRateLimiter } from '../services/campaigns/sendRateLimiter';
import { RepositoryCampaignContacts } from '../services/campaigns/campaignContacts';
import { MongoCampaignContacts } from '../models/campaigns/mongoCampaignContacts';
import { ChurnRiskService } from '../services/analytics/churnRiskService';
import { withCallbackSignals, withSurveySignals, withTicketSignals } from '../services/analytics/churnSignals';
import { SurveyDefinitionResolver } from '../services/analytics/surveyQuestions';
import { MongoNegativeToneEventRepository } from '../models/conversations/mongoNegativeToneEventRepository';
import { EmbeddedNegativeToneEventRepository } from '../models/conversations/embeddedNegativeToneEventRepository';
import { MongoCampaignRepository } from '../models/campaigns/mongoCampaignRepository';
import { EmbeddedCampaignRepository } from '../models/campaigns/embeddedCampaignRepository';
import { createAuditTrail } from './auditTrail';

/** The survey a client gets when they ask to give feedback. */
export const FEEDBACK_SURVEY_ID = 'service-satisfaction';

const INQUIRY_INTENTS = [
  'inquiry_loans', 'inquiry_project_financing', 'inquiry_rates', 'inquiry_repayment', 'inquiry_documents',
  'inquiry_application_status', 'inquiry_account_opening', 'inquiry_fees', 'inquiry_online_banking',
  'inquiry_branch_hours', 'inquiry_lost_token_card',
] as const;

/** The CBK reference the recognizer found in the message, if any. */
function callbackReference(recognition: { entities: Array<{ type: string; value: unknown }> }): string | undefined {
  const entity = recognition.entities.find((e) => e.type === 'callbackRef');
  return typeof entity?.value === 'string' ? entity.value : undefined;
}

export interface DialogCompositionInput {
  config: AppConfig;
  logger: Logger;
  localizer: Localizer;
  conversationState: ConversationState;
  userState: UserState;
  mongo?: Connection;
  embedded: EmbeddedDatabase;
  adapter: CloudAdapter;
  conversations: ConversationRepository;
  bankName: (language: Language) => string;
  /** When set, handoff events cross processes over Redis pub/sub. */
  redis?: Redis;
}

export interface DialogComposition {
  mainDialog: MainDialog;
  /** The handoff queue and desk (also in `parts.handoff`, for the console). */
  handoff: HandoffService;
  /** Relays turns of conversations in the queue or with staff; goes after the conversation tracking middleware. */
  handoffRelay: HandoffRelayMiddleware;
  /** Dialogs the bot may start outside a client's turn (the CSAT after a handoff). */
  outsideTurnDialogs: Dialog[];
  parts: Record<string, unknown>;
  /** The campaign sender's way to the client (built by the app, which has the bot). */
  setCampaignDelivery(delivery: CampaignDelivery): void;
  /** Starts background work (reminders, campaign sending). */
  start(): void;
  stop(): Promise<void>;
}

export async function buildDialogs(input: DialogCompositionInput): Promise<DialogComposition> {
  const { config, localizer, mongo, embedded } = input;
  const projectRoot = path.resolve(__dirname, '..');
  const interruptions = new InterruptionDetector(require(path.join(projectRoot, 'data/interruptions.json')));
  const handoffRequests = mongo ? new MongoHandoffRequestRepository(mongo) : new EmbeddedHandoffRequestRepository(embedded);
  const calendar = BusinessCalendar.fromDirectory(config.CALENDAR_DIR, {
    timeZone: config.BUSINESS_TIMEZONE, opens: config.BUSINESS_OPENS, closes: config.BUSINESS_CLOSES, logger: input.logger,
  });
  // Writes that change a client's churn risk (complaints, callbacks, scores) recompute it (built below, once every repository exists).
  const churn: { service?: ChurnRiskService } = {};
  const churnSignal = (subject: Parameters<ChurnRiskService['notify']>[0]) => churn.service?.notify(subject);
  const tickets = withTicketSignals(mongo ? new MongoTicketRepository(mongo) : new EmbeddedTicketRepository(embedded), churnSignal);
  // Campaign recipients and opt-outs ("stop / 退订"): an opt-out said before a chat user is linked carries over
  // to the customer whenever that chat identity is linked (by a phone the client gives, or by staff in the console).
  const customerStore = mongo ? new MongoCustomerRepository(mongo) : new EmbeddedCustomerRepository(embedded);
  const campaignRecipients = mongo ? new MongoCampaignRecipientRepository(mongo) : new EmbeddedCampaignRecipientRepository(embedded);
  const channelOptOuts = mongo ? new MongoChannelOptOutRepository(mongo) : new EmbeddedChannelOptOutRepository(embedded);
  const optOuts = new OptOutService({ customers: customerStore, recipients: campaignRecipients, channelOptOuts });
  const customers = carryOptOutOnLink(customerStore, optOuts, (error) => input.logger.warn({ err: { message: (error as Error)?.message } }, 'opt-out carry-over on link failed'));
  // A phone the client gives in a complaint or callback links their chat identity to the one customer holding it.
  const customerLinker = new CustomerLinker(customers, (error) => input.logger.warn({ err: { message: (error as Error)?.message } }, 'customer link by phone failed'));
  const surveyResponses = withSurveySignals(mongo ? new MongoSurveyResponseRepository(mongo) : new EmbeddedSurveyResponseRepository(embedded), churnSignal);
  const proactive = new ProactiveMessenger({ adapter: input.adapter, conversations: input.conversations, appId: config.MicrosoftAppId, logger: input.logger });

  // Handoff: the queue dialogs put clients in, and the desk the staff console works.
  const handoffLogger = input.logger.child({ component: 'handoff' });
  const handoffBus: HandoffEventBus = input.redis
    ? new RedisHandoffEventBus(input.redis, config.REDIS_KEY_PREFIX, (error) => handoffLogger.warn({ err: { message: error.message } }, 'handoff bus error'))
    : new InProcessHandoffEventBus();
  const handoff = new HandoffService({
    repository: mongo ? new MongoHandoffCaseRepository(mongo) : new EmbeddedHandoffCaseRepository(embedded),
    bus: handoffBus,
    channel: proactive,
    isStaffAvailableAt: (instant) => (config.HANDOFF_STAFF_HOURS === 'calendar' ? calendar.isOpenAt(instant) : config.HANDOFF_STAFF_HOURS === 'always'),
    requests: handoffRequests,
    surveyResponses,
    minutesPerCase: config.HANDOFF_MINUTES_PER_CASE,
    staffOnDuty: config.HANDOFF_STAFF_ON_DUTY,
    maxWaitMinutes: config.HANDOFF_MAX_WAIT_MINUTES,
    signals: async ({ channelId, userId }) => {
      const [customer, open] = await Promise.all([customers.findByChannelUser(channelId, userId), tickets.listOpenForUser(channelId, userId)]);
      const now = Date.now();
      return {
        ...(customer ? { customerId: customer.id, tier: customer.tier } : {}),
        // The stored churn-risk score replaces the complaint/CSAT heuristic when the client has one.
        ...(typeof customer?.churnRisk?.score === 'number' ? { churnRisk: customer.churnRisk.score } : {}),
        openComplaints: open.length,
        overdueComplaints: open.filter((t) => new Date(t.slaDueAt).getTime() < now).length,
      };
    },
    texts: (language, key, vars) => localizer.t(language, `handoff.${key}`, vars),
    onError: (error, what) => handoffLogger.warn({ err: { message: (error as Error)?.message }, what }, 'handoff side effect failed'),
  });
  const base = {
    localizer, interruptions, handoff, timeZone: config.BUSINESS_TIMEZONE,
    // A request typed where a dialog waits for yes/no, a choice or a score leaves the dialog and is routed (routes are set below).
    isNewRequest: (context: TurnContext, except: readonly string[] = []) => isNewRequest(turnRecognition(context), (intent) => intent in routes && !except.includes(intent)),
  };
  const handoffRelay = new HandoffRelayMiddleware({
    handoff, conversationState: input.conversationState, localizer, interruptions, timeZone: config.BUSINESS_TIMEZONE, logger: handoffLogger,
    sentiment: new SentimentMonitor(require(path.join(projectRoot, 'data/sentiment-zh.json')), {
      threshold: config.HANDOFF_NEGATIVE_RUN, english: require(path.join(projectRoot, 'data/sentiment-en.json')),
    }),
    calmDialogIds: [...COMPLAINT_DESCRIBING_STEPS],
    onToneObserved: (observed) => churn.service?.observeTone(observed),
    optOut: optOuts,
  });

  // Complaints: tickets with business-hour SLAs.
  const complaints = new ComplaintService(tickets, calendar, {
    slaBusinessHours: {
      low: config.COMPLAINT_SLA_HOURS_LOW, medium: config.COMPLAINT_SLA_HOURS_MEDIUM,
      high: config.COMPLAINT_SLA_HOURS_HIGH, critical: config.COMPLAINT_SLA_HOURS_CRITICAL,
    },
  });
  const complaintDialog = new ComplaintDialog({ ...base, complaints, customerLinker });
  const complaintStatusDialog = new ComplaintStatusDialog({ ...base, complaints });

  // Callbacks: atomic slot booking and reminders claimed once across processes.
  const callbackRepository = withCallbackSignals(mongo ? new MongoCallbackRepository(mongo) : new EmbeddedCallbackRepository(embedded), churnSignal);
  const callbacks = new CallbackService(callbackRepository, {
    calendar, timeZone: config.BUSINESS_TIMEZONE, slotMinutes: config.CALLBACK_SLOT_MINUTES,
    capacityPerSlot: config.CALLBACK_STAFF_ON_DUTY, reminderLeadMinutes: config.CALLBACK_REMINDER_MINUTES,
  });
  const callbackBookingDialog = new CallbackBookingDialog({ ...base, callbacks, customerLinker });
  const callbackManageDialog = new CallbackManageDialog({ ...base, callbacks });
  const reminders = new CallbackReminderScheduler({
    repository: callbackRepository, sender: proactive, localizer, timeZone: config.BUSINESS_TIMEZONE,
    claimerId: `${os.hostname()}:${process.pid}`, intervalMs: config.CALLBACK_REMINDER_INTERVAL_MS,
    onError: (error: unknown) => input.logger.warn({ err: { message: (error as Error)?.message } }, 'reminder run failed'),
  });
  // The staff desk works the same callbacks (console "Callbacks" tab); outcomes reach churn risk through the decorated repository.
  const callbackDesk = new CallbackDesk({
    repository: callbackRepository, sender: proactive, localizer, timeZone: config.BUSINESS_TIMEZONE, slotMinutes: config.CALLBACK_SLOT_MINUTES,
    audit: createAuditTrail({ mongo, embedded, logger: input.logger }),
    sendTimeoutMs: config.CALLBACK_MISSED_MESSAGE_TIMEOUT_MS,
    onError: (error, what) => input.logger.warn({ err: { message: (error as Error)?.message }, what }, 'callback desk side effect failed'),
  });

  // Inquiry: knowledge base answers, suggestions, application status, feedback.
  const knowledgeBase = new KnowledgeBase({ directory: config.KB_DIR });
  const loanApplications = mongo ? new MongoLoanApplicationRepository(mongo) : new EmbeddedLoanApplicationRepository(embedded);
  const inquiryFeedback = new InquiryFeedbackService(mongo ? new MongoInquiryFeedbackRepository(mongo) : new EmbeddedInquiryFeedbackRepository(embedded));
  const inquiryDialog = new InquiryDialog({ ...base, knowledgeBase, feedback: inquiryFeedback, applications: new LoanApplicationLookup(loanApplications) });

  // Surveys: definitions from data/surveys loaded into the store at start.
  const surveyDefinitions = mongo ? new MongoSurveyDefinitionRepository(mongo) : new EmbeddedSurveyDefinitionRepository(embedded);
  await loadSurveyDefinitions(config.SURVEYS_DIR, surveyDefinitions);

  // Churn risk: recomputed from the repositories on each signal, debounced per customer, never in a turn's way.
  const negativeToneEvents = mongo ? new MongoNegativeToneEventRepository(mongo) : new EmbeddedNegativeToneEventRepository(embedded);
  const churnLogger = input.logger.child({ component: 'churn-risk' });
  const churnRisk = new ChurnRiskService({
    customers, tickets, callbacks: callbackRepository, surveyResponses, conversations: input.conversations, toneEvents: negativeToneEvents,
    surveys: new SurveyDefinitionResolver(surveyDefinitions, mongo ? new MongoCampaignRepository(mongo) : new EmbeddedCampaignRepository(embedded)),
    callbackSlotMinutes: config.CALLBACK_SLOT_MINUTES, callbackGraceMinutes: config.CALLBACK_OUTCOME_GRACE_MINUTES,
    onError: (error, what) => churnLogger.warn({ err: { message: (error as Error)?.message }, what }, 'churn-risk recomputation failed'),
  });
  churn.service = churnRisk;
  // Follow-through: a poor score opens a task for the relationship manager and offers a callback.
  const followUpTasks = mongo ? new MongoFollowUpTaskRepository(mongo) : new EmbeddedFollowUpTaskRepository(embedded);
  const followUps = new FollowUpService(followUpTasks, customers);
  const followThrough = new FollowThroughDialog({ ...base, followUps, callbackBooking: callbackBookingDialog });
  const optOutDialog = new OptOutDialog({ localizer, optOut: optOuts });
  const surveyDeps = {
    ...base, definitions: surveyDefinitions, responses: surveyResponses, customers, followThrough, optOut: optOutDialog,
    parser: new AnswerParser(require(path.join(projectRoot, 'data/surveyVocabulary.json'))),
  };
  const surveyDialog = new SurveyDialog(surveyDeps);
  const quickCsatDialog = new QuickCsatDialog(surveyDeps);

  // Campaigns in the client's conversation: the campaign dialog (started by the sender), opt-out from anywhere.
  const campaignResponses = new CampaignResponses(campaignRecipients);
  const campaignDialog = new CampaignDialog({
    localizer, interruptions, survey: surveyDialog, quickCsat: quickCsatDialog, optOut: optOutDialog, responses: campaignResponses, followThrough,
  });

  // Campaign sending: a loop in every process; claims keep each message single across processes (see CampaignSender).
  // The delivery needs the bot, so the app wires it with setCampaignDelivery.
  const campaigns = mongo ? new MongoCampaignRepository(mongo) : new EmbeddedCampaignRepository(embedded);
  const campaignLogger = input.logger.child({ component: 'campaigns' });
  const campaignService = new CampaignService({
    campaigns, recipients: campaignRecipients, surveys: surveyDefinitions, defaultTimeZone: config.BUSINESS_TIMEZONE,
    audience: new Audience({ customers, tickets, conversations: input.conversations, frequencyCap: new FrequencyCap(campaignRecipients) }),
    onBackgroundError: (error, campaignId) => campaignLogger.warn({ err: { message: (error as Error)?.message }, campaignId }, 'campaign launch stopped before every recipient was stored; the sender resumes it'),
  });
  let campaignDelivery: CampaignDelivery | undefined;
  const campaignSender = new CampaignSender({
    campaigns, recipients: campaignRecipients, lifecycle: campaignService,
    contacts: mongo ? new MongoCampaignContacts(mongo) : new RepositoryCampaignContacts({ customers, conversations: input.conversations }),
    delivery: {
      deliver: (request) => {
        if (!campaignDelivery) throw new Error('the campaign delivery is not wired');
        return campaignDelivery.deliver(request);
      },
    },
    rateLimiter: input.redis ? new RedisSendRateLimiter(input.redis, config.REDIS_KEY_PREFIX) : new InProcessSendRateLimiter(),
    claimerId: `${os.hostname()}:${process.pid}`, defaultTimeZone: config.BUSINESS_TIMEZONE,
    pollMs: config.CAMPAIGN_POLL_MS, batchSize: config.CAMPAIGN_BATCH_SIZE, concurrency: config.CAMPAIGN_CONCURRENCY,
    claimStaleMs: config.CAMPAIGN_CLAIM_STALE_MS, sendTimeoutMs: Math.min(60_000, Math.floor(config.CAMPAIGN_CLAIM_STALE_MS / 2)),
    onError: (error, where) => campaignLogger.warn({ err: { message: (error as Error)?.message }, where }, 'campaign sending problem'),
  });

  const dialogs: Dialog[] = [
    inquiryDialog, surveyDialog, quickCsatDialog, complaintDialog, complaintStatusDialog, callbackBookingDialog, callbackManageDialog, optOutDialog,
    new OptInDialog({ localizer, optOut: optOuts }), new ClarifyIntentDialog(base),
  ];
  const routes: Record<string, Route> = {
    complaint_file: { dialogId: COMPLAINT_DIALOG, options: (_r, text) => ({ opening: text }) },
    complaint_status: { dialogId: COMPLAINT_STATUS_DIALOG, options: (_r, text) => ({ reference: text }) },
    callback_book: { dialogId: CALLBACK_BOOKING_DIALOG, options: (_r, text) => ({ opening: text }) },
    callback_list: { dialogId: CALLBACK_MANAGE_DIALOG, options: () => ({ action: 'list' }) },
    callback_reschedule: { dialogId: CALLBACK_MANAGE_DIALOG, options: (r) => ({ action: 'reschedule', reference: callbackReference(r) }) },
    callback_cancel: { dialogId: CALLBACK_MANAGE_DIALOG, options: (r) => ({ action: 'cancel', reference: callbackReference(r) }) },
    survey_feedback: { dialogId: surveyDialog.id, options: () => ({ surveyId: FEEDBACK_SURVEY_ID }) },
    opt_out: { dialogId: OPT_OUT_DIALOG },
  };
  for (const intent of INQUIRY_INTENTS) {
    routes[intent] = { dialogId: INQUIRY_DIALOG, options: (_r, text, memory) => ({ intent, question: text, unhelpfulInARow: memory.unhelpfulInARow ?? 0 }) };
  }

  const mainDialog = new MainDialog({
    ...base,
    recognitionOf: turnRecognition,
    memory: input.conversationState.createProperty<MainDialogMemory>('mainDialogMemory'),
    dialogs,
    routes,
    unmatched: { dialogId: INQUIRY_DIALOG, options: (_r, text, memory) => ({ question: text, unhelpfulInARow: memory.unhelpfulInARow ?? 0 }) },
    follow: [
      { when: (r) => r?.outcome === 'completed' && (r.kind === 'complaint' || r.kind === 'callback'), dialogId: quickCsatDialog.id, options: (r) => ({ context: r.kind, reference: r.reference }) },
    ],
    smallTalk: { greeting: 'main.greeting', goodbye: 'main.goodbye', thanks: 'main.thanks', help: 'main.helpIntro' },
    bankName: input.bankName,
    optOutDialogId: OPT_OUT_DIALOG,
    optInDialogId: OPT_IN_DIALOG,
    clarification: {
      dialogId: CLARIFY_INTENT_DIALOG,
      closeIntents: (recognition) => closeIntents(recognition, config.NLU_CLARIFY_MARGIN, (intent) => intent in routes),
    },
  });
  return {
    mainDialog,
    handoff,
    handoffRelay,
    outsideTurnDialogs: [quickCsatDialog, campaignDialog],
    parts: { handoff, handoffBus, handoffRequests, tickets, callbackRepository, callbackDesk, calendar, proactive, reminders, customers, knowledgeBase, loanApplications, surveyResponses, surveyDefinitions, churnRisk, negativeToneEvents, followUps, optOuts, campaignResponses, campaigns, campaignRecipients, campaignService, campaignSender },
    setCampaignDelivery(delivery) { campaignDelivery = delivery; },
    start() {
      reminders.start();
      churnRisk.startMissedCallbackSweep();
      if (config.CAMPAIGN_SENDER_ENABLED) campaignSender.start();
    },
    async stop() { await campaignSender.stop(); await reminders.stop(); await churnRisk.stop(); await handoffBus.close(); },
  };
}
