/**
 * The composition root: builds every object by hand from the validated config (Redis and
 * Mongo when configured, embedded storage otherwise), and gives back start/stop.
 */
import path from 'node:path';
import fs from 'node:fs';
import Redis from 'ioredis';
import type { Connection } from 'mongoose';
import { ConversationState, TranscriptLoggerMiddleware, UserState, type Activity, type ConversationReference, type Storage } from 'botbuilder';
import type { Server } from 'restify';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import { createAdapter, installTurnErrorHandler } from './adapter';
import { createBotServer } from './server';
import { RapportBot } from './rapportBot';
import { TurnLoggingMiddleware } from './middleware/turnLoggingMiddleware';
import { ConversationLockMiddleware } from './middleware/conversationLockMiddleware';
import { ConversationTrackingMiddleware } from './middleware/conversationTrackingMiddleware';
import { CustomerContactMiddleware } from './middleware/customerContactMiddleware';
import type { CustomerRepository } from '../services/customers/customerRepository';
import { buildDialogs } from './dialogComposition';
import { BotCampaignDelivery } from './campaignDelivery';
import { QUICK_CSAT_DIALOG } from '../dialogs/quickCsatDialog';
import { EmbeddedDatabase } from '../models/embedded/embeddedDatabase';
import { openMongoConnection } from '../models/mongo/mongoConnection';
import { RedisStorage } from '../models/state/redisStorage';
import { FileStorage } from '../models/state/fileStorage';
import { MongoTranscriptStore } from '../models/transcripts/mongoTranscriptStore';
import { EmbeddedTranscriptStore } from '../models/transcripts/embeddedTranscriptStore';
import { BufferedTranscriptLogger } from '../services/transcripts/bufferedTranscriptLogger';
import { RedisConversationLock, InProcessConversationLock, type ConversationLock } from '../services/concurrency/conversationLock';
import { MongoConversationRepository } from '../models/conversations/mongoConversationRepository';
import { EmbeddedConversationRepository } from '../models/conversations/embeddedConversationRepository';
import type { ConversationRepository } from '../models/conversations/conversationRepository';
import { Localizer } from '../services/i18n/localizer';
import { IntentRecognizer } from '../services/nlu/intentRecognizer';
import { DirectLineEndpoint } from './directline/directLineEndpoint';
import { registerWebChatRoutes } from './directline/registerWebChatRoutes';
import { buildConsole, buildStaffService, type ProfileSources, type TicketDeskSources } from './console/consoleComposition';
import type { CampaignRouteSources } from './console/campaignRoutes';
import type { HandoffDesk } from '../services/handoff/handoffDesk';
import type { CallbackDesk } from '../services/callbacks/callbackDesk';
import { StaffTeamsDesk } from './staffTeams/staffTeamsDesk';
import { createAuditTrail } from './auditTrail';

export interface RapportApp {
  server: Server;
  /** Listens on config.PORT (0 = any free port) and resolves with the port. */
  start(): Promise<number>;
  /** Stops accepting, finishes turns in flight, flushes transcripts, closes Redis and Mongo. */
  stop(): Promise<void>;
  /** For tests and tools. */
  parts: {
    transcriptLogger: BufferedTranscriptLogger;
    transcriptStore: MongoTranscriptStore | EmbeddedTranscriptStore;
    storage: Storage;
    conversations: ConversationRepository;
    conversationTracking: ConversationTrackingMiddleware;
    mongo?: Connection;
    redis?: Redis;
  } & Record<string, unknown>;
}

/** Root of the repository (where locales/, data/ and config/ live). */
export const projectRoot = path.resolve(__dirname, '..');

export async function createApp(config: AppConfig, logger: Logger): Promise<RapportApp> {
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true })
    : undefined;
  if (redis) {
    redis.on('error', (error) => logger.warn({ err: { message: error.message } }, 'redis error'));
    await redis.connect();
  }
  const mongo = config.MONGODB_URI ? await openMongoConnection(config.MONGODB_URI) : undefined;
  if (!redis || !mongo) fs.mkdirSync(config.dataDir, { recursive: true });
  const embedded = new EmbeddedDatabase(path.join(config.dataDir, 'store'));

  const storage: Storage = redis
    ? new RedisStorage({ redis, keyPrefix: `${config.REDIS_KEY_PREFIX}state:`, conversationTtlSeconds: config.CONVERSATION_STATE_TTL_SECONDS, userTtlSeconds: config.USER_STATE_TTL_SECONDS })
    : new FileStorage({ database: embedded });
  const lock: ConversationLock = redis
    ? new RedisConversationLock({ redis, keyPrefix: `${config.REDIS_KEY_PREFIX}lock:`, lockTtlMs: config.LOCK_TTL_MS, acquireTimeoutMs: config.LOCK_WAIT_MS })
    : new InProcessConversationLock();
  const transcriptStore = mongo ? new MongoTranscriptStore({ connection: mongo }) : new EmbeddedTranscriptStore({ database: embedded });
  const conversations: ConversationRepository = mongo ? new MongoConversationRepository({ connection: mongo }) : new EmbeddedConversationRepository({ database: embedded });
  const transcriptLogger = new BufferedTranscriptLogger({
    sink: transcriptStore, logger: logger.child({ component: 'transcripts' }),
    batchSize: config.TRANSCRIPT_BATCH_SIZE, flushIntervalMs: config.TRANSCRIPT_FLUSH_MS, maxBuffered: config.TRANSCRIPT_MAX_BUFFERED,
  });

  const localizer = new Localizer(path.join(projectRoot, 'locales'));
  const recognizer = IntentRecognizer.fromFile(config.NLU_MODEL_PATH);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const bankName = (language: string) => (language === 'en' ? config.BANK_NAME_EN : config.BANK_NAME_ZH);

  const adapter = createAdapter(config);
  const dialogs = await buildDialogs({ config, logger, localizer, conversationState, userState, mongo, embedded, adapter, conversations, bankName, redis });
  // Staff taking handoffs in Teams: a card per new case in their channel, Take claims it as the linked staff account.
  let staffTeams: StaffTeamsDesk | undefined;
  if (config.STAFF_TEAMS_CONVERSATION) {
    const audit = createAuditTrail({ mongo, embedded, logger });
    const staff = buildStaffService({ config, mongo, embedded, audit });
    staffTeams = new StaffTeamsDesk({
      adapter, appId: config.MicrosoftAppId, conversation: config.STAFF_TEAMS_CONVERSATION, desk: dialogs.handoff, staff, storage, audit,
      localizer, language: config.STAFF_TEAMS_LANGUAGE, timeZone: config.BUSINESS_TIMEZONE, logger: logger.child({ component: 'staff-teams' }),
    });
    const desk = staffTeams;
    dialogs.handoff.onLocalEvent((event) => desk.onHandoffEvent(event));
  }
  const bot = new RapportBot({ conversationState, userState, mainDialog: dialogs.mainDialog, recognizer, localizer, logger, bankName, outsideTurnDialogs: dialogs.outsideTurnDialogs, staffTeams });
  // An agent handing the client back starts the post-conversation CSAT: its question waits for the client's next message.
  dialogs.handoff.setAfterReturnToBot(async (handoffCase) => {
    const conversation = await conversations.get(handoffCase.channelId, handoffCase.conversationId);
    if (!conversation?.reference) return;
    await adapter.continueConversationAsync(config.MicrosoftAppId, conversation.reference as ConversationReference, (context) =>
      bot.beginDialogOutsideTurn(context, QUICK_CSAT_DIALOG, { context: 'handoff', reference: handoffCase.caseId }, handoffCase.language));
  });
  // Campaigns reach a client as a proactive turn that starts the campaign dialog, in the client's language.
  dialogs.setCampaignDelivery(new BotCampaignDelivery({
    adapter, appId: config.MicrosoftAppId, conversations, conversationState, handoff: dialogs.handoff, logger: logger.child({ component: 'campaigns' }),
    beginDialogOutsideTurn: (context, dialogId, options, language) => bot.beginDialogOutsideTurn(context, dialogId, options, language),
  }));
  const conversationTracking = new ConversationTrackingMiddleware(conversations, logger, {
    ...(staffTeams ? { isStaffConversation: (activity: Activity) => staffTeams.isStaffChannel(activity) } : {}),
  });

  adapter.use(new TurnLoggingMiddleware(logger));
  adapter.use(new TranscriptLoggerMiddleware(transcriptLogger));
  adapter.use(new ConversationLockMiddleware(lock));
  adapter.use(conversationTracking);
  // A linked client's last contact (at most hourly, after the turn, never in its way).
  const customerContact = new CustomerContactMiddleware(dialogs.parts.customers as CustomerRepository, logger.child({ component: 'customers' }));
  adapter.use(customerContact);
  adapter.use(dialogs.handoffRelay);
  installTurnErrorHandler(adapter, { logger, localizer, resetDialogs: (context) => bot.resetDialogs(context) });

  const readiness: Record<string, () => Promise<boolean>> = {
    transcripts: async () => transcriptLogger.isHealthy(),
  };
  if (redis) readiness.redis = async () => (await redis.ping()) === 'PONG';
  if (mongo) readiness.mongo = async () => Boolean(await mongo.db?.admin().ping());

  const { server, inFlight } = createBotServer({
    adapter, runTurn: (context) => bot.run(context), logger, maxBodyBytes: config.MAX_BODY_BYTES, readiness,
    authenticationEnabled: Boolean(config.MicrosoftAppId),
  });
  // Web Chat's on-premises channel: Direct Line served by this process, and the page using it.
  const directLine = DirectLineEndpoint.fromConfig(config, { server, adapter, runTurn: (context) => bot.run(context), logger: logger.child({ component: 'directline' }), inFlight });
  registerWebChatRoutes(server, { config, directLine });
  // The staff console reads the desk from parts at request time, so it serves whatever desk the app holds.
  const consoleParts = config.CONSOLE_ENABLED
    ? buildConsole({ config, logger: logger.child({ component: 'console' }), server, redis, mongo, embedded, desk: () => parts.handoff as HandoffDesk | undefined,
      profileSources: () => ({ customers: parts.customers, tickets: parts.tickets, callbacks: parts.callbackRepository, surveyResponses: parts.surveyResponses }) as ProfileSources,
      campaignSources: () => ({ campaigns: parts.campaignService, surveyDefinitions: parts.surveyDefinitions }) as CampaignRouteSources,
      customers: () => parts.customers as CustomerRepository | undefined,
      ticketSources: () => ({ tickets: parts.tickets, sender: parts.proactive }) as TicketDeskSources,
      callbackDesk: () => parts.callbackDesk as CallbackDesk | undefined })
    : undefined;
  await consoleParts?.start();

  const parts: RapportApp['parts'] = { transcriptLogger, transcriptStore, storage, conversations, conversationTracking, customerContact, mongo, redis, directLine, console: consoleParts, staffTeams, ...dialogs.parts };
  let stopped = false;
  return {
    server,
    parts,
    start: () => new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => {
        dialogs.start();
        resolve((server.address() as { port: number }).port);
      });
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
      await directLine.close(config.SHUTDOWN_TIMEOUT_MS);
      consoleParts?.close();
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      const idle = await inFlight.idle(config.SHUTDOWN_TIMEOUT_MS);
      if (!idle) logger.warn({ inFlight: inFlight.size }, 'shutdown: turns still in flight at the deadline');
      await dialogs.stop();
      await staffTeams?.flush();
      // Transcripts are the record a bank must keep: they get their own, longer deadline.
      await Promise.all([
        conversationTracking.flush(Math.max(1000, deadline - Date.now())),
        customerContact.flush(),
        transcriptLogger.flush(config.SHUTDOWN_FLUSH_TIMEOUT_MS).catch((error: Error) => logger.error({ err: { message: error.message }, stats: transcriptLogger.stats() }, 'shutdown: transcripts not all written')),
      ]);
      await Promise.race([closing, sleep(500)]);
      if (redis) await redis.quit().catch(() => redis.disconnect());
      if (mongo) await mongo.close();
      await embedded.close();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
