import type Redis from 'ioredis';
import type { Connection } from 'mongoose';
import type { Server } from 'restify';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import type { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedStaffRepository } from '../../models/staff/embeddedStaffRepository';
import { MongoStaffRepository } from '../../models/staff/mongoStaffRepository';
import { EmbeddedLoginAttemptRepository } from '../../models/staff/embeddedLoginAttemptRepository';
import { MongoLoginAttemptRepository } from '../../models/staff/mongoLoginAttemptRepository';
import { EmbeddedSessionStore } from '../../models/staff/embeddedSessionStore';
import { RedisSessionStore } from '../../models/staff/redisSessionStore';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { HandoffDesk } from '../../services/handoff/handoffDesk';
import { StaffService } from '../../services/staff/staffService';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import type { TicketRepository } from '../../services/tickets/ticketRepository';
import type { CallbackRepository } from '../../services/callbacks/callbackRepository';
import type { HandoffCase } from '../../services/handoff/handoffDesk';
import { recentSatisfaction } from '../../services/handoff/recentCsat';
import { respondentKeyFor, type SurveyResponseRepository } from '../../services/surveys/surveyResponseRepository';
import { registerCustomerRoutes } from './customerRoutes';
import { registerCallbackRoutes } from './callbackRoutes';
import type { CallbackDesk } from '../../services/callbacks/callbackDesk';
import { registerConsoleRoutes, resolveConsoleSessionSecret, type ClientProfile } from './consoleRoutes';
import { registerCampaignRoutes, type CampaignRouteSources } from './campaignRoutes';
import path from 'node:path';
import { registerAnalyticsRoutes, type AnalyticsServices } from './analyticsRoutes';
import { Localizer } from '../../services/i18n/localizer';
import { MongoTicketRepository } from '../../models/tickets/mongoTicketRepository';
import { EmbeddedTicketRepository } from '../../models/tickets/embeddedTicketRepository';
import { MongoCallbackRepository } from '../../models/callbacks/mongoCallbackRepository';
import { EmbeddedCallbackRepository } from '../../models/callbacks/embeddedCallbackRepository';
import { MongoSurveyResponseRepository } from '../../models/surveys/mongoSurveyResponseRepository';
import { EmbeddedSurveyResponseRepository } from '../../models/surveys/embeddedSurveyResponseRepository';
import { MongoSurveyDefinitionRepository } from '../../models/surveys/mongoSurveyDefinitionRepository';
import { EmbeddedSurveyDefinitionRepository } from '../../models/surveys/embeddedSurveyDefinitionRepository';
import { MongoInquiryFeedbackRepository } from '../../models/knowledge/mongoInquiryFeedbackRepository';
import { EmbeddedInquiryFeedbackRepository } from '../../models/knowledge/embeddedInquiryFeedbackRepository';
import { MongoCampaignRepository } from '../../models/campaigns/mongoCampaignRepository';
import { EmbeddedCampaignRepository } from '../../models/campaigns/embeddedCampaignRepository';
import { MongoCampaignRecipientRepository } from '../../models/campaigns/mongoCampaignRecipientRepository';
import { EmbeddedCampaignRecipientRepository } from '../../models/campaigns/embeddedCampaignRecipientRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import { SurveyDefinitionResolver } from '../../services/analytics/surveyQuestions';
import { AnswerTextBackground, CampaignResultsService } from '../../services/analytics/campaignResults';
import { ResponsesCsvExport } from '../../services/analytics/responsesCsv';
import { ServiceDashboardService } from '../../services/analytics/serviceDashboard';
import { TicketDeskService } from '../../services/tickets/ticketDeskService';
import type { ProactiveSender } from '../../services/proactive/proactiveSender';
import { registerTicketRoutes } from './ticketRoutes';
import { createAuditTrail } from '../auditTrail';

/** Where the console reads a client's profile from (the dialogs' repositories). */
export interface ProfileSources {
  customers?: CustomerRepository;
  tickets?: TicketRepository;
  callbacks?: CallbackRepository;
  surveyResponses?: SurveyResponseRepository;
}

/** The client's profile for the conversation view: CRM fields, open complaints, booked callbacks, recent CSAT scores. */
export async function clientProfile(sources: ProfileSources, c: HandoffCase, now = new Date()): Promise<ClientProfile> {
  const [customer, tickets, callbacks] = await Promise.all([
    c.customerId ? sources.customers?.get(c.customerId) : sources.customers?.findByChannelUser(c.channelId, c.userId),
    sources.tickets?.listOpenForUser(c.channelId, c.userId),
    sources.callbacks?.listBooked(c.channelId, c.userId, now),
  ]);
  const customerId = customer?.id ?? c.customerId;
  const satisfaction = sources.surveyResponses ? await recentSatisfaction(sources.surveyResponses, respondentKeyFor(c.channelId, c.userId, customerId), now) : [];
  return {
    name: customer?.name, company: customer?.company, tier: customer?.tier ?? c.tier, relationshipManager: customer?.relationshipManager,
    openTickets: (tickets ?? []).map((t) => ({ reference: t.reference, category: t.category, severity: t.severity, status: t.status, slaDueAt: t.slaDueAt })),
    callbacks: (callbacks ?? []).map((b) => ({ reference: b.reference, topic: b.topic, slotStart: b.slotStart })),
    pastCsat: satisfaction.filter((a) => a.kind === 'csat').map((a) => ({ score: a.score, answeredAt: a.at })),
  };
}

/**
 * The analytics behind the console (results, CSV, dashboard), on the same store as the dialogs:
 * repositories are thin views of one database, so the console opens its own.
 */
/** Staff accounts, logins and lockout on the configured store: for the console and for the staff Teams channel. */
export function buildStaffService(deps: { config: AppConfig; mongo?: Connection; embedded: EmbeddedDatabase; audit: AuditEventRepository }): StaffService {
  const { config, mongo, embedded, audit } = deps;
  return new StaffService({
    staff: mongo ? new MongoStaffRepository(mongo) : new EmbeddedStaffRepository(embedded),
    attempts: mongo ? new MongoLoginAttemptRepository(mongo) : new EmbeddedLoginAttemptRepository(embedded),
    audit, maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES, windowMinutes: config.CONSOLE_LOGIN_WINDOW_MINUTES,
  });
}

export function buildAnalytics(deps: { config: AppConfig; mongo?: Connection; embedded: EmbeddedDatabase }): AnalyticsServices {
  const { config, mongo, embedded } = deps;
  const campaigns = mongo ? new MongoCampaignRepository(mongo) : new EmbeddedCampaignRepository(embedded);
  const recipients = mongo ? new MongoCampaignRecipientRepository(mongo) : new EmbeddedCampaignRecipientRepository(embedded);
  const responses = mongo ? new MongoSurveyResponseRepository(mongo) : new EmbeddedSurveyResponseRepository(embedded);
  const surveys = new SurveyDefinitionResolver(mongo ? new MongoSurveyDefinitionRepository(mongo) : new EmbeddedSurveyDefinitionRepository(embedded), campaigns);
  const localizer = new Localizer(path.resolve(__dirname, '../../locales'));
  return {
    results: new CampaignResultsService({ campaigns, recipients, responses, surveys, background: new AnswerTextBackground(responses, surveys) }),
    csv: new ResponsesCsvExport({
      campaigns, recipients, responses, surveys,
      customers: mongo ? new MongoCustomerRepository(mongo) : new EmbeddedCustomerRepository(embedded),
      columnTitle: (language, column) => localizer.t(language, `analytics.csv.${column}`),
    }),
    dashboard: new ServiceDashboardService({
      tickets: mongo ? new MongoTicketRepository(mongo) : new EmbeddedTicketRepository(embedded),
      callbacks: mongo ? new MongoCallbackRepository(mongo) : new EmbeddedCallbackRepository(embedded),
      surveyResponses: responses,
      inquiryFeedback: mongo ? new MongoInquiryFeedbackRepository(mongo) : new EmbeddedInquiryFeedbackRepository(embedded),
      surveys, timeZone: config.BUSINESS_TIMEZONE, callbackSlotMinutes: config.CALLBACK_SLOT_MINUTES, callbackGraceMinutes: config.CALLBACK_OUTCOME_GRACE_MINUTES,
    }),
  };
}

/** What the complaint desk works on: the dialogs' ticket repository (with its churn signals) and the proactive sender. */
export interface TicketDeskSources {
  tickets?: TicketRepository;
  sender?: ProactiveSender;
}

/** What the composition root keeps of the console. */
export interface ConsoleParts {
  staffService: StaffService;
  audit: AuditEventRepository;
  /** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD if none exists. */
  start(): Promise<void>;
  /** Ends open event streams. */
  close(): void;
}

/** Builds the staff module (Mongo or embedded; sessions in Redis or embedded) and registers the console routes. */
export function buildConsole(deps: {
  config: AppConfig; logger: Logger; server: Server; redis?: Redis; mongo?: Connection; embedded: EmbeddedDatabase; desk: () => HandoffDesk | undefined;
  /** Read at request time, like the desk: the repositories are built after the console. */
  profileSources?: () => ProfileSources;
  /** The campaign service and survey definitions, read at request time (built after the console). */
  campaignSources?: () => CampaignRouteSources;
  /** The customer repository, read at request time (built after the console). */
  customers?: () => CustomerRepository | undefined;
  /** The ticket repository and proactive sender, read at request time (built after the console). */
  ticketSources?: () => TicketDeskSources;
  /** The callback desk, read at request time (built with the dialogs, after the console). */
  callbackDesk?: () => CallbackDesk | undefined;
}): ConsoleParts {
  const { config, logger, server, redis, mongo, embedded } = deps;
  const audit = createAuditTrail({ mongo, embedded, logger });
  const staffService = buildStaffService({ config, mongo, embedded, audit });
  const sessions = redis ? new RedisSessionStore(redis, `${config.REDIS_KEY_PREFIX}console-session:`) : new EmbeddedSessionStore(embedded);
  const routes = registerConsoleRoutes(server, {
    staff: staffService, sessions, audit, desk: deps.desk, logger,
    profile: deps.profileSources ? (c) => clientProfile(deps.profileSources!(), c) : undefined,
    sessionSecret: resolveConsoleSessionSecret(config, logger),
    sessionTtlSeconds: config.CONSOLE_SESSION_TTL_SECONDS,
    secureCookies: config.NODE_ENV === 'production',
    timeZone: config.BUSINESS_TIMEZONE,
  });
  registerCampaignRoutes(server, { guarded: routes.guarded, audit, sources: deps.campaignSources ?? (() => ({})) });
  registerCustomerRoutes(server, { guarded: routes.guarded, audit, customers: deps.customers ?? (() => deps.profileSources?.().customers) });
  // The desk is built on first use: its repository (the dialogs' one, so changes signal churn risk) comes later.
  const localizer = new Localizer(path.resolve(__dirname, '../../locales'));
  let ticketDesk: { service: TicketDeskService; tickets: TicketRepository } | undefined;
  registerTicketRoutes(server, {
    guarded: routes.guarded,
    desk: () => {
      const sources = deps.ticketSources?.();
      if (!sources?.tickets || !sources.sender) return undefined;
      if (ticketDesk?.tickets !== sources.tickets) {
        ticketDesk = { tickets: sources.tickets, service: new TicketDeskService({ tickets: sources.tickets, sender: sources.sender, localizer, audit }) };
      }
      return ticketDesk.service;
    },
  });
  registerCallbackRoutes(server, { guarded: routes.guarded, staff: staffService, desk: deps.callbackDesk ?? (() => undefined) });
  const analytics = buildAnalytics({ config, mongo, embedded });
  registerAnalyticsRoutes(server, { guarded: routes.guarded, audit, logger, services: () => analytics });
  return {
    staffService, audit,
    async start() {
      // A weak ADMIN_PASSWORD stops the start: no account with a guessable password is ever created.
      const outcome = await staffService.ensureFirstAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD).catch((error: Error) => {
        throw new Error(`ADMIN_PASSWORD rejected: ${error.message}`);
      });
      if (outcome === 'created') logger.info({ email: config.ADMIN_EMAIL }, 'console: first admin created from ADMIN_EMAIL; remove ADMIN_PASSWORD from the environment');
    },
    close: () => routes.close(),
  };
}
